// The kernel bodies, included once per ISA by kernels.c with KERNEL(name) naming the variant.
// Plain loops without calls or branches: the compiler vectorises them for the ISA in force.
// Reductions keep 16 partial results so they vectorise without reassociation flags.

static inline float KERNEL(exp1)(float x) {
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.7f ? 88.7f : x;
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low bits
  float t = x * 1.4426950408889634f + magic;
  float n = t - magic;
  int32_t bits;
  memcpy(&bits, &t, 4);
  int32_t k = bits - 0x4B400000;
  x = x - n * 0.693359375f - n * -2.12194440054690583e-4f;
  float y = 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * (x * x) + x + 1.0f;
  uint32_t pow2 = (uint32_t)(k + 127) << 23;
  float scale;
  memcpy(&scale, &pow2, 4);
  return y * scale;
}

// |erf(x)| for x >= 0 given e = exp(-x²).
static inline float KERNEL(erf_abs)(float ax, float e) {
  float t = 1.0f / (1.0f + 0.3275911f * ax);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  return 1.0f - p * t * e;
}

static inline float KERNEL(erf1)(float x) {
  float ax = fabsf(x);
  return copysignf(KERNEL(erf_abs)(ax, KERNEL(exp1)(-(ax * ax))), x);
}

static inline float KERNEL(gelu1)(float x) {
  return 0.5f * x * (1.0f + KERNEL(erf1)(x * 0.70710678118654752f));
}

static void KERNEL(gelu_bias)(float *restrict x, ptrdiff_t rows, ptrdiff_t columns, const float *restrict bias) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float *restrict row = x + r * columns;
    if (bias) {
      for (ptrdiff_t c = 0; c < columns; c++) row[c] = KERNEL(gelu1)(row[c] + bias[c]);
    } else {
      for (ptrdiff_t c = 0; c < columns; c++) row[c] = KERNEL(gelu1)(row[c]);
    }
  }
}

static float KERNEL(row_max)(const float *restrict x, ptrdiff_t n) {
  float m[16];
  for (int j = 0; j < 16; j++) m[j] = -INFINITY;
  ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
  float best = -INFINITY;
  for (int j = 0; j < 16; j++) best = m[j] > best ? m[j] : best;
  for (; i < n; i++) best = x[i] > best ? x[i] : best;
  return best;
}

static float KERNEL(row_sum)(const float *restrict x, ptrdiff_t n) {
  float s[16] = {0};
  ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) s[j] += x[i + j];
  float total = 0;
  for (int j = 0; j < 16; j++) total += s[j];
  for (; i < n; i++) total += x[i];
  return total;
}

static float KERNEL(row_dot)(const float *restrict a, const float *restrict b, ptrdiff_t n) {
  float s[16] = {0};
  ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) s[j] += a[i + j] * b[i + j];
  float total = 0;
  for (int j = 0; j < 16; j++) total += s[j];
  for (; i < n; i++) total += a[i] * b[i];
  return total;
}

static void KERNEL(exp_rows)(
    float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t stride, float scale, float *row_sums) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float *restrict row = x + r * stride;
    if (columns <= 0) {
      row_sums[r] = 0;
      continue;
    }
    float shift = KERNEL(row_max)(row, columns) * scale;
    for (ptrdiff_t c = 0; c < columns; c++) row[c] = KERNEL(exp1)(row[c] * scale - shift);
    row_sums[r] = KERNEL(row_sum)(row, columns);
  }
}

// In place: d = d * GELU'(x). (`restrict` lets the loop vectorise; the public entry copies dy
// into dx first when they differ.)
static void KERNEL(gelu_backward)(const float *restrict x, float *restrict d, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i++) {
    float v = x[i];
    float e = KERNEL(exp1)(-0.5f * v * v);  // shared by erf(v/√2) and the density
    float erf = copysignf(KERNEL(erf_abs)(fabsf(v) * 0.70710678118654752f, e), v);
    d[i] = d[i] * (0.5f * (1.0f + erf) + v * (e * 0.3989422804014327f));
  }
}

// In place per contiguous row: d = p * (d - Σ p d).
static void KERNEL(softmax_backward)(const float *restrict p, float *restrict d, ptrdiff_t rows, ptrdiff_t columns) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *restrict pr = p + r * columns;
    float *restrict dr = d + r * columns;
    float dot = KERNEL(row_dot)(pr, dr, columns);
    for (ptrdiff_t c = 0; c < columns; c++) dr[c] = pr[c] * (dr[c] - dot);
  }
}

// int8 inference: per row asymmetric quantization to codes 0...levels. `keep` (1 or 0 per
// column, or NULL) leaves the fp32 outlier channels out: they quantize as 0, the zero point.
static void KERNEL(quantize_rows)(
    const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *restrict keep, float levels,
    float clip, uint8_t *codes, float *scales, int32_t *zeros) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *restrict row = x + r * ldx;
    uint8_t *restrict out = codes + r * columns;
    // One pass gathers the range and the magnitude sum in 16 lanes each (a fixed order, so every
    // ISA variant sums alike); the range holds 0, so 0 has an exact code.
    float lo[16], hi[16], magnitude[16];
    for (int j = 0; j < 16; j++) lo[j] = hi[j] = magnitude[j] = 0;
    ptrdiff_t c = 0;
    for (; c + 16 <= columns; c += 16)
      for (int j = 0; j < 16; j++) {
        float v = keep ? row[c + j] * keep[c + j] : row[c + j];
        lo[j] = v < lo[j] ? v : lo[j];
        hi[j] = v > hi[j] ? v : hi[j];
        magnitude[j] += fabsf(v);
      }
    float low = 0, high = 0, total = 0;
    for (int j = 0; j < 16; j++) {
      low = lo[j] < low ? lo[j] : low;
      high = hi[j] > high ? hi[j] : high;
      total += magnitude[j];
    }
    for (; c < columns; c++) {
      float v = keep ? row[c] * keep[c] : row[c];
      low = v < low ? v : low;
      high = v > high ? v : high;
      total += fabsf(v);
    }
    if (clip > 0) {
      // The range stops at `clip` times the row's mean magnitude; the few entries beyond it
      // are added back in fp32 (csmed_add_clipped_residuals).
      float bound = clip * total / (float)(columns > 0 ? columns : 1);
      low = low < -bound ? -bound : low;
      high = high > bound ? bound : high;
    }
    float scale = high > low ? (high - low) / levels : 1.0f;
    float zero = floorf(-low / scale + 0.5f);
    scales[r] = scale;
    zeros[r] = (int32_t)zero;
    float inverse = 1.0f / scale;
    for (c = 0; c < columns; c++) {
      float v = keep ? row[c] * keep[c] : row[c];
      // Clamped first, the value is non-negative, so truncation is the floor (and vectorises).
      float q = v * inverse + zero + 0.5f;
      q = q < 0 ? 0 : (q > levels ? levels : q);
      out[c] = (uint8_t)(int32_t)q;
    }
  }
}

// y[r, c] = row_scales[r] * column_scales[c] * (products[r, c] - row_zeros[r] * code_sums[c]).
static void KERNEL(dequantize_rows)(
    const int32_t *products, ptrdiff_t rows, ptrdiff_t columns, const float *restrict row_scales,
    const int32_t *restrict row_zeros, const float *restrict column_scales, const int32_t *restrict code_sums, float *y,
    ptrdiff_t ldy) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const int32_t *restrict p = products + r * columns;
    float *restrict out = y + r * ldy;
    float s = row_scales[r];
    int32_t z = row_zeros[r];
    for (ptrdiff_t c = 0; c < columns; c++) out[c] = s * column_scales[c] * (float)(p[c] - z * code_sums[c]);
  }
}

// y[r, :] += (x[r, c] - dequantized code) * wt[c, :] for the entries the quantization clipped
// (their error exceeds one step); `wt` is the weight transposed, [columns, outputs].
static void KERNEL(add_clipped_residuals)(
    const float *x, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t ldx, const float *restrict keep,
    const uint8_t *codes, const float *scales, const int32_t *zeros, const float *wt, ptrdiff_t outputs, float *y,
    ptrdiff_t ldy) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *restrict row = x + r * ldx;
    const uint8_t *restrict q = codes + r * columns;
    float s = scales[r];
    int32_t z = zeros[r];
    float *restrict out = y + r * ldy;
    float residual[16];
    for (ptrdiff_t c = 0; c < columns; c += 16) {
      // A block of 16 is tested at once (vectorised); clipped entries are few, so most blocks end here.
      ptrdiff_t width = columns - c < 16 ? columns - c : 16;
      int clipped = 0;
      for (ptrdiff_t j = 0; j < width; j++) {
        float v = keep ? row[c + j] * keep[c + j] : row[c + j];
        residual[j] = v - s * (float)((int32_t)q[c + j] - z);
        clipped |= fabsf(residual[j]) > s;
      }
      if (!clipped) continue;
      for (ptrdiff_t j = 0; j < width; j++) {
        if (fabsf(residual[j]) <= s) continue;
        const float *restrict w = wt + (c + j) * outputs;
        for (ptrdiff_t o = 0; o < outputs; o++) out[o] += residual[j] * w[o];
      }
    }
  }
}
