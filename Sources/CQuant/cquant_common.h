// Helpers shared by the CQuant kernel files: target attributes, exact 16-bit conversions, a horizontal sum.
#ifndef CQUANT_COMMON_H
#define CQUANT_COMMON_H

#include <immintrin.h>
#include <stdint.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))
#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

static inline float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
    union { uint32_t u; float f; } v;
    if (exponent == 0x1F) {
        v.u = sign | 0x7F800000u | mantissa << 13;
    } else if (exponent == 0) {
        float magnitude = (float)mantissa * 0x1p-24f;  // zero or subnormal, exact
        return sign ? -magnitude : magnitude;
    } else {
        v.u = sign | (exponent + 112) << 23 | mantissa << 13;
    }
    return v.f;
}

static inline float bf16_to_f32(uint16_t h) {
    union { uint32_t u; float f; } v = { .u = (uint32_t)h << 16 };
    return v.f;
}

static inline uint16_t load16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

// The sum of the 8 lanes of v in the order ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7)).
AVX2 INLINE float hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Block scales d (and Q4_1's offsets m) of four rows, from the blocks at p, p + row_bytes, ...: the 16-bit fields at
// the start of each block as [d0 m0 d1 m1 d2 m2 d3 m3] in Float32 (Q4_0 and Q8_0: odd lanes are code bytes, unused).
AVX2 INLINE __m256 scales4_avx2(const uint8_t *p, size_t row_bytes) {
    __m128i s01 = _mm_unpacklo_epi32(_mm_loadu_si32(p), _mm_loadu_si32(p + row_bytes));
    __m128i s23 = _mm_unpacklo_epi32(_mm_loadu_si32(p + 2 * row_bytes), _mm_loadu_si32(p + 3 * row_bytes));
    return _mm256_cvtph_ps(_mm_unpacklo_epi64(s01, s23));
}

// Calls the tile function FN(type, w, row_bytes, blocks, xq, y, ldy, r, t, nt) with `type` (Q4_0, Q4_1, Q8_0) and
// `nt` (1...4) as constants, so that each combination is compiled on its own (unrolled, without branches).
#define CQ_SPECIALISED_TILE4(FN)                                                                     \
    do {                                                                                             \
        switch (type * 4 + (nt < 4 ? nt : 4)) {                                                      \
        case CQ_Q4_0 * 4 + 1: FN(CQ_Q4_0, w, row_bytes, blocks, xq, y, ldy, r, t, 1); break;          \
        case CQ_Q4_0 * 4 + 2: FN(CQ_Q4_0, w, row_bytes, blocks, xq, y, ldy, r, t, 2); break;          \
        case CQ_Q4_0 * 4 + 3: FN(CQ_Q4_0, w, row_bytes, blocks, xq, y, ldy, r, t, 3); break;          \
        case CQ_Q4_0 * 4 + 4: FN(CQ_Q4_0, w, row_bytes, blocks, xq, y, ldy, r, t, 4); break;          \
        case CQ_Q4_1 * 4 + 1: FN(CQ_Q4_1, w, row_bytes, blocks, xq, y, ldy, r, t, 1); break;          \
        case CQ_Q4_1 * 4 + 2: FN(CQ_Q4_1, w, row_bytes, blocks, xq, y, ldy, r, t, 2); break;          \
        case CQ_Q4_1 * 4 + 3: FN(CQ_Q4_1, w, row_bytes, blocks, xq, y, ldy, r, t, 3); break;          \
        case CQ_Q4_1 * 4 + 4: FN(CQ_Q4_1, w, row_bytes, blocks, xq, y, ldy, r, t, 4); break;          \
        case CQ_Q8_0 * 4 + 1: FN(CQ_Q8_0, w, row_bytes, blocks, xq, y, ldy, r, t, 1); break;          \
        case CQ_Q8_0 * 4 + 2: FN(CQ_Q8_0, w, row_bytes, blocks, xq, y, ldy, r, t, 2); break;          \
        case CQ_Q8_0 * 4 + 3: FN(CQ_Q8_0, w, row_bytes, blocks, xq, y, ldy, r, t, 3); break;          \
        default: FN(CQ_Q8_0, w, row_bytes, blocks, xq, y, ldy, r, t, 4); break;                        \
        }                                                                                            \
    } while (0)

// CPUs with AVX-512 VNNI (cquant_q8_vnni.c), and its tile of cq_matmul_q8_rows: rows [r, r + 4) against tokens
// [t, t + nt), nt ≤ 4.
int cq_has_vnni(void);
void cq_tile4_q8_vnni(int type, const uint8_t *w, size_t row_bytes, int blocks, const cq_q8_block *xq, float *y,
                      int ldy, int r, int t, int nt);

#endif
