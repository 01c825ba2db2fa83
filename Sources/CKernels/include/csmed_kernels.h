// Element-wise Float kernels of the encoder (GELU, softmax's exp, their backward passes),
// compiled once per x86-64 vector ISA and chosen at load time, so one binary uses AVX-512 or
// AVX2+FMA where the CPU has them and SSE2 elsewhere. Swift cannot compile a function for a
// wider ISA than the whole target, and building the whole package for AVX-512 would not run on
// older machines.
#ifndef CSMED_KERNELS_H
#define CSMED_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// x[r, c] = GELU(x[r, c] + bias[c]) (erf form); `bias` may be NULL.
void csmed_gelu_bias(float *x, ptrdiff_t rows, ptrdiff_t columns, const float *bias);

/// Per row (rows `stride` apart): x = exp(scale * x - scale * max(x)), row_sums[r] = Σ x.
/// `scale` must be positive.
void csmed_exp_rows(float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t stride, float scale, float *row_sums);

/// dx = dy * (Φ(x) + x φ(x)); `dx` may alias `dy`.
void csmed_gelu_backward(const float *x, const float *dy, float *dx, ptrdiff_t count);

/// Per contiguous row: ds = p * (dp - Σ p dp); `ds` may alias `dp`.
void csmed_softmax_backward(const float *p, const float *dp, float *ds, ptrdiff_t rows, ptrdiff_t columns);

/// int8 inference: per row, codes[r, c] = round(x[r, c] keep[c] / scale[r]) + zero[r] in 0...levels,
/// the row's range (with 0, and within ±clip times its mean magnitude when clip > 0) spread over
/// the codes; `keep` (1 or 0 per column) may be NULL.
void csmed_quantize_rows(
    const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *keep, float levels, float clip,
    uint8_t *codes, float *scales, int32_t *zeros);

/// y[r, :] += (x[r, c] keep[c] - scale[r] (codes[r, c] - zero[r])) wt[c, :] where that error
/// exceeds one step (the entries clipped); wt is [columns, outputs].
void csmed_add_clipped_residuals(
    const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *keep, const uint8_t *codes,
    const float *scales, const int32_t *zeros, const float *wt, ptrdiff_t outputs, float *y, ptrdiff_t ldy);

/// y[r, c] = row_scales[r] column_scales[c] (products[r, c] - row_zeros[r] code_sums[c]) (row stride ldy).
void csmed_dequantize_rows(
    const int32_t *products, ptrdiff_t rows, ptrdiff_t columns, const float *row_scales, const int32_t *row_zeros,
    const float *column_scales, const int32_t *code_sums, float *y, ptrdiff_t ldy);

/// The scalar forms the loops are built from (Cephes exp, Abramowitz & Stegun 7.1.26 erf).
float csmed_exp(float x);
float csmed_erf(float x);

/// The variant in use: the widest this CPU runs ("avx512", "avx2" or "baseline"), or the one
/// the environment variable CSMED_KERNELS names when the CPU runs it.
const char *csmed_kernels_isa(void);

/// The value of CSMED_KERNELS when it names no variant this CPU and build can run (the widest
/// is used instead), else NULL.
const char *csmed_kernels_unmet_request(void);

/// One ISA's kernels, for tests that check every variant the CPU can run. The in-place forms:
/// `d = d * GELU'(x)` and `d = p * (d - Σ p d)`.
typedef struct {
  void (*gelu_bias)(float *x, ptrdiff_t rows, ptrdiff_t columns, const float *bias);
  void (*exp_rows)(float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t stride, float scale, float *row_sums);
  void (*gelu_backward_in_place)(const float *x, float *d, ptrdiff_t count);
  void (*softmax_backward_in_place)(const float *p, float *d, ptrdiff_t rows, ptrdiff_t columns);
  void (*quantize_rows)(
      const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *keep, float levels, float clip,
      uint8_t *codes, float *scales, int32_t *zeros);
  void (*dequantize_rows)(
      const int32_t *products, ptrdiff_t rows, ptrdiff_t columns, const float *row_scales, const int32_t *row_zeros,
      const float *column_scales, const int32_t *code_sums, float *y, ptrdiff_t ldy);
  void (*add_clipped_residuals)(
      const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *keep, const uint8_t *codes,
      const float *scales, const int32_t *zeros, const float *wt, ptrdiff_t outputs, float *y, ptrdiff_t ldy);
  const char *isa;
} csmed_kernel_variant;

/// The variant named "baseline", "avx2" or "avx512", or NULL when this CPU or build lacks it.
const csmed_kernel_variant *csmed_kernels_variant(const char *isa);

#ifdef __cplusplus
}
#endif

#endif
