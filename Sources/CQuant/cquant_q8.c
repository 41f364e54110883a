// Products of 4/8-bit weight blocks (Q4_0, Q4_1, Q8_0) with activations quantized to 8 bits, in integers.
//
// For a weight block (value = dw · c + m, 32 integer codes c) and an activation block (x ≈ dx · q):
//   Σ w x ≈ dw · dx · Σ c q + m · dx · Σ q,
// where Σ c q is exact in 32-bit integers. It is summed in 8 lanes of 4 neighbouring elements (what AVX2's
// maddubs + madd leave), each lane scaled and added to a Float32 accumulator with one fused multiply-add, the
// lanes summed in hsum_avx2's order at the end of the row; Q4_1's offsets m · s are summed apart in Float32 and
// added last. The portable code does the same operations in the same order (fmaf is the fused operation), so every
// instruction set gives the same bits. The vector kernels take four rows at once and convert their four block
// scales together (one at a time cost more instructions than the integer products themselves).
#include "cquant.h"

#include "cquant_common.h"

#include <math.h>

#pragma STDC FP_CONTRACT OFF

int cq_supports_q8(int type) { return type == CQ_Q4_0 || type == CQ_Q4_1 || type == CQ_Q8_0; }

static size_t block_bytes(int type) { return type == CQ_Q4_0 ? 18 : type == CQ_Q4_1 ? 20 : 34; }

void cq_quantize_q8(const float *x, int tokens, int ldx, int columns, cq_q8_block *out) {
    int blocks = columns / 32;
    for (int t = 0; t < tokens; t++) {
        for (int b = 0; b < blocks; b++) {
            const float *v = x + (size_t)t * ldx + 32 * b;
            cq_q8_block *o = out + (size_t)t * blocks + b;
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(v[j]));
            float d = amax / 127, inverse = d != 0 ? 1 / d : 0;
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                // Adding and subtracting 1.5 · 2^23 rounds to the nearest integer, ties to even (|v / d| ≤ 127).
                float r = (v[j] * inverse + 12582912.0f) - 12582912.0f;
                int q = (int)r;
                q = q > 127 ? 127 : q < -127 ? -127 : q;
                o->q[j] = (int8_t)q;
                sum += q;
            }
            for (int k = 0; k < 8; k++) o->neg_sums[k] = -(o->q[4 * k] + o->q[4 * k + 1] + o->q[4 * k + 2] + o->q[4 * k + 3]);
            o->d = d;
            o->s = d * (float)sum;
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Portable.

// A weight block as 32 signed codes, its scale and offset: value = d · c + m.
static void codes_portable(int type, const uint8_t *p, int c[32], float *d, float *m) {
    *d = f16_to_f32(load16(p));
    *m = 0;
    if (type == CQ_Q8_0) {
        for (int j = 0; j < 32; j++) c[j] = (int8_t)p[2 + j];
        return;
    }
    int bias = type == CQ_Q4_0 ? 8 : 0;
    if (type == CQ_Q4_1) *m = f16_to_f32(load16(p + 2));
    const uint8_t *qs = p + (type == CQ_Q4_1 ? 4 : 2);
    for (int j = 0; j < 16; j++) {
        c[j] = (qs[j] & 0xF) - bias;
        c[j + 16] = (qs[j] >> 4) - bias;
    }
}

static float row_q8_portable(int type, const uint8_t *row, int blocks, const cq_q8_block *xq) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, offset = 0;
    size_t bytes = block_bytes(type);
    for (int b = 0; b < blocks; b++) {
        int c[32];
        float d, m;
        codes_portable(type, row + b * bytes, c, &d, &m);
        float dd = d * xq[b].d;
        for (int k = 0; k < 8; k++) {
            int lane = 0;
            for (int i = 4 * k; i < 4 * k + 4; i++) lane += c[i] * xq[b].q[i];
            acc[k] = fmaf(dd, (float)lane, acc[k]);
        }
        if (type == CQ_Q4_1) {
            float term = m * xq[b].s;
            offset = offset + term;
        }
    }
    float total = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    return total + offset;
}

// ---------------------------------------------------------------------------------------------------------
// AVX2: a block's 32 codes in one vector of bytes; maddubs multiplies unsigned by signed bytes and adds pairs
// (no overflow: |c q| ≤ 128 · 127), madd with ones adds pairs again, giving the 8 lanes of 4.

// Q4 codes unsigned (0..15: the 16 low nibbles, then the 16 high ones), Q8_0 codes signed.
AVX2 INLINE __m256i codes_avx2(const int type, const uint8_t *p) {
    if (type == CQ_Q8_0) return _mm256_loadu_si256((const __m256i *)(p + 2));
    // The 16 bytes in both halves, the upper half shifted right by 4: low nibbles below, high nibbles above.
    __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(p + (type == CQ_Q4_1 ? 4 : 2))));
    __m256i nibbles = _mm256_and_si256(_mm256_srlv_epi64(both, _mm256_set_epi64x(4, 4, 0, 0)), _mm256_set1_epi8(0x0F));
    return type == CQ_Q4_0 ? _mm256_sub_epi8(nibbles, _mm256_set1_epi8(8)) : nibbles;
}

// The 8 lanes Σ_{i in lane} c_i q_i as Float32 (exact: |lane| < 2^16).
AVX2 INLINE __m256 lanes_avx2(const int type, __m256i c, __m256i q) {
    __m256i pairs = type == CQ_Q4_1 ? _mm256_maddubs_epi16(c, q)
                                    : _mm256_maddubs_epi16(_mm256_sign_epi8(c, c), _mm256_sign_epi8(q, c));
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

// Four rows [r, r + 4) against tokens [t, t + nt), 4 · nt independent accumulators. Each row's block scale is
// broadcast from memory (a load, not a shuffle), after one conversion of the four rows' scales (scales4_avx2).
AVX2 INLINE void tile4_q8_avx2(const int type, const uint8_t *w, size_t row_bytes, int blocks, const cq_q8_block *xq,
                               float *y, int ldy, int r, int t, const int nt) {
    const size_t bytes = type == CQ_Q4_0 ? 18 : type == CQ_Q4_1 ? 20 : 34;
    __m256 acc[4][4], offset[4];
    for (int j = 0; j < nt; j++) {
        offset[j] = _mm256_setzero_ps();
        for (int i = 0; i < 4; i++) acc[i][j] = _mm256_setzero_ps();
    }
    for (int b = 0; b < blocks; b++) {
        const uint8_t *p = w + (size_t)r * row_bytes + b * bytes;
        __m256i c[4];
        for (int i = 0; i < 4; i++) {
            // Eight rows ahead, fetched while this one is multiplied (never faults).
            _mm_prefetch((const char *)(p + (8 + i) * row_bytes), _MM_HINT_T0);
            c[i] = codes_avx2(type, p + i * row_bytes);
        }
        __m256 dm = scales4_avx2(p, row_bytes);
        for (int j = 0; j < nt; j++) {
            const cq_q8_block *x = xq + (size_t)(t + j) * blocks + b;
            __m256i q = _mm256_loadu_si256((const __m256i *)x->q);
            float dd[8];
            _mm256_storeu_ps(dd, _mm256_mul_ps(dm, _mm256_set1_ps(x->d)));
            for (int i = 0; i < 4; i++)
                acc[i][j] = _mm256_fmadd_ps(_mm256_set1_ps(dd[2 * i]), lanes_avx2(type, c[i], q), acc[i][j]);
            if (type == CQ_Q4_1) offset[j] = _mm256_add_ps(offset[j], _mm256_mul_ps(dm, _mm256_set1_ps(x->s)));
        }
    }
    for (int j = 0; j < nt; j++) {
        float o[8];
        _mm256_storeu_ps(o, offset[j]);
        for (int i = 0; i < 4; i++) y[(size_t)(t + j) * ldy + r + i] = hsum_avx2(acc[i][j]) + o[2 * i + 1];
    }
}

AVX2 static void tile4_any_avx2(int type, const uint8_t *w, size_t row_bytes, int blocks, const cq_q8_block *xq,
                                float *y, int ldy, int r, int t, int nt) {
    CQ_SPECIALISED_TILE4(tile4_q8_avx2);
}

// ---------------------------------------------------------------------------------------------------------

// AVX-512 CPUs with VNNI run cquant_q8_vnni.c's tiles, other AVX-512 CPUs the AVX2 ones.
static int uses_vnni(int isa) {
    static int vnni = -1;  // a benign race: every thread computes the same value
    if (vnni < 0) vnni = cq_has_vnni();
    return isa >= CQ_ISA_AVX512 && cq_best_isa() >= CQ_ISA_AVX512 && vnni;
}

const char *cq_q8_kernel_name(int isa) {
    if (isa > cq_best_isa()) isa = cq_best_isa();
    return uses_vnni(isa) ? "avx512-vnni" : isa >= CQ_ISA_AVX2 ? "avx2" : "portable";
}

void cq_matmul_q8_rows(int isa, int type, const void *weights, size_t row_bytes, int columns, const cq_q8_block *xq,
                       int tokens, float *y, int ldy, int row_begin, int row_end) {
    if (isa > cq_best_isa()) isa = cq_best_isa();
    const int vnni = uses_vnni(isa);
    const uint8_t *w = weights;
    int blocks = columns / 32, r = row_begin;
    if (isa >= CQ_ISA_AVX2)
        for (; r + 4 <= row_end; r += 4)
            for (int t = 0; t < tokens; t += 4) {
                int nt = tokens - t < 4 ? tokens - t : 4;
                if (vnni) cq_tile4_q8_vnni(type, w, row_bytes, blocks, xq, y, ldy, r, t, nt);
                else tile4_any_avx2(type, w, row_bytes, blocks, xq, y, ldy, r, t, nt);
            }
    for (; r < row_end; r++)  // rows past the last four, or no vector unit: the portable code, the same bits
        for (int t = 0; t < tokens; t++)
            y[(size_t)t * ldy + r] = row_q8_portable(type, w + (size_t)r * row_bytes, blocks, xq + (size_t)t * blocks);
}
