#include "csmed_kernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL(name) name##_baseline
#include "kernels_body.h"
#undef KERNEL

#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define KERNEL(name) name##_avx2
#include "kernels_body.h"
#undef KERNEL
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma"))), apply_to = function)
#define KERNEL(name) name##_avx512
#include "kernels_body.h"
#undef KERNEL
#pragma clang attribute pop
#define CSMED_MULTI_ISA 1
#endif

typedef csmed_kernel_variant Variant;

#define VARIANT(suffix, name)                                                                                  \
  {                                                                                                            \
    gelu_bias_##suffix, exp_rows_##suffix, gelu_backward_##suffix, softmax_backward_##suffix, quantize_rows_##suffix, \
        dequantize_rows_##suffix, add_clipped_residuals_##suffix, name                                                                         \
  }

static const Variant baseline = VARIANT(baseline, "baseline");
#ifdef CSMED_MULTI_ISA
static const Variant avx2 = VARIANT(avx2, "avx2");
static const Variant avx512 = VARIANT(avx512, "avx512");
#endif

#ifdef CSMED_MULTI_ISA
static int has_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int has_avx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
}
#endif

// Chosen before main runs (a load-time constructor), so later reads need no synchronisation.
static const Variant *chosen = &baseline;
// CSMED_KERNELS named a variant this CPU or build cannot run: kept to be reported, not obeyed.
static const char *unmet_request = NULL;

const csmed_kernel_variant *csmed_kernels_variant(const char *isa);

__attribute__((constructor)) static void choose_variant(void) {
#ifdef CSMED_MULTI_ISA
  if (has_avx512()) {
    chosen = &avx512;
  } else if (has_avx2()) {
    chosen = &avx2;
  }
#endif
  // CSMED_KERNELS=baseline|avx2|avx512 forces a narrower (or the same) variant, so one machine
  // can run the suite and the measurements under every variant it has; "auto" or empty keeps
  // the widest.
  const char *requested = getenv("CSMED_KERNELS");
  if (requested == NULL || requested[0] == '\0' || strcmp(requested, "auto") == 0) return;
  const Variant *forced = csmed_kernels_variant(requested);
  if (forced != NULL) {
    chosen = forced;
  } else {
    unmet_request = requested;
  }
}

const csmed_kernel_variant *csmed_kernels_variant(const char *isa) {
  if (strcmp(isa, "baseline") == 0) return &baseline;
#ifdef CSMED_MULTI_ISA
  if (strcmp(isa, "avx2") == 0 && has_avx2()) return &avx2;
  if (strcmp(isa, "avx512") == 0 && has_avx512()) return &avx512;
#endif
  return NULL;
}

void csmed_gelu_bias(float *x, ptrdiff_t rows, ptrdiff_t columns, const float *bias) {
  chosen->gelu_bias(x, rows, columns, bias);
}

void csmed_exp_rows(float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t stride, float scale, float *row_sums) {
  chosen->exp_rows(x, rows, columns, stride, scale, row_sums);
}

void csmed_gelu_backward(const float *x, const float *dy, float *dx, ptrdiff_t count) {
  if (dx != dy) memmove(dx, dy, (size_t)count * sizeof(float));
  chosen->gelu_backward_in_place(x, dx, count);
}

void csmed_softmax_backward(const float *p, const float *dp, float *ds, ptrdiff_t rows, ptrdiff_t columns) {
  if (ds != dp) memmove(ds, dp, (size_t)(rows * columns) * sizeof(float));
  chosen->softmax_backward_in_place(p, ds, rows, columns);
}

void csmed_quantize_rows(
    const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *keep, float levels, float clip,
    uint8_t *codes, float *scales, int32_t *zeros) {
  chosen->quantize_rows(x, rows, columns, ldx, keep, levels, clip, codes, scales, zeros);
}

void csmed_add_clipped_residuals(
    const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *keep, const uint8_t *codes,
    const float *scales, const int32_t *zeros, const float *wt, ptrdiff_t outputs, float *y, ptrdiff_t ldy) {
  chosen->add_clipped_residuals(x, rows, columns, ldx, keep, codes, scales, zeros, wt, outputs, y, ldy);
}

void csmed_dequantize_rows(
    const int32_t *products, ptrdiff_t rows, ptrdiff_t columns, const float *row_scales, const int32_t *row_zeros,
    const float *column_scales, const int32_t *code_sums, float *y, ptrdiff_t ldy) {
  chosen->dequantize_rows(products, rows, columns, row_scales, row_zeros, column_scales, code_sums, y, ldy);
}

float csmed_exp(float x) { return exp1_baseline(x); }
float csmed_erf(float x) { return erf1_baseline(x); }

const char *csmed_kernels_isa(void) { return chosen->isa; }

const char *csmed_kernels_unmet_request(void) { return unmet_request; }
