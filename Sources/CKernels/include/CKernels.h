#ifndef MLAN_CKERNELS_H
#define MLAN_CKERNELS_H

#include <stddef.h>

#include "SpinWait.h"

/// Vector kernels whose AVX-512 / AVX2 versions are chosen at run time (per-function target attributes;
/// the package itself builds for baseline x86-64). Every version computes each element with the same
/// IEEE operations in the same order (no contraction into FMA), so results are the same bits on every CPU.

/// The widest instruction set the kernels use on this CPU: 512 (AVX-512F), 256 (AVX2 + FMA) or 128 (baseline).
int mlan_vector_width(void);

/// One AdamW update of `count` parameters, as torch.optim.AdamW's single-tensor path computes it:
/// w *= decay; m += average_weight * (g - m); v = v * beta2 + square_weight * g * g;
/// w += negative_step * m / (sqrt(v) / bias_correction2_sqrt + eps).
void mlan_adamw_update(float *w, float *m, float *v, const float *g, size_t count, float decay,
                       float average_weight, float beta2, float square_weight, float bias_correction2_sqrt,
                       float eps, float negative_step);

/// `mlan_adamw_update` through the version for `width` (512, 256 or 128; tests compare them). The caller
/// makes sure the CPU has that width (`mlan_vector_width()` or more).
void mlan_adamw_update_width(int width, float *w, float *m, float *v, const float *g, size_t count, float decay,
                             float average_weight, float beta2, float square_weight, float bias_correction2_sqrt,
                             float eps, float negative_step);

/// The loops below take the `width` to run at (`mlan_vector_width()`, or less in tests): 256 and above run the AVX2
/// version, less the plain C one; both give the same bits as MLANCore's Swift formulas they replace.

/// Writes e^(x[i] + shift) to `y[i]` (when `y` is not NULL) and returns their sum in double: eight lanes, then
/// the lanes in a fixed order, then the tail (as `FastMath.expAndSum`).
double mlan_exp_and_sum(int width, const float *x, float shift, float *y, size_t count);

/// out[i] = e^((x[i] − peak) − log_total) · scale: a softmax row from its max and log-sum-exp, scaled.
void mlan_softmax_scaled(int width, const float *x, float peak, float log_total, float scale, float *out,
                         size_t count);

/// y = silu(gate) · up, silu(g) = g / (1 + e^-g) as g · (1 / (1 + e^-g)).
void mlan_swiglu_forward(int width, const float *gate, const float *up, float *y, size_t count);

/// The backward of `mlan_swiglu_forward` for output gradient `grad`: dup = grad · silu(gate),
/// dgate = (grad · up) · s · (1 + gate · (1 − s)) with s = sigmoid(gate).
void mlan_swiglu_backward(int width, const float *grad, const float *gate, const float *up, float *dgate, float *dup,
                          size_t count);

/// RMSNorm over `rows` rows of `d`: inverse[r] = 1 / sqrt(Σ x² / d + eps) (squares summed in double, eight lanes
/// then in order) and y = weight · (x · inverse[r]), as `Tensor.rmsNorm` computes it.
void mlan_rms_norm_rows(int width, const float *x, const float *weight, float eps, size_t rows, size_t d, float *y,
                        float *inverse);

/// RMSNorm's backward over `rows` rows: dx = inv · (g · w − x̂ · mean(g · w · x̂)) with x̂ = x · inv (the dot summed
/// in double in element order), and dweight[j] += g · x̂ (double) row after row.
void mlan_rms_norm_backward_rows(int width, const float *g, const float *x, const float *weight, const float *inverse,
                                 size_t rows, size_t d, float *dx, double *dweight);

#endif
