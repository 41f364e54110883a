// AVX2 versions of MLANCore's RMSNorm rows (`Tensor.rmsNorm`): the same operations per element, and the same
// summation orders (sum of squares in eight double lanes; the backward's dot product in element order), so
// the same bits as the Swift loops they replace at every width.
#include "CKernels.h"

#include <immintrin.h>

#pragma clang fp contract(off)

// The eight lanes' sum, then elements `j..<d` one by one: the part every width shares.
static inline double finish_sum_of_squares(const double lanes[8], const float *x, size_t j, size_t d) {
    double total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; j < d; j++) {
        double v = (double)x[j];
        total += v * v;
    }
    return total;
}

static inline double sum_of_squares_baseline(const float *x, size_t d) {
    double lanes[8] = {0};
    size_t j = 0;
    for (; j + 8 <= d; j += 8) {
        for (int l = 0; l < 8; l++) {
            double v = (double)x[j + l];
            lanes[l] += v * v;
        }
    }
    return finish_sum_of_squares(lanes, x, j, d);
}

__attribute__((target("avx2,fma")))
static double sum_of_squares_avx2(const float *x, size_t d) {
    __m256d low = _mm256_setzero_pd(), high = _mm256_setzero_pd();
    size_t j = 0;
    for (; j + 8 <= d; j += 8) {
        __m256 v = _mm256_loadu_ps(x + j);
        __m256d a = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), b = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
        low = _mm256_add_pd(low, _mm256_mul_pd(a, a));
        high = _mm256_add_pd(high, _mm256_mul_pd(b, b));
    }
    double lanes[8];
    _mm256_storeu_pd(lanes, low);
    _mm256_storeu_pd(lanes + 4, high);
    return finish_sum_of_squares(lanes, x, j, d);
}

__attribute__((target("avx2,fma")))
static void scale_row_avx2(const float *x, const float *w, float inv, float *y, size_t d) {
    const __m256 vinv = _mm256_set1_ps(inv);
    size_t j = 0;
    for (; j + 8 <= d; j += 8)
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(w + j), _mm256_mul_ps(_mm256_loadu_ps(x + j), vinv)));
    for (; j < d; j++) y[j] = w[j] * (x[j] * inv);
}

void mlan_rms_norm_rows(int width, const float *x, const float *weight, float eps, size_t rows, size_t d, float *y,
                        float *inverse) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * d;
        double squares = width >= 256 ? sum_of_squares_avx2(row, d) : sum_of_squares_baseline(row, d);
        float inv = 1.0f / __builtin_sqrtf((float)(squares / (double)d) + eps);
        inverse[r] = inv;
        if (width >= 256) {
            scale_row_avx2(row, weight, inv, y + r * d, d);
        } else {
            for (size_t j = 0; j < d; j++) y[r * d + j] = weight[j] * (row[j] * inv);
        }
    }
}

static void backward_row_baseline(const float *g, const float *x, const float *w, float inv, float *dx, double *dw,
                                  size_t d) {
    double dot = 0;
    for (size_t j = 0; j < d; j++) {
        float xhat = x[j] * inv;
        dot += (double)(g[j] * w[j] * xhat);
        dw[j] += (double)(g[j] * xhat);
    }
    float mean_dot = (float)(dot / (double)d);
    for (size_t j = 0; j < d; j++) {
        float xhat = x[j] * inv;
        dx[j] = inv * (g[j] * w[j] - xhat * mean_dot);
    }
}

__attribute__((target("avx2,fma")))
static void backward_row_avx2(const float *g, const float *x, const float *w, float inv, float *dx, double *dw,
                              size_t d) {
    const __m256 vinv = _mm256_set1_ps(inv);
    double dot = 0;
    size_t j = 0;
    for (; j + 8 <= d; j += 8) {
        __m256 xhat = _mm256_mul_ps(_mm256_loadu_ps(x + j), vinv), gj = _mm256_loadu_ps(g + j);
        __m256 product = _mm256_mul_ps(_mm256_mul_ps(gj, _mm256_loadu_ps(w + j)), xhat);
        __m256 scaled = _mm256_mul_ps(gj, xhat);
        float products[8];
        _mm256_storeu_ps(products, product);
        for (int l = 0; l < 8; l++) dot += (double)products[l];  // element order, as the scalar loop
        __m256d low = _mm256_cvtps_pd(_mm256_castps256_ps128(scaled)), high = _mm256_cvtps_pd(_mm256_extractf128_ps(scaled, 1));
        _mm256_storeu_pd(dw + j, _mm256_add_pd(_mm256_loadu_pd(dw + j), low));
        _mm256_storeu_pd(dw + j + 4, _mm256_add_pd(_mm256_loadu_pd(dw + j + 4), high));
    }
    for (; j < d; j++) {
        float xhat = x[j] * inv;
        dot += (double)(g[j] * w[j] * xhat);
        dw[j] += (double)(g[j] * xhat);
    }
    float mean_dot = (float)(dot / (double)d);
    const __m256 vmean = _mm256_set1_ps(mean_dot);
    for (j = 0; j + 8 <= d; j += 8) {
        __m256 xhat = _mm256_mul_ps(_mm256_loadu_ps(x + j), vinv);
        __m256 gw = _mm256_mul_ps(_mm256_loadu_ps(g + j), _mm256_loadu_ps(w + j));
        _mm256_storeu_ps(dx + j, _mm256_mul_ps(vinv, _mm256_sub_ps(gw, _mm256_mul_ps(xhat, vmean))));
    }
    for (; j < d; j++) {
        float xhat = x[j] * inv;
        dx[j] = inv * (g[j] * w[j] - xhat * mean_dot);
    }
}

void mlan_rms_norm_backward_rows(int width, const float *g, const float *x, const float *weight, const float *inverse,
                                 size_t rows, size_t d, float *dx, double *dweight) {
    for (size_t r = 0; r < rows; r++) {
        if (width >= 256) {
            backward_row_avx2(g + r * d, x + r * d, weight, inverse[r], dx + r * d, dweight, d);
        } else {
            backward_row_baseline(g + r * d, x + r * d, weight, inverse[r], dx + r * d, dweight, d);
        }
    }
}
