// AVX2 versions of MLANCore's exp-heavy loops: the same operations per element as the Swift code they replace
// (`FastMath`, `Elementwise.SiLU`/`SiLUGradient`, cross-entropy's gradient), so the same bits at every width.
#include "CKernels.h"
#include "VectorExp.h"

#pragma clang fp contract(off)

// MARK: e^(x + shift) and its sum

static inline double sum_lanes(const double lanes[8]) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// The eight lanes' sum, then elements `i..<count` one by one: the part every width shares.
static inline double finish_exp_and_sum(const double lanes[8], const float *x, float shift, float *y, size_t i,
                                        size_t count) {
    double total = sum_lanes(lanes);
    for (; i < count; i++) {
        float e = mlan_exp1(x[i] + shift);
        if (y) y[i] = e;
        total += (double)e;
    }
    return total;
}

__attribute__((target("avx2,fma")))
static double exp_and_sum_avx2(const float *x, float shift, float *y, size_t count) {
    __m256d low = _mm256_setzero_pd(), high = _mm256_setzero_pd();
    const __m256 vshift = _mm256_set1_ps(shift);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 e = mlan_exp8(_mm256_add_ps(_mm256_loadu_ps(x + i), vshift));
        if (y) _mm256_storeu_ps(y + i, e);
        low = _mm256_add_pd(low, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        high = _mm256_add_pd(high, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double lanes[8];
    _mm256_storeu_pd(lanes, low);
    _mm256_storeu_pd(lanes + 4, high);
    return finish_exp_and_sum(lanes, x, shift, y, i, count);
}

static double exp_and_sum_baseline(const float *x, float shift, float *y, size_t count) {
    double lanes[8] = {0};
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        for (int l = 0; l < 8; l++) {
            float e = mlan_exp1(x[i + l] + shift);
            if (y) y[i + l] = e;
            lanes[l] += (double)e;
        }
    }
    return finish_exp_and_sum(lanes, x, shift, y, i, count);
}

double mlan_exp_and_sum(int width, const float *x, float shift, float *y, size_t count) {
    return width >= 256 ? exp_and_sum_avx2(x, shift, y, count) : exp_and_sum_baseline(x, shift, y, count);
}

// MARK: Cross-entropy's gradient row

__attribute__((target("avx2,fma")))
static void softmax_scaled_avx2(const float *x, float peak, float log_total, float scale, float *out, size_t count) {
    const __m256 vpeak = _mm256_set1_ps(peak), vlog = _mm256_set1_ps(log_total), vscale = _mm256_set1_ps(scale);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 lp = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vpeak), vlog);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(mlan_exp8(lp), vscale));
    }
    for (; i < count; i++) out[i] = mlan_exp1((x[i] - peak) - log_total) * scale;
}

void mlan_softmax_scaled(int width, const float *x, float peak, float log_total, float scale, float *out,
                         size_t count) {
    if (width >= 256) {
        softmax_scaled_avx2(x, peak, log_total, scale, out, count);
        return;
    }
    for (size_t i = 0; i < count; i++) out[i] = mlan_exp1((x[i] - peak) - log_total) * scale;
}

// MARK: SwiGLU: silu(gate) · up and its backward

__attribute__((target("avx2,fma")))
static void swiglu_forward_avx2(const float *gate, const float *up, float *y, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 silu = _mm256_mul_ps(g, mlan_sigmoid8(g));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    for (; i < count; i++) y[i] = (gate[i] * mlan_sigmoid1(gate[i])) * up[i];
}

void mlan_swiglu_forward(int width, const float *gate, const float *up, float *y, size_t count) {
    if (width >= 256) {
        swiglu_forward_avx2(gate, up, y, count);
        return;
    }
    for (size_t i = 0; i < count; i++) y[i] = (gate[i] * mlan_sigmoid1(gate[i])) * up[i];
}

static inline void swiglu_backward1(const float *grad, const float *gate, const float *up, float *dgate, float *dup,
                                    size_t i) {
    float g = gate[i], s = mlan_sigmoid1(g);
    float silu = g * s;
    float through = grad[i] * up[i];
    dup[i] = grad[i] * silu;
    dgate[i] = through * s * (1.0f + g * (1.0f - s));
}

__attribute__((target("avx2,fma")))
static void swiglu_backward_avx2(const float *grad, const float *gate, const float *up, float *dgate, float *dup,
                                 size_t count) {
    const __m256 one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i), s = mlan_sigmoid8(g), gr = _mm256_loadu_ps(grad + i);
        __m256 silu = _mm256_mul_ps(g, s);
        __m256 through = _mm256_mul_ps(gr, _mm256_loadu_ps(up + i));
        _mm256_storeu_ps(dup + i, _mm256_mul_ps(gr, silu));
        __m256 slope = _mm256_add_ps(one, _mm256_mul_ps(g, _mm256_sub_ps(one, s)));
        _mm256_storeu_ps(dgate + i, _mm256_mul_ps(_mm256_mul_ps(through, s), slope));
    }
    for (; i < count; i++) swiglu_backward1(grad, gate, up, dgate, dup, i);
}

void mlan_swiglu_backward(int width, const float *grad, const float *gate, const float *up, float *dgate, float *dup,
                          size_t count) {
    if (width >= 256) {
        swiglu_backward_avx2(grad, gate, up, dgate, dup, count);
        return;
    }
    for (size_t i = 0; i < count; i++) swiglu_backward1(grad, gate, up, dgate, dup, i);
}
