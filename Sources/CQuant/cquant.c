// Dequantizing matrix products for weights in ggml block formats, binary16 and bfloat16.
// Layouts (per block of 32 or 256 elements) are ggml's; see Docs/FORMATS.md and GGMLDequantize.swift.
#include "cquant.h"

#include "cquant_common.h"

#include <stdlib.h>
#include <string.h>

// Dequantized values use separate multiply and add, as ggml's reference code does, so they match it bit for bit.
#pragma STDC FP_CONTRACT OFF

int cq_supports(int type) {
    switch (type) {
    case CQ_F32: case CQ_F16: case CQ_BF16: case CQ_Q4_0: case CQ_Q4_1: case CQ_Q8_0:
    case CQ_Q4_K: case CQ_Q5_K: case CQ_Q6_K: return 1;
    default: return 0;
    }
}

static int detect_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) return CQ_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CQ_ISA_AVX2;
    return CQ_ISA_PORTABLE;
}

int cq_best_isa(void) {
    static int isa = -1;  // a benign race: every thread computes the same value
    if (isa < 0) isa = detect_isa();
    return isa;
}

// ---------------------------------------------------------------------------------------------------------
// Portable scalar code: exact conversions and one-row dequantization of every supported type.

static inline void scale_min_k4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
    if (j < 4) {
        *d = q[j] & 63; *m = q[j + 4] & 63;
    } else {
        *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// One row of `columns` elements of `type` to Float32.
static void dequantize_row_portable(int type, const uint8_t *src, int columns, float *out) {
    switch (type) {
    case CQ_F32: memcpy(out, src, (size_t)columns * 4); break;
    case CQ_F16: for (int i = 0; i < columns; i++) out[i] = f16_to_f32(load16(src + 2 * i)); break;
    case CQ_BF16: for (int i = 0; i < columns; i++) out[i] = bf16_to_f32(load16(src + 2 * i)); break;
    case CQ_Q4_0:
        for (int b = 0; b < columns / 32; b++) {
            const uint8_t *p = src + 18 * b; float *o = out + 32 * b;
            float d = f16_to_f32(load16(p));
            for (int j = 0; j < 16; j++) {
                o[j] = (float)((int)(p[2 + j] & 0xF) - 8) * d;
                o[j + 16] = (float)((int)(p[2 + j] >> 4) - 8) * d;
            }
        }
        break;
    case CQ_Q4_1:
        for (int b = 0; b < columns / 32; b++) {
            const uint8_t *p = src + 20 * b; float *o = out + 32 * b;
            float d = f16_to_f32(load16(p)), m = f16_to_f32(load16(p + 2));
            for (int j = 0; j < 16; j++) {
                float lo = (float)(p[4 + j] & 0xF) * d, hi = (float)(p[4 + j] >> 4) * d;
                o[j] = lo + m;
                o[j + 16] = hi + m;
            }
        }
        break;
    case CQ_Q8_0:
        for (int b = 0; b < columns / 32; b++) {
            const uint8_t *p = src + 34 * b; float *o = out + 32 * b;
            float d = f16_to_f32(load16(p));
            for (int j = 0; j < 32; j++) o[j] = (float)(int8_t)p[2 + j] * d;
        }
        break;
    case CQ_Q4_K: case CQ_Q5_K:
        for (int b = 0; b < columns / 256; b++) {
            int five = type == CQ_Q5_K;
            const uint8_t *p = src + (five ? 176 : 144) * b; float *o = out + 256 * b;
            float d = f16_to_f32(load16(p)), dmin = f16_to_f32(load16(p + 2));
            const uint8_t *scales = p + 4, *qh = p + 16, *qs = p + (five ? 48 : 16);
            for (int g = 0; g < 4; g++) {
                uint8_t s1, m1, s2, m2;
                scale_min_k4(2 * g, scales, &s1, &m1);
                scale_min_k4(2 * g + 1, scales, &s2, &m2);
                float d1 = d * (float)s1, mm1 = dmin * (float)m1, d2 = d * (float)s2, mm2 = dmin * (float)m2;
                const uint8_t *q = qs + 32 * g; float *go = o + 64 * g;
                for (int l = 0; l < 32; l++) {
                    int lo = q[l] & 0xF, hi = q[l] >> 4;
                    if (five) { lo |= ((qh[l] >> (2 * g)) & 1) << 4; hi |= ((qh[l] >> (2 * g + 1)) & 1) << 4; }
                    float a = d1 * (float)lo, c = d2 * (float)hi;
                    go[l] = a - mm1;
                    go[l + 32] = c - mm2;
                }
            }
        }
        break;
    case CQ_Q6_K:
        for (int b = 0; b < columns / 256; b++) {
            const uint8_t *p = src + 210 * b; float *o = out + 256 * b;
            float d = f16_to_f32(load16(p + 208));
            for (int part = 0; part < 2; part++) {
                const uint8_t *ql = p + 64 * part, *qh = p + 128 + 32 * part;
                const int8_t *sc = (const int8_t *)(p + 192 + 8 * part);
                float *po = o + 128 * part;
                for (int l = 0; l < 32; l++) {
                    int s = l / 16;
                    int q1 = (int)((ql[l] & 0xF) | (qh[l] & 3) << 4) - 32;
                    int q2 = (int)((ql[l + 32] & 0xF) | ((qh[l] >> 2) & 3) << 4) - 32;
                    int q3 = (int)((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
                    int q4 = (int)((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
                    float a1 = d * (float)sc[s], a2 = d * (float)sc[s + 2], a3 = d * (float)sc[s + 4], a4 = d * (float)sc[s + 6];
                    po[l] = a1 * (float)q1;
                    po[l + 32] = a2 * (float)q2;
                    po[l + 64] = a3 * (float)q3;
                    po[l + 96] = a4 * (float)q4;
                }
            }
        }
        break;
    default: break;
    }
}

static int is_block32(int type) { return type == CQ_Q4_0 || type == CQ_Q4_1 || type == CQ_Q8_0; }

static void matmul_portable(int type, const uint8_t *w, size_t row_bytes, int columns, const float *x, int tokens,
                            int ldx, float *y, int ldy, int row_begin, int row_end) {
    float *row = malloc((size_t)columns * sizeof(float));
    if (!row) abort();
    for (int r = row_begin; r < row_end; r++) {
        dequantize_row_portable(type, w + (size_t)r * row_bytes, columns, row);
        for (int t = 0; t < tokens; t++) {
            const float *xt = x + (size_t)t * ldx;
            float s[8] = {0};
            int c = 0;
            for (; c + 8 <= columns; c += 8)
                for (int k = 0; k < 8; k++) s[k] += row[c + k] * xt[c + k];
            float total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
            for (; c < columns; c++) total += row[c] * xt[c];
            y[(size_t)t * ldy + r] = total;
        }
    }
    free(row);
}

// Sums of each run of 32 values of each input row: [tokens][blocks] (freed by the caller).
static float *block_sums(const float *x, int tokens, int ldx, int blocks) {
    float *sx = malloc((size_t)tokens * blocks * sizeof(float) + 1);
    if (!sx) abort();
    for (int t = 0; t < tokens; t++)
        for (int b = 0; b < blocks; b++) {
            const float *v = x + (size_t)t * ldx + 32 * b;
            float s[8] = {0};
            for (int j = 0; j < 32; j += 8)
                for (int k = 0; k < 8; k++) s[k] += v[j + k];
            sx[(size_t)t * blocks + b] = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        }
    return sx;
}

// ---------------------------------------------------------------------------------------------------------
// AVX2: blocks of 32 as four vectors of 8.

AVX2 INLINE void block32_avx2(int type, const uint8_t *p, __m256 w[4]) {
    if (type == CQ_Q8_0) {
        __m256 d = _mm256_set1_ps(_cvtsh_ss(load16(p)));
        for (int k = 0; k < 4; k++)
            w[k] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + 2 + 8 * k)))), d);
        return;
    }
    const uint8_t *qs = p + (type == CQ_Q4_1 ? 4 : 2);
    __m128i q = _mm_loadu_si128((const __m128i *)qs), mask = _mm_set1_epi8(0x0F);
    __m128i lo = _mm_and_si128(q, mask), hi = _mm_and_si128(_mm_srli_epi16(q, 4), mask);
    __m256i n[4] = { _mm256_cvtepu8_epi32(lo), _mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8)),
                     _mm256_cvtepu8_epi32(hi), _mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8)) };
    __m256 d = _mm256_set1_ps(_cvtsh_ss(load16(p)));
    if (type == CQ_Q4_0) {
        __m256i eight = _mm256_set1_epi32(8);
        for (int k = 0; k < 4; k++) w[k] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(n[k], eight)), d);
    } else {
        __m256 m = _mm256_set1_ps(_cvtsh_ss(load16(p + 2)));
        for (int k = 0; k < 4; k++) w[k] = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(n[k]), d), m);
    }
}

// Eight F16 or BF16 values at `p` as Float32 (both conversions are exact).
AVX2 INLINE __m256 half8_avx2(int type, const uint8_t *p) {
    __m128i h = _mm_loadu_si128((const __m128i *)p);
    if (type == CQ_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// Integer codes of a block as four vectors of 8, with its scale d and offset m (value = q · d + m).
AVX2 INLINE void codes32_avx2(int type, const uint8_t *p, __m256 c[4], float *d, float *m) {
    *d = _cvtsh_ss(load16(p));
    if (type == CQ_Q8_0) {
        *m = 0;
        for (int k = 0; k < 4; k++)
            c[k] = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + 2 + 8 * k))));
        return;
    }
    *m = type == CQ_Q4_1 ? _cvtsh_ss(load16(p + 2)) : -8 * *d;
    __m128i q = _mm_loadu_si128((const __m128i *)(p + (type == CQ_Q4_1 ? 4 : 2))), mask = _mm_set1_epi8(0x0F);
    __m128i lo = _mm_and_si128(q, mask), hi = _mm_and_si128(_mm_srli_epi16(q, 4), mask);
    c[0] = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo));
    c[1] = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8)));
    c[2] = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi));
    c[3] = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8)));
}

// One weight row against `nt` input rows: sum_b d_b · (codes_b · x_b) + m_b · sum(x_b), with the block sums of
// x precomputed in `sx` ([nt][blocks]).
AVX2 INLINE void row_tokens_avx2(int type, const uint8_t *row, int blocks, size_t block_bytes, const float *x,
                                 int ldx, const float *sx, float *y, int ldy, const int nt) {
    __m256 acc[4];
    float offset[4] = {0, 0, 0, 0};
    for (int i = 0; i < nt; i++) acc[i] = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m256 c[4];
        float d, m;
        codes32_avx2(type, row + b * block_bytes, c, &d, &m);
        __m256 vd = _mm256_set1_ps(d);
        for (int i = 0; i < nt; i++) {
            const float *xp = x + (size_t)i * ldx + 32 * b;
            __m256 dot0 = _mm256_fmadd_ps(c[2], _mm256_loadu_ps(xp + 16), _mm256_mul_ps(c[0], _mm256_loadu_ps(xp)));
            __m256 dot1 = _mm256_fmadd_ps(c[3], _mm256_loadu_ps(xp + 24), _mm256_mul_ps(c[1], _mm256_loadu_ps(xp + 8)));
            acc[i] = _mm256_fmadd_ps(vd, _mm256_add_ps(dot0, dot1), acc[i]);
            offset[i] += m * sx[(size_t)i * blocks + b];
        }
    }
    for (int i = 0; i < nt; i++) y[(size_t)i * ldy] = hsum_avx2(acc[i]) + offset[i];
}

AVX2 static void dequantize_row_avx2(int type, const uint8_t *src, int columns, float *out) {
    if (is_block32(type)) {
        size_t bytes = type == CQ_Q4_0 ? 18 : type == CQ_Q4_1 ? 20 : 34;
        for (int b = 0; b < columns / 32; b++) {
            __m256 w[4];
            block32_avx2(type, src + b * bytes, w);
            for (int k = 0; k < 4; k++) _mm256_storeu_ps(out + 32 * b + 8 * k, w[k]);
        }
    } else if (type == CQ_F16 || type == CQ_BF16) {
        int c = 0;
        for (; c + 8 <= columns; c += 8) _mm256_storeu_ps(out + c, half8_avx2(type, src + 2 * c));
        for (; c < columns; c++) out[c] = type == CQ_F16 ? f16_to_f32(load16(src + 2 * c)) : bf16_to_f32(load16(src + 2 * c));
    } else {
        dequantize_row_portable(type, src, columns, out);
    }
}

// One 16-bit weight row (F16 or BF16) against one input row (decode): four independent accumulators, so the
// FMA latency does not bound the loop.
AVX2 INLINE float row_token_half_avx2(int type, const uint8_t *row, int columns, const float *x) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    int c = 0;
    for (; c + 32 <= columns; c += 32) {
        a0 = _mm256_fmadd_ps(half8_avx2(type, row + 2 * c), _mm256_loadu_ps(x + c), a0);
        a1 = _mm256_fmadd_ps(half8_avx2(type, row + 2 * c + 16), _mm256_loadu_ps(x + c + 8), a1);
        a2 = _mm256_fmadd_ps(half8_avx2(type, row + 2 * c + 32), _mm256_loadu_ps(x + c + 16), a2);
        a3 = _mm256_fmadd_ps(half8_avx2(type, row + 2 * c + 48), _mm256_loadu_ps(x + c + 24), a3);
    }
    for (; c + 8 <= columns; c += 8) a0 = _mm256_fmadd_ps(half8_avx2(type, row + 2 * c), _mm256_loadu_ps(x + c), a0);
    float total = hsum_avx2(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; c < columns; c++)
        total += (type == CQ_F16 ? f16_to_f32(load16(row + 2 * c)) : bf16_to_f32(load16(row + 2 * c))) * x[c];
    return total;
}

// One 16-bit weight row (F16 or BF16) against `nt` input rows, converting 8 values at a time in registers.
AVX2 INLINE void row_tokens_half_avx2(int type, const uint8_t *row, int columns, const float *x, int ldx, float *y,
                                      int ldy, const int nt) {
    __m256 acc0[4], acc1[4];
    for (int i = 0; i < nt; i++) { acc0[i] = _mm256_setzero_ps(); acc1[i] = _mm256_setzero_ps(); }
    int c = 0;
    for (; c + 16 <= columns; c += 16) {
        __m256 w0 = half8_avx2(type, row + 2 * c), w1 = half8_avx2(type, row + 2 * c + 16);
        for (int i = 0; i < nt; i++) {
            const float *xp = x + (size_t)i * ldx + c;
            acc0[i] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xp), acc0[i]);
            acc1[i] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xp + 8), acc1[i]);
        }
    }
    for (int i = 0; i < nt; i++) {
        float total = hsum_avx2(_mm256_add_ps(acc0[i], acc1[i]));
        const float *xp = x + (size_t)i * ldx;
        for (int k = c; k < columns; k++)
            total += (type == CQ_F16 ? f16_to_f32(load16(row + 2 * k)) : bf16_to_f32(load16(row + 2 * k))) * xp[k];
        y[(size_t)i * ldy] = total;
    }
}

AVX2 static void matmul_avx2(int type, const uint8_t *w, size_t row_bytes, int columns, const float *x, int tokens,
                             int ldx, float *y, int ldy, int row_begin, int row_end) {
    if (is_block32(type)) {
        size_t bytes = type == CQ_Q4_0 ? 18 : type == CQ_Q4_1 ? 20 : 34;
        int blocks = columns / 32;
        float *sx = block_sums(x, tokens, ldx, blocks);
        for (int r = row_begin; r < row_end; r++) {
            const uint8_t *row = w + (size_t)r * row_bytes;
            for (int t = 0; t < tokens; t += 4) {
                const float *xt = x + (size_t)t * ldx, *st = sx + (size_t)t * blocks;
                float *yt = y + (size_t)t * ldy + r;
                switch (tokens - t) {
                case 1: row_tokens_avx2(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 1); break;
                case 2: row_tokens_avx2(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 2); break;
                case 3: row_tokens_avx2(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 3); break;
                default: row_tokens_avx2(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 4); break;
                }
            }
        }
        free(sx);
        return;
    }
    if ((type == CQ_F16 || type == CQ_BF16) && tokens == 1) {
        for (int r = row_begin; r < row_end; r++) y[r] = row_token_half_avx2(type, w + (size_t)r * row_bytes, columns, x);
        return;
    }
    if (type == CQ_F16 || type == CQ_BF16) {
        for (int r = row_begin; r < row_end; r++) {
            const uint8_t *row = w + (size_t)r * row_bytes;
            for (int t = 0; t < tokens; t += 4) {
                const float *xt = x + (size_t)t * ldx;
                float *yt = y + (size_t)t * ldy + r;
                switch (tokens - t) {
                case 1: row_tokens_half_avx2(type, row, columns, xt, ldx, yt, ldy, 1); break;
                case 2: row_tokens_half_avx2(type, row, columns, xt, ldx, yt, ldy, 2); break;
                case 3: row_tokens_half_avx2(type, row, columns, xt, ldx, yt, ldy, 3); break;
                default: row_tokens_half_avx2(type, row, columns, xt, ldx, yt, ldy, 4); break;
                }
            }
        }
        return;
    }
    float *row = malloc((size_t)columns * sizeof(float));
    if (!row) abort();
    for (int r = row_begin; r < row_end; r++) {
        dequantize_row_avx2(type, w + (size_t)r * row_bytes, columns, row);
        for (int t = 0; t < tokens; t++) {
            const float *xt = x + (size_t)t * ldx;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
            int c = 0;
            for (; c + 16 <= columns; c += 16) {
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(row + c), _mm256_loadu_ps(xt + c), a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(row + c + 8), _mm256_loadu_ps(xt + c + 8), a1);
            }
            float total = hsum_avx2(_mm256_add_ps(a0, a1));
            for (; c < columns; c++) total += row[c] * xt[c];
            y[(size_t)t * ldy + r] = total;
        }
    }
    free(row);
}

// ---------------------------------------------------------------------------------------------------------
// AVX-512: blocks of 32 as two vectors of 16.

AVX512 INLINE void block32_avx512(int type, const uint8_t *p, __m512 *w0, __m512 *w1) {
    __m512 d = _mm512_set1_ps(_cvtsh_ss(load16(p)));
    if (type == CQ_Q8_0) {
        *w0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 2)))), d);
        *w1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 18)))), d);
        return;
    }
    const uint8_t *qs = p + (type == CQ_Q4_1 ? 4 : 2);
    __m128i q = _mm_loadu_si128((const __m128i *)qs), mask = _mm_set1_epi8(0x0F);
    __m512i lo = _mm512_cvtepu8_epi32(_mm_and_si128(q, mask));
    __m512i hi = _mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(q, 4), mask));
    if (type == CQ_Q4_0) {
        __m512i eight = _mm512_set1_epi32(8);
        *w0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(lo, eight)), d);
        *w1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(hi, eight)), d);
    } else {
        __m512 m = _mm512_set1_ps(_cvtsh_ss(load16(p + 2)));
        *w0 = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(lo), d), m);
        *w1 = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(hi), d), m);
    }
}

// Integer codes of a block as two vectors of 16 (Q4: 0..15, Q8_0: -128..127), and its scale d and offset m:
// value = q · d + m, with m = -8·d for Q4_0 and 0 for Q8_0.
AVX512 INLINE void codes32_avx512(int type, const uint8_t *p, __m512 *c0, __m512 *c1, float *d, float *m) {
    *d = _cvtsh_ss(load16(p));
    if (type == CQ_Q8_0) {
        *m = 0;
        *c0 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 2))));
        *c1 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 18))));
        return;
    }
    *m = type == CQ_Q4_1 ? _cvtsh_ss(load16(p + 2)) : -8 * *d;
    __m128i q = _mm_loadu_si128((const __m128i *)(p + (type == CQ_Q4_1 ? 4 : 2))), mask = _mm_set1_epi8(0x0F);
    *c0 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_and_si128(q, mask)));
    *c1 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(q, 4), mask)));
}

// One weight row against `nt` input rows: sum_b d_b · (codes_b · x_b) + m_b · sum(x_b), with the block sums of
// x precomputed in `sx` ([nt][blocks]).
AVX512 INLINE void row_tokens_avx512(int type, const uint8_t *row, int blocks, size_t block_bytes, const float *x,
                                     int ldx, const float *sx, float *y, int ldy, const int nt) {
    __m512 acc[4];
    float offset[4] = {0, 0, 0, 0};
    for (int i = 0; i < nt; i++) acc[i] = _mm512_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m512 c0, c1;
        float d, m;
        codes32_avx512(type, row + b * block_bytes, &c0, &c1, &d, &m);
        __m512 vd = _mm512_set1_ps(d);
        for (int i = 0; i < nt; i++) {
            const float *xp = x + (size_t)i * ldx + 32 * b;
            __m512 dot = _mm512_fmadd_ps(c1, _mm512_loadu_ps(xp + 16), _mm512_mul_ps(c0, _mm512_loadu_ps(xp)));
            acc[i] = _mm512_fmadd_ps(vd, dot, acc[i]);
            offset[i] += m * sx[(size_t)i * blocks + b];
        }
    }
    for (int i = 0; i < nt; i++) y[(size_t)i * ldy] = _mm512_reduce_add_ps(acc[i]) + offset[i];
}

AVX512 static void dequantize_row_avx512(int type, const uint8_t *src, int columns, float *out) {
    if (is_block32(type)) {
        size_t bytes = type == CQ_Q4_0 ? 18 : type == CQ_Q4_1 ? 20 : 34;
        for (int b = 0; b < columns / 32; b++) {
            __m512 w0, w1;
            block32_avx512(type, src + b * bytes, &w0, &w1);
            _mm512_storeu_ps(out + 32 * b, w0);
            _mm512_storeu_ps(out + 32 * b + 16, w1);
        }
    } else if (type == CQ_F16) {
        int c = 0;
        for (; c + 16 <= columns; c += 16) _mm512_storeu_ps(out + c, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + 2 * c))));
        for (; c < columns; c++) out[c] = f16_to_f32(load16(src + 2 * c));
    } else if (type == CQ_BF16) {
        int c = 0;
        for (; c + 16 <= columns; c += 16) {
            __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(src + 2 * c)));
            _mm512_storeu_ps(out + c, _mm512_castsi512_ps(_mm512_slli_epi32(v, 16)));
        }
        for (; c < columns; c++) out[c] = bf16_to_f32(load16(src + 2 * c));
    } else {
        dequantize_row_portable(type, src, columns, out);
    }
}

AVX512 static void matmul_avx512(int type, const uint8_t *w, size_t row_bytes, int columns, const float *x, int tokens,
                                 int ldx, float *y, int ldy, int row_begin, int row_end) {
    if (is_block32(type)) {
        size_t bytes = type == CQ_Q4_0 ? 18 : type == CQ_Q4_1 ? 20 : 34;
        int blocks = columns / 32;
        float *sx = block_sums(x, tokens, ldx, blocks);
        for (int r = row_begin; r < row_end; r++) {
            const uint8_t *row = w + (size_t)r * row_bytes;
            for (int t = 0; t < tokens; t += 4) {
                const float *xt = x + (size_t)t * ldx, *st = sx + (size_t)t * blocks;
                float *yt = y + (size_t)t * ldy + r;
                switch (tokens - t) {
                case 1: row_tokens_avx512(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 1); break;
                case 2: row_tokens_avx512(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 2); break;
                case 3: row_tokens_avx512(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 3); break;
                default: row_tokens_avx512(type, row, blocks, bytes, xt, ldx, st, yt, ldy, 4); break;
                }
            }
        }
        free(sx);
        return;
    }
    float *row = malloc((size_t)columns * sizeof(float));
    if (!row) abort();
    for (int r = row_begin; r < row_end; r++) {
        dequantize_row_avx512(type, w + (size_t)r * row_bytes, columns, row);
        for (int t = 0; t < tokens; t++) {
            const float *xt = x + (size_t)t * ldx;
            __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
            int c = 0;
            for (; c + 32 <= columns; c += 32) {
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(row + c), _mm512_loadu_ps(xt + c), a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(row + c + 16), _mm512_loadu_ps(xt + c + 16), a1);
            }
            float total = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
            for (; c < columns; c++) total += row[c] * xt[c];
            y[(size_t)t * ldy + r] = total;
        }
    }
    free(row);
}

// ---------------------------------------------------------------------------------------------------------

void cq_matmul_rows(int isa, int type, const void *w, size_t row_bytes, int columns, const float *x, int tokens,
                    int ldx, float *y, int ldy, int row_begin, int row_end) {
    if (isa > cq_best_isa()) isa = cq_best_isa();
    switch (isa) {
    case CQ_ISA_AVX512: matmul_avx512(type, w, row_bytes, columns, x, tokens, ldx, y, ldy, row_begin, row_end); break;
    case CQ_ISA_AVX2: matmul_avx2(type, w, row_bytes, columns, x, tokens, ldx, y, ldy, row_begin, row_end); break;
    default: matmul_portable(type, w, row_bytes, columns, x, tokens, ldx, y, ldy, row_begin, row_end); break;
    }
}

void cq_dequantize_rows(int isa, int type, const void *w, size_t row_bytes, int columns, int row_begin, int row_end,
                        float *out) {
    if (isa > cq_best_isa()) isa = cq_best_isa();
    for (int r = row_begin; r < row_end; r++) {
        const uint8_t *src = (const uint8_t *)w + (size_t)r * row_bytes;
        float *o = out + (size_t)(r - row_begin) * columns;
        switch (isa) {
        case CQ_ISA_AVX512: dequantize_row_avx512(type, src, columns, o); break;
        case CQ_ISA_AVX2: dequantize_row_avx2(type, src, columns, o); break;
        default: dequantize_row_portable(type, src, columns, o); break;
        }
    }
}
