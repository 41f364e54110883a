// e^x as MLANCore's `FastMath.exp` computes it, in the same IEEE operations in the same order (Cody–Waite
// reduction, Cephes' degree-6 polynomial, a two-step 2^n scale), so each lane is the same bits as the Swift
// scalar and SIMD forms. Private to CKernels: the including file must have `#pragma clang fp contract(off)`.
#ifndef MLAN_VECTOR_EXP_H
#define MLAN_VECTOR_EXP_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define MLAN_EXP_MAGIC 12582912.0f  // 1.5·2^23: adding and subtracting it rounds to nearest even
#define MLAN_EXP_LOG2E 1.4426950408889634f
#define MLAN_EXP_LN2_HIGH 0.693359375f
#define MLAN_EXP_LN2_LOW (-2.1219444005469058e-4f)
#define MLAN_EXP_UPPER 89.0f
#define MLAN_EXP_LOWER (-104.0f)
#define MLAN_EXP_P0 1.9875691500e-4f
#define MLAN_EXP_P1 1.3981999507e-3f
#define MLAN_EXP_P2 8.3334519073e-3f
#define MLAN_EXP_P3 4.1665795894e-2f
#define MLAN_EXP_P4 1.6666665459e-1f
#define MLAN_EXP_P5 5.0000001201e-1f

static inline float mlan_exp1(float x) {
    float c = x < MLAN_EXP_LOWER ? MLAN_EXP_LOWER : x;
    c = c > MLAN_EXP_UPPER ? MLAN_EXP_UPPER : c;
    float t = c * MLAN_EXP_LOG2E + MLAN_EXP_MAGIC;
    float n = t - MLAN_EXP_MAGIC;
    float r = (c - n * MLAN_EXP_LN2_HIGH) - n * MLAN_EXP_LN2_LOW;
    float z = r * r;
    float p = MLAN_EXP_P0 * r + MLAN_EXP_P1;
    p = p * r + MLAN_EXP_P2;
    p = p * r + MLAN_EXP_P3;
    p = p * r + MLAN_EXP_P4;
    p = p * r + MLAN_EXP_P5;
    p = p * z + r + 1.0f;
    int32_t bits;
    memcpy(&bits, &t, sizeof bits);
    int32_t k = (int32_t)((uint32_t)bits - 0x4B400000u);
    int32_t k1 = k >> 1, k2 = (int32_t)((uint32_t)k - (uint32_t)k1);
    uint32_t b1 = (uint32_t)(k1 + 127) << 23, b2 = (uint32_t)(k2 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, sizeof s1);
    memcpy(&s2, &b2, sizeof s2);
    float result = p * s1 * s2;
    return x != x ? x : result;
}

__attribute__((target("avx2,fma"))) static inline __m256 mlan_exp8(__m256 x) {
    const __m256 lower = _mm256_set1_ps(MLAN_EXP_LOWER), upper = _mm256_set1_ps(MLAN_EXP_UPPER);
    const __m256 magic = _mm256_set1_ps(MLAN_EXP_MAGIC);
    __m256 c = _mm256_blendv_ps(x, lower, _mm256_cmp_ps(x, lower, _CMP_LT_OQ));
    c = _mm256_blendv_ps(c, upper, _mm256_cmp_ps(c, upper, _CMP_GT_OQ));
    __m256 t = _mm256_add_ps(_mm256_mul_ps(c, _mm256_set1_ps(MLAN_EXP_LOG2E)), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_sub_ps(_mm256_sub_ps(c, _mm256_mul_ps(n, _mm256_set1_ps(MLAN_EXP_LN2_HIGH))),
                             _mm256_mul_ps(n, _mm256_set1_ps(MLAN_EXP_LN2_LOW)));
    __m256 z = _mm256_mul_ps(r, r);
    __m256 p = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(MLAN_EXP_P0), r), _mm256_set1_ps(MLAN_EXP_P1));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(MLAN_EXP_P2));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(MLAN_EXP_P3));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(MLAN_EXP_P4));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(MLAN_EXP_P5));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, z), r), _mm256_set1_ps(1.0f));
    __m256i k = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000));
    __m256i k1 = _mm256_srai_epi32(k, 1), k2 = _mm256_sub_epi32(k, k1);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
    __m256 result = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    return _mm256_blendv_ps(result, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

/// 1 / (1 + e^-x), as `Activation.sigmoid`.
static inline float mlan_sigmoid1(float x) { return 1.0f / (1.0f + mlan_exp1(-x)); }

__attribute__((target("avx2,fma"))) static inline __m256 mlan_sigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 negative = _mm256_xor_ps(x, _mm256_set1_ps(-0.0f));
    return _mm256_div_ps(one, _mm256_add_ps(one, mlan_exp8(negative)));
}

#endif
