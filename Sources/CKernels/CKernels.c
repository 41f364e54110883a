#include "CKernels.h"

#include <immintrin.h>

// Each element must round exactly as the scalar formula does: no fused multiply-adds.
#pragma clang fp contract(off)

static int detected_width = 0;  // 0 until detected; every thread detects the same value

int mlan_vector_width(void) {
    int width = __atomic_load_n(&detected_width, __ATOMIC_RELAXED);
    if (width == 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) width = 512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) width = 256;
        else width = 128;
        __atomic_store_n(&detected_width, width, __ATOMIC_RELAXED);
    }
    return width;
}

static inline void adamw_scalar(float *w, float *m, float *v, const float *g, size_t i, float decay, float aw,
                                float b2, float sw, float bc2, float eps, float step) {
    float wi = w[i] * decay;
    float mi = m[i] + aw * (g[i] - m[i]);
    float vi = v[i] * b2 + sw * g[i] * g[i];
    float denom = __builtin_sqrtf(vi) / bc2 + eps;
    m[i] = mi;
    v[i] = vi;
    w[i] = wi + step * mi / denom;
}

__attribute__((target("avx512f")))
static void adamw_avx512(float *w, float *m, float *v, const float *g, size_t n, float decay, float aw, float b2,
                         float sw, float bc2, float eps, float step) {
    const __m512 vdecay = _mm512_set1_ps(decay), vaw = _mm512_set1_ps(aw), vb2 = _mm512_set1_ps(b2);
    const __m512 vsw = _mm512_set1_ps(sw), vbc2 = _mm512_set1_ps(bc2), veps = _mm512_set1_ps(eps);
    const __m512 vstep = _mm512_set1_ps(step);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 gi = _mm512_loadu_ps(g + i), mi = _mm512_loadu_ps(m + i), vi = _mm512_loadu_ps(v + i);
        __m512 wi = _mm512_mul_ps(_mm512_loadu_ps(w + i), vdecay);
        mi = _mm512_add_ps(mi, _mm512_mul_ps(vaw, _mm512_sub_ps(gi, mi)));
        vi = _mm512_add_ps(_mm512_mul_ps(vi, vb2), _mm512_mul_ps(_mm512_mul_ps(vsw, gi), gi));
        __m512 denom = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), vbc2), veps);
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        _mm512_storeu_ps(w + i, _mm512_add_ps(wi, _mm512_div_ps(_mm512_mul_ps(vstep, mi), denom)));
    }
    for (; i < n; i++) adamw_scalar(w, m, v, g, i, decay, aw, b2, sw, bc2, eps, step);
}

__attribute__((target("avx2,fma")))
static void adamw_avx2(float *w, float *m, float *v, const float *g, size_t n, float decay, float aw, float b2,
                       float sw, float bc2, float eps, float step) {
    const __m256 vdecay = _mm256_set1_ps(decay), vaw = _mm256_set1_ps(aw), vb2 = _mm256_set1_ps(b2);
    const __m256 vsw = _mm256_set1_ps(sw), vbc2 = _mm256_set1_ps(bc2), veps = _mm256_set1_ps(eps);
    const __m256 vstep = _mm256_set1_ps(step);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i);
        __m256 wi = _mm256_mul_ps(_mm256_loadu_ps(w + i), vdecay);
        mi = _mm256_add_ps(mi, _mm256_mul_ps(vaw, _mm256_sub_ps(gi, mi)));
        vi = _mm256_add_ps(_mm256_mul_ps(vi, vb2), _mm256_mul_ps(_mm256_mul_ps(vsw, gi), gi));
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), vbc2), veps);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(w + i, _mm256_add_ps(wi, _mm256_div_ps(_mm256_mul_ps(vstep, mi), denom)));
    }
    for (; i < n; i++) adamw_scalar(w, m, v, g, i, decay, aw, b2, sw, bc2, eps, step);
}

static void adamw_baseline(float *w, float *m, float *v, const float *g, size_t n, float decay, float aw, float b2,
                           float sw, float bc2, float eps, float step) {
    for (size_t i = 0; i < n; i++) adamw_scalar(w, m, v, g, i, decay, aw, b2, sw, bc2, eps, step);
}

void mlan_adamw_update(float *w, float *m, float *v, const float *g, size_t count, float decay,
                       float average_weight, float beta2, float square_weight, float bias_correction2_sqrt,
                       float eps, float negative_step) {
    mlan_adamw_update_width(mlan_vector_width(), w, m, v, g, count, decay, average_weight, beta2, square_weight,
                            bias_correction2_sqrt, eps, negative_step);
}

void mlan_adamw_update_width(int width, float *w, float *m, float *v, const float *g, size_t count, float decay,
                             float average_weight, float beta2, float square_weight, float bias_correction2_sqrt,
                             float eps, float negative_step) {
    switch (width) {
    case 512:
        adamw_avx512(w, m, v, g, count, decay, average_weight, beta2, square_weight, bias_correction2_sqrt, eps,
                     negative_step);
        break;
    case 256:
        adamw_avx2(w, m, v, g, count, decay, average_weight, beta2, square_weight, bias_correction2_sqrt, eps,
                   negative_step);
        break;
    default:
        adamw_baseline(w, m, v, g, count, decay, average_weight, beta2, square_weight, bias_correction2_sqrt, eps,
                       negative_step);
    }
}
