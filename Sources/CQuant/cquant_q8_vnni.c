// The 8-bit-activation products of cquant_q8.c on CPUs with AVX-512 VNNI (vpdpbusd on 256-bit vectors).
//
// vpdpbusd multiplies unsigned by signed bytes and adds each group of four into a 32-bit lane, exactly: one
// instruction where AVX2 needs maddubs and madd, and no 16-bit saturation, which allows two more savings.
// - Q4 codes are not shifted: the low nibbles are masked in place (lanes 0-3) and the high nibbles too, left at
//   16 times their value (lanes 4-7). Those lanes then accumulate 16 times the true sums, exactly (a power of two
//   commutes with rounding), and are scaled back by 1/16 before the row's sum.
// - Signed codes (Q4_0's c - 8, Q8_0's c) become unsigned by an offset whose product with the activations is
//   known per lane: the accumulator starts at -offset · Σ q (cq_q8_block.neg_sums).
// Every lane holds the same integer and every accumulator the same Float32 sequence as the portable code, so the
// bits are the same on every instruction set.
#include "cquant.h"

#include "cquant_common.h"

#pragma STDC FP_CONTRACT OFF

#define VNNI __attribute__((target("avx512f,avx512vl,avx512bw,avx512vnni,avx2,fma,f16c")))

int cq_has_vnni(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512f");
}

// Four rows [r, r + 4) against tokens [t, t + nt), as tile4_q8_avx2 in cquant_q8.c.
VNNI INLINE void tile4_vnni(const int type, const uint8_t *w, size_t row_bytes, int blocks, const cq_q8_block *xq,
                            float *y, int ldy, int r, int t, const int nt) {
    const size_t bytes = type == CQ_Q4_0 ? 18 : type == CQ_Q4_1 ? 20 : 34;
    const __m256i mask = _mm256_setr_epi64x(0x0F0F0F0F0F0F0F0FLL, 0x0F0F0F0F0F0F0F0FLL, (long long)0xF0F0F0F0F0F0F0F0ULL,
                                            (long long)0xF0F0F0F0F0F0F0F0ULL);
    // Q4_0: offset 8 (lanes 0-3) and 8 · 16 (lanes 4-7); Q8_0: offset 128.
    const __m256i shifts = type == CQ_Q4_0 ? _mm256_setr_epi32(3, 3, 3, 3, 7, 7, 7, 7) : _mm256_set1_epi32(7);
    __m256 acc[4][4], offset[4];
    for (int j = 0; j < nt; j++) {
        offset[j] = _mm256_setzero_ps();
        for (int i = 0; i < 4; i++) acc[i][j] = _mm256_setzero_ps();
    }
    for (int b = 0; b < blocks; b++) {
        const uint8_t *p = w + (size_t)r * row_bytes + b * bytes;
        __m256i c[4];
        for (int i = 0; i < 4; i++) {
            const uint8_t *block = p + i * row_bytes;
            _mm_prefetch((const char *)(block + 8 * row_bytes), _MM_HINT_T0);  // eight rows ahead (never faults)
            if (type == CQ_Q8_0)
                c[i] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(block + 2)), _mm256_set1_epi8((char)0x80));
            else
                c[i] = _mm256_and_si256(
                    _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(block + (type == CQ_Q4_1 ? 4 : 2)))), mask);
        }
        __m256 dm = scales4_avx2(p, row_bytes);
        for (int j = 0; j < nt; j++) {
            const cq_q8_block *x = xq + (size_t)(t + j) * blocks + b;
            __m256i q = _mm256_loadu_si256((const __m256i *)x->q);
            __m256i start = type == CQ_Q4_1 ? _mm256_setzero_si256()
                                            : _mm256_sllv_epi32(_mm256_loadu_si256((const __m256i *)x->neg_sums), shifts);
            float dd[8];
            _mm256_storeu_ps(dd, _mm256_mul_ps(dm, _mm256_set1_ps(x->d)));
            for (int i = 0; i < 4; i++)
                acc[i][j] = _mm256_fmadd_ps(_mm256_set1_ps(dd[2 * i]), _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(start, c[i], q)),
                                            acc[i][j]);
            if (type == CQ_Q4_1) offset[j] = _mm256_add_ps(offset[j], _mm256_mul_ps(dm, _mm256_set1_ps(x->s)));
        }
    }
    const __m256 unscale = type == CQ_Q8_0 ? _mm256_set1_ps(1) : _mm256_setr_ps(1, 1, 1, 1, 0.0625f, 0.0625f, 0.0625f, 0.0625f);
    for (int j = 0; j < nt; j++) {
        float o[8];
        _mm256_storeu_ps(o, offset[j]);
        for (int i = 0; i < 4; i++) y[(size_t)(t + j) * ldy + r + i] = hsum_avx2(_mm256_mul_ps(acc[i][j], unscale)) + o[2 * i + 1];
    }
}

VNNI void cq_tile4_q8_vnni(int type, const uint8_t *w, size_t row_bytes, int blocks, const cq_q8_block *xq, float *y,
                           int ldy, int r, int t, int nt) {
    CQ_SPECIALISED_TILE4(tile4_vnni);
}
