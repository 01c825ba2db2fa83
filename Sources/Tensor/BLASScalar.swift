import CKernels
import COpenBLAS
import Foundation

/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable, Equatable {
  /// Use the operand as stored (row-major `[rows, columns]`).
  case none
  /// Use the transpose of the stored operand.
  case transposed

  @usableFromInline var cblas: CBLAS_TRANSPOSE {
    switch self {
    case .none: CblasNoTrans
    case .transposed: CblasTrans
    }
  }
}

/// A floating-point scalar with a BLAS GEMM and the fused element-wise kernels the encoder needs.
///
/// `Float` is the production type (`cblas_sgemm`, SIMD kernels); `Double` (`cblas_dgemm`, plain
/// loops) exists so that finite-difference gradient checks can run at a precision where they are
/// meaningful. Every kernel works on contiguous row-major memory; generic layer code calls these
/// requirements once per block, so the per-element loops are always specialised.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable {
  /// Row-major GEMM: `C = alpha * op(A) * op(B) + beta * C`.
  ///
  /// - Parameters:
  ///   - m: rows of `op(A)` and `C`; `n`: columns of `op(B)` and `C`; `k`: the shared dimension.
  ///   - a: `op(A)` is `[m, k]`; stored as `[m, lda]` rows (`.none`) or `[k, lda]` (`.transposed`).
  ///   - b: `op(B)` is `[k, n]`; stored as `[k, ldb]` (`.none`) or `[n, ldb]` (`.transposed`).
  ///   - c: `[m, ldc]` rows, the first `n` columns written.
  static func gemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// Adds `bias` (`[columns]`) to every row of `x` (`[rows, columns]`, in place).
  static func addBias(_ x: UnsafeMutablePointer<Self>, rows: Int, columns: Int, bias: UnsafePointer<Self>)

  /// `x = GELU(x + bias)` in place, erf form `0.5 * x * (1 + erf(x / sqrt(2)))` (BERT's `gelu`).
  /// Float uses a vectorised erf with max abs error ~4e-7; Double uses libm.
  /// `x` is `[rows, columns]`, `bias` is `[columns]` or nil.
  static func addBiasGELU(
    _ x: UnsafeMutablePointer<Self>, rows: Int, columns: Int, bias: UnsafePointer<Self>?)

  /// Row-wise softmax of `scale * x` in place. `x` is `[rows, columns]` with row stride `stride`.
  static func softmaxRows(
    _ x: UnsafeMutablePointer<Self>, rows: Int, columns: Int, stride: Int, scale: Self)

  /// Unnormalised row-wise softmax in place: `x = exp(scale * x - max(scale * x))` per row, with
  /// each row's sum written to `rowSums` (`[rows]`). Dividing by the sums later (on a narrower
  /// product, see ``divideRows(_:rows:columns:stride:by:)``) completes the softmax.
  static func exponentiateRows(
    _ x: UnsafeMutablePointer<Self>, rows: Int, columns: Int, stride: Int, scale: Self,
    rowSums: UnsafeMutablePointer<Self>)

  /// `x[r, c] /= divisors[r]` in place; `x` is `[rows, columns]` with row stride `stride`.
  static func divideRows(
    _ x: UnsafeMutablePointer<Self>, rows: Int, columns: Int, stride: Int,
    by divisors: UnsafePointer<Self>)

  /// Row-wise LayerNorm of `x + residual` (residual optional):
  /// `out = (v - mean) / sqrt(var + epsilon) * gamma + beta`, biased variance, as PyTorch.
  ///
  /// - Parameters:
  ///   - x, residual, output: `[rows, columns]`; `output` may alias `x` or `residual`.
  ///   - gamma, beta: `[columns]`.
  ///   - mean, rstd: optional `[rows]` outputs (saved statistics for backward).
  static func layerNorm(
    _ x: UnsafePointer<Self>, residual: UnsafePointer<Self>?, output: UnsafeMutablePointer<Self>,
    rows: Int, columns: Int, gamma: UnsafePointer<Self>, beta: UnsafePointer<Self>,
    epsilon: Self, mean: UnsafeMutablePointer<Self>?, rstd: UnsafeMutablePointer<Self>?)

  // MARK: Backward kernels

  /// `dx = dy * GELU'(x)` (erf form: `Φ(x) + x φ(x)`); `x` is the GELU input. All `[count]`;
  /// `dx` may alias `dy`.
  static func geluBackward(
    _ x: UnsafePointer<Self>, _ dy: UnsafePointer<Self>, _ dx: UnsafeMutablePointer<Self>, count: Int)

  /// Softmax backward per row: `ds = p * (dp - Σ dp * p)`. `p`, `dp`, `ds` are `[rows, columns]`,
  /// contiguous; `ds` may alias `dp`.
  static func softmaxBackward(
    _ p: UnsafePointer<Self>, _ dp: UnsafePointer<Self>, _ ds: UnsafeMutablePointer<Self>,
    rows: Int, columns: Int)

  /// LayerNorm backward. `v` is the LayerNorm input `[rows, columns]` (after any residual add),
  /// `mean`/`rstd` the saved statistics `[rows]`, `dy` the output gradient. Writes `dv`
  /// (`[rows, columns]`, may alias `dy`) and **adds** to `dGamma`, `dBeta` (`[columns]`).
  static func layerNormBackward(
    _ v: UnsafePointer<Self>, mean: UnsafePointer<Self>, rstd: UnsafePointer<Self>,
    gamma: UnsafePointer<Self>, _ dy: UnsafePointer<Self>, _ dv: UnsafeMutablePointer<Self>,
    dGamma: UnsafeMutablePointer<Self>, dBeta: UnsafeMutablePointer<Self>, rows: Int, columns: Int)

  /// Elementary functions for generic (non-hot) code.
  static func exp(_ x: Self) -> Self
  /// The error function.
  static func erf(_ x: Self) -> Self
  /// Natural logarithm.
  static func log(_ x: Self) -> Self

  /// One AdamW update of `count` elements with PyTorch's arithmetic: `θ ← θ·decay` (when
  /// `decayFactor` is given), `m ← m + (1−β₁)(g·s − m)`, `v ← β₂v + (1−β₂)(g·s)²`,
  /// `θ ← θ − stepSize · m / (√v / √bc₂ + ε)`. Concrete per scalar type, so the loop is compiled
  /// for Float and Double rather than run through generic witnesses.
  static func adamWUpdate(
    theta: UnsafeMutablePointer<Self>, gradient: UnsafePointer<Self>, firstMoment: UnsafeMutablePointer<Self>,
    secondMoment: UnsafeMutablePointer<Self>, count: Int, gradientScale: Self, decayFactor: Self?,
    oneMinusBeta1: Self, beta2: Self, oneMinusBeta2: Self, stepSize: Self, bias2Sqrt: Self, epsilon: Self)

  /// Σ x², accumulated in Double.
  static func sumOfSquares(_ x: UnsafePointer<Self>, count: Int) -> Double
}

/// The loop behind `adamWUpdate`, specialized inside this module for each conformance.
@inline(__always)
func adamWLoop<S: BinaryFloatingPoint>(
  _ theta: UnsafeMutablePointer<S>, _ gradient: UnsafePointer<S>, _ m: UnsafeMutablePointer<S>,
  _ v: UnsafeMutablePointer<S>, _ count: Int, _ scale: S, _ decay: S?, _ b1c: S, _ b2: S, _ b2c: S,
  _ stepSize: S, _ bc2Sqrt: S, _ eps: S
) {
  if let decay { for i in 0..<count { theta[i] *= decay } }
  for i in 0..<count {
    let g = gradient[i] * scale
    m[i] += b1c * (g - m[i])
    v[i] = b2 * v[i] + b2c * g * g
    theta[i] -= stepSize * (m[i] / (v[i].squareRoot() / bc2Sqrt + eps))
  }
}

@inline(__always)
func sumOfSquaresLoop<S: BinaryFloatingPoint>(_ x: UnsafePointer<S>, _ count: Int) -> Double {
  var sum = 0.0
  for i in 0..<count { sum += Double(x[i]) * Double(x[i]) }
  return sum
}

extension Float: BLASScalar {
  @inlinable
  public static func gemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func addBias(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>
  ) {
    FloatKernels.addBias(x, rows: rows, columns: columns, bias: bias)
  }

  public static func addBiasGELU(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>?
  ) {
    csmed_gelu_bias(x, rows, columns, bias)
  }

  public static func softmaxRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, scale: Float
  ) {
    FloatKernels.softmaxRows(x, rows: rows, columns: columns, stride: stride, scale: scale)
  }

  public static func exponentiateRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, scale: Float,
    rowSums: UnsafeMutablePointer<Float>
  ) {
    csmed_exp_rows(x, rows, columns, stride, scale, rowSums)
  }

  public static func divideRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int,
    by divisors: UnsafePointer<Float>
  ) {
    FloatKernels.divideRows(x, rows: rows, columns: columns, stride: stride, by: divisors)
  }

  public static func layerNorm(
    _ x: UnsafePointer<Float>, residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
    rows: Int, columns: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    epsilon: Float, mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?
  ) {
    FloatKernels.layerNorm(
      x, residual: residual, output: output, rows: rows, columns: columns, gamma: gamma,
      beta: beta, epsilon: epsilon, mean: mean, rstd: rstd)
  }

  public static func geluBackward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
  ) { csmed_gelu_backward(x, dy, dx, count) }

  public static func softmaxBackward(
    _ p: UnsafePointer<Float>, _ dp: UnsafePointer<Float>, _ ds: UnsafeMutablePointer<Float>,
    rows: Int, columns: Int
  ) { csmed_softmax_backward(p, dp, ds, rows, columns) }

  public static func layerNormBackward(
    _ v: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    gamma: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dv: UnsafeMutablePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>, rows: Int, columns: Int
  ) {
    ScalarKernels.layerNormBackward(
      v, mean: mean, rstd: rstd, gamma: gamma, dy, dv, dGamma: dGamma, dBeta: dBeta, rows: rows,
      columns: columns)
  }

  public static func exp(_ x: Float) -> Float { expf(x) }
  public static func erf(_ x: Float) -> Float { erff(x) }
  public static func log(_ x: Float) -> Float { logf(x) }
  public static func adamWUpdate(
    theta: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, firstMoment: UnsafeMutablePointer<Float>,
    secondMoment: UnsafeMutablePointer<Float>, count: Int, gradientScale: Float, decayFactor: Float?,
    oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float, stepSize: Float, bias2Sqrt: Float, epsilon: Float
  ) {
    adamWLoop(
      theta, gradient, firstMoment, secondMoment, count, gradientScale, decayFactor, oneMinusBeta1, beta2,
      oneMinusBeta2, stepSize, bias2Sqrt, epsilon)
  }
  public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double { sumOfSquaresLoop(x, count) }
}

extension Double: BLASScalar {
  @inlinable
  public static func gemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func addBias(
    _ x: UnsafeMutablePointer<Double>, rows: Int, columns: Int, bias: UnsafePointer<Double>
  ) {
    ScalarKernels.addBias(x, rows: rows, columns: columns, bias: bias)
  }

  public static func addBiasGELU(
    _ x: UnsafeMutablePointer<Double>, rows: Int, columns: Int, bias: UnsafePointer<Double>?
  ) {
    ScalarKernels.addBiasGELU(x, rows: rows, columns: columns, bias: bias)
  }

  public static func softmaxRows(
    _ x: UnsafeMutablePointer<Double>, rows: Int, columns: Int, stride: Int, scale: Double
  ) {
    ScalarKernels.softmaxRows(x, rows: rows, columns: columns, stride: stride, scale: scale)
  }

  public static func exponentiateRows(
    _ x: UnsafeMutablePointer<Double>, rows: Int, columns: Int, stride: Int, scale: Double,
    rowSums: UnsafeMutablePointer<Double>
  ) {
    ScalarKernels.exponentiateRows(x, rows: rows, columns: columns, stride: stride, scale: scale, rowSums: rowSums)
  }

  public static func divideRows(
    _ x: UnsafeMutablePointer<Double>, rows: Int, columns: Int, stride: Int,
    by divisors: UnsafePointer<Double>
  ) {
    ScalarKernels.divideRows(x, rows: rows, columns: columns, stride: stride, by: divisors)
  }

  public static func layerNorm(
    _ x: UnsafePointer<Double>, residual: UnsafePointer<Double>?,
    output: UnsafeMutablePointer<Double>,
    rows: Int, columns: Int, gamma: UnsafePointer<Double>, beta: UnsafePointer<Double>,
    epsilon: Double, mean: UnsafeMutablePointer<Double>?, rstd: UnsafeMutablePointer<Double>?
  ) {
    ScalarKernels.layerNorm(
      x, residual: residual, output: output, rows: rows, columns: columns, gamma: gamma,
      beta: beta, epsilon: epsilon, mean: mean, rstd: rstd)
  }

  public static func geluBackward(
    _ x: UnsafePointer<Double>, _ dy: UnsafePointer<Double>, _ dx: UnsafeMutablePointer<Double>, count: Int
  ) { ScalarKernels.geluBackward(x, dy, dx, count: count) }

  public static func softmaxBackward(
    _ p: UnsafePointer<Double>, _ dp: UnsafePointer<Double>, _ ds: UnsafeMutablePointer<Double>,
    rows: Int, columns: Int
  ) { ScalarKernels.softmaxBackward(p, dp, ds, rows: rows, columns: columns) }

  public static func layerNormBackward(
    _ v: UnsafePointer<Double>, mean: UnsafePointer<Double>, rstd: UnsafePointer<Double>,
    gamma: UnsafePointer<Double>, _ dy: UnsafePointer<Double>, _ dv: UnsafeMutablePointer<Double>,
    dGamma: UnsafeMutablePointer<Double>, dBeta: UnsafeMutablePointer<Double>, rows: Int, columns: Int
  ) {
    ScalarKernels.layerNormBackward(
      v, mean: mean, rstd: rstd, gamma: gamma, dy, dv, dGamma: dGamma, dBeta: dBeta, rows: rows,
      columns: columns)
  }

  public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
  public static func log(_ x: Double) -> Double { Foundation.log(x) }
  public static func adamWUpdate(
    theta: UnsafeMutablePointer<Double>, gradient: UnsafePointer<Double>, firstMoment: UnsafeMutablePointer<Double>,
    secondMoment: UnsafeMutablePointer<Double>, count: Int, gradientScale: Double, decayFactor: Double?,
    oneMinusBeta1: Double, beta2: Double, oneMinusBeta2: Double, stepSize: Double, bias2Sqrt: Double, epsilon: Double
  ) {
    adamWLoop(
      theta, gradient, firstMoment, secondMoment, count, gradientScale, decayFactor, oneMinusBeta1, beta2,
      oneMinusBeta2, stepSize, bias2Sqrt, epsilon)
  }
  public static func sumOfSquares(_ x: UnsafePointer<Double>, count: Int) -> Double { sumOfSquaresLoop(x, count) }
}
