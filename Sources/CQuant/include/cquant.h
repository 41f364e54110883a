// Matrix products with weights kept in their stored element type (ggml blocks, binary16, bfloat16),
// dequantized on the fly. Kernels for AVX-512, AVX2 and portable C are compiled into one library with
// per-function target attributes; the widest the CPU supports is chosen at run time.
#ifndef CQUANT_H
#define CQUANT_H

#include <stddef.h>
#include <stdint.h>

// Element types, numbered as ggml numbers them.
enum {
    CQ_F32 = 0, CQ_F16 = 1, CQ_Q4_0 = 2, CQ_Q4_1 = 3, CQ_Q8_0 = 8,
    CQ_Q4_K = 12, CQ_Q5_K = 13, CQ_Q6_K = 14, CQ_BF16 = 30,
};

// Instruction sets the kernels can use.
enum { CQ_ISA_PORTABLE = 0, CQ_ISA_AVX2 = 1, CQ_ISA_AVX512 = 2 };

// 1 when `type` has kernels here.
int cq_supports(int type);

// The widest instruction set this CPU runs (AVX-512 needs F, BW, VL, DQ; AVX2 needs FMA and F16C).
int cq_best_isa(void);

// Y[t, r] = sum_c W[r, c] · X[t, c] for rows r in [row_begin, row_end) and tokens t in [0, tokens).
// W has rows of `row_bytes` bytes holding `columns` elements of `type` (a whole number of blocks);
// X is [tokens, columns] with row stride `ldx`; Y has row stride `ldy`. `isa` is at most cq_best_isa().
void cq_matmul_rows(int isa, int type, const void *w, size_t row_bytes, int columns,
                    const float *x, int tokens, int ldx, float *y, int ldy, int row_begin, int row_end);

// Dequantizes rows [row_begin, row_end) of W into `out` ([row_end - row_begin, columns], row-major),
// with ggml's arithmetic (results equal ggml's dequantize_row_* bit for bit).
void cq_dequantize_rows(int isa, int type, const void *w, size_t row_bytes, int columns,
                        int row_begin, int row_end, float *out);

// Activations quantized to 8 bits, 32 values a block (like ggml's Q8_1): x ≈ d · q, with s = d · Σ q.
typedef struct {
    float d, s;
    int8_t q[32];
    int32_t neg_sums[8];  // -(q[4k] + ... + q[4k + 3]) for k < 8: what the VNNI kernels offset signed codes by
} cq_q8_block;

// 1 when products of `type` weights with 8-bit activations are implemented (Q4_0, Q4_1, Q8_0).
int cq_supports_q8(int type);

// Quantizes X ([tokens, columns], row stride ldx; columns a multiple of 32) to tokens × columns/32 blocks:
// d = max |x| / 127 per block, q = x / d rounded to nearest (ties to even). The same bits on every CPU.
void cq_quantize_q8(const float *x, int tokens, int ldx, int columns, cq_q8_block *out);

// The name of the kernels cq_matmul_q8_rows runs for `isa` on this CPU: "avx512-vnni", "avx2" or "portable".
const char *cq_q8_kernel_name(int isa);

// Y[t, r] = Σ_blocks (W row r's block) · (XQ[t]'s block) for rows r in [row_begin, row_end) and tokens t: the
// dot product of each 4/8-bit weight block with its 8-bit activation block in integers, scaled in Float32.
// XQ is [tokens][columns / 32] blocks from cq_quantize_q8. Every `isa` gives the same bits.
void cq_matmul_q8_rows(int isa, int type, const void *w, size_t row_bytes, int columns, const cq_q8_block *xq,
                       int tokens, float *y, int ldy, int row_begin, int row_end);

#endif
