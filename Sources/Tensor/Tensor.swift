/// A contiguous row-major tensor: a shape and its scalars.
///
/// Value semantics (copy-on-write through `Array`), so tensors are `Sendable` and can be shared
/// read-only across threads. Shapes are checked at the seams: the operations below `precondition`
/// on shape mismatches because those are programmer errors; data from outside (files) is
/// validated by the loaders before a `Tensor` is built.
public struct Tensor<Scalar: BLASScalar>: Sendable, Equatable {
  /// The dimensions, outermost first. A scalar has shape `[]`.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
  public private(set) var scalars: [Scalar]

  /// Creates a tensor from scalars in row-major order.
  /// - Precondition: `scalars.count` equals the product of `shape`, and no dimension is negative.
  public init(shape: [Int], scalars: [Scalar]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    precondition(
      scalars.count == shape.reduce(1, *),
      "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
  }

  /// Creates a tensor of the given shape with every element equal to `value`.
  public init(shape: [Int], repeating value: Scalar = 0) {
    self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
  }

  /// The number of elements.
  public var count: Int { scalars.count }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The same scalars with a new shape of equal element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, scalars: scalars)
  }

  /// Element access by multi-index.
  public subscript(_ index: Int...) -> Scalar {
    get { scalars[offset(index)] }
    set { scalars[offset(index)] = newValue }
  }

  private func offset(_ index: [Int]) -> Int {
    precondition(index.count == shape.count, "index \(index) for shape \(shape)")
    var o = 0
    for (i, d) in zip(index, shape) {
      precondition(i >= 0 && i < d, "index \(index) out of range for shape \(shape)")
      o = o * d + i
    }
    return o
  }

  /// Calls `body` with a pointer to the contiguous scalars.
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with a mutable pointer to the contiguous scalars.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }

  /// The tensor converted element-wise to another scalar type.
  public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
    Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
  }

  /// The largest absolute element-wise difference to `other` (same shape required).
  public func maxAbsDifference(_ other: Tensor) -> Scalar {
    precondition(shape == other.shape, "shape \(shape) vs \(other.shape)")
    var m: Scalar = 0
    for (a, b) in zip(scalars, other.scalars) { m = Swift.max(m, abs(a - b)) }
    return m
  }
}

// MARK: - Linear algebra and kernels on whole tensors

extension Tensor {
  /// Matrix product `op(a) · op(b)` of two rank-2 tensors.
  ///
  /// `op(a)` is `[m, k]`, `op(b)` is `[k, n]`; the result is `[m, n]`.
  /// - Precondition: both are rank 2 and the inner dimensions agree.
  public static func matmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 operands: \(a.shape), \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0]
    let k = transposeA ? a.shape[0] : a.shape[1]
    let kb = transposeB ? b.shape[1] : b.shape[0]
    let n = transposeB ? b.shape[0] : b.shape[1]
    precondition(
      k == kb, "matmul inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")"
    )
    var c = Tensor(shape: [m, n])
    if m == 0 || n == 0 { return c }
    if k == 0 { return c }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          Scalar.gemm(
            transposeA ? .transposed : .none, transposeB ? .transposed : .none,
            m: m, n: n, k: k, alpha: 1, a: pa.requiredBaseAddress, lda: a.shape[1],
            b: pb.requiredBaseAddress, ldb: b.shape[1], beta: 0, c: pc.requiredBaseAddress, ldc: n)
        }
      }
    }
    return c
  }

  private var rows: Int { shape.dropLast().reduce(1, *) }
  private var lastDimension: Int { shape.last ?? 1 }

  /// `self + alpha · other`, element-wise.
  /// - Precondition: the shapes are equal.
  public func adding(_ other: Tensor, scaledBy alpha: Scalar = 1) -> Tensor {
    precondition(shape == other.shape, "shapes \(shape) and \(other.shape)")
    var out = self
    out.withUnsafeMutableBufferPointer { o in
      other.withUnsafeBufferPointer { p in for i in 0..<o.count { o[i] += alpha * p[i] } }
    }
    return out
  }

  /// Multiplies every element by `factor`.
  public mutating func scale(by factor: Scalar) {
    withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= factor } }
  }

  /// `self + bias` broadcast over rows; `self` is `[..., C]`, `bias` is `[C]`.
  public func addingBias(_ bias: Tensor) -> Tensor {
    precondition(bias.shape == [lastDimension], "bias \(bias.shape) for tensor \(shape)")
    var out = self
    let (r, c) = (rows, lastDimension)
    guard out.count > 0 else { return out }
    out.withUnsafeMutableBufferPointer { po in
      bias.withUnsafeBufferPointer { pb in
        Scalar.addBias(po.requiredBaseAddress, rows: r, columns: c, bias: pb.requiredBaseAddress)
      }
    }
    return out
  }

  /// Element-wise GELU, erf form. Any shape.
  public func gelu() -> Tensor {
    var out = self
    let n = count
    guard n > 0 else { return out }
    out.withUnsafeMutableBufferPointer { po in
      Scalar.addBiasGELU(po.requiredBaseAddress, rows: 1, columns: n, bias: nil)
    }
    return out
  }

  /// Softmax of `scale * self` over the last dimension. `self` is `[..., C]`.
  public func softmaxLastDimension(scale: Scalar = 1) -> Tensor {
    var out = self
    let (r, c) = (rows, lastDimension)
    guard out.count > 0 else { return out }
    out.withUnsafeMutableBufferPointer { po in
      Scalar.softmaxRows(po.requiredBaseAddress, rows: r, columns: c, stride: c, scale: scale)
    }
    return out
  }

  /// LayerNorm over the last dimension of `self + residual`.
  ///
  /// `self` and `residual` are `[..., C]`; `gamma` and `beta` are `[C]`.
  public func layerNorm(
    gamma: Tensor, beta: Tensor, epsilon: Scalar, residual: Tensor? = nil
  ) -> Tensor {
    let (r, c) = (rows, lastDimension)
    precondition(gamma.shape == [c] && beta.shape == [c], "LayerNorm parameters for \(shape)")
    if let residual { precondition(residual.shape == shape, "residual \(residual.shape) vs \(shape)") }
    var out = Tensor(shape: shape)
    guard count > 0 else { return out }
    withUnsafeBufferPointer { px in
      gamma.withUnsafeBufferPointer { pg in
        beta.withUnsafeBufferPointer { pb in
          out.withUnsafeMutableBufferPointer { po in
            if let residual {
              residual.withUnsafeBufferPointer { pr in
                Scalar.layerNorm(
                  px.requiredBaseAddress, residual: pr.requiredBaseAddress, output: po.requiredBaseAddress, rows: r,
                  columns: c, gamma: pg.requiredBaseAddress, beta: pb.requiredBaseAddress, epsilon: epsilon,
                  mean: nil, rstd: nil)
              }
            } else {
              Scalar.layerNorm(
                px.requiredBaseAddress, residual: nil, output: po.requiredBaseAddress, rows: r, columns: c,
                gamma: pg.requiredBaseAddress, beta: pb.requiredBaseAddress, epsilon: epsilon, mean: nil,
                rstd: nil)
            }
          }
        }
      }
    }
    return out
  }
}
