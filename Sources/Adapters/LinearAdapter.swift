import Corpus
import Encoder
import Tensor

/// Per-step state of an adapter branch (saved activations, dropout masks, routing), created
/// before a forward pass and read by the backward pass. Rows are written by the forward hooks
/// concurrently but disjointly.
public protocol BranchState: AnyObject, Sendable {}

/// A trainable adaptation of one linear map `y = x Wᵀ + b` of the encoder.
///
/// During training the encoder's dense path multiplies by ``denseWeight(base:branch:)``: the
/// frozen weight with whatever part of the adaptation can be folded in (everything, for methods
/// without a forward branch). ``gradients(_:base:state:)`` turns the map's input and output
/// gradient into gradients of ``namedTensors``.
public protocol LinearAdapter<Scalar>: Sendable {
  associatedtype Scalar: BLASScalar
  /// Where the adapter sits.
  var site: LinearSite { get }
  /// The trainable tensors, with PEFT-style local names (`lora_A.weight`, ...).
  var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { get }
  /// Applies `body` to every trainable tensor in ``namedTensors`` order.
  mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void)
  /// Whether training runs a forward branch (dropout, routing) besides the dense path.
  var usesBranch: Bool { get }
  /// The weight of the dense path: with `branch` true, what the branch does not cover; with
  /// `branch` false, everything (the merged weight).
  func denseWeight(base: Tensor<Scalar>, branch: Bool) -> Tensor<Scalar>
  /// Fresh per-step state for `rowCount` token rows (nil when there is no branch).
  func makeBranchState(rowCount: Int, using rng: inout SplitMix64) -> (any BranchState)?
  /// Adds the branch to rows of the map's output.
  func forwardBranch(_ rows: LinearRows<Scalar>, state: any BranchState)
  /// Gradients of ``namedTensors`` (same order and shapes); adds the branch's input gradient to `g.dX`.
  func gradients(_ g: LinearGradient<Scalar>, base: Tensor<Scalar>, state: (any BranchState)?) -> [Tensor<Scalar>]
  /// A loss term the branch adds (GOAT's load balancing), read after the forward pass.
  func auxiliaryLoss(state: any BranchState) -> Double
  /// The weight with the adapter folded in, or nil when it cannot be merged (GOAT's routing).
  func merged(base: Tensor<Scalar>) -> Tensor<Scalar>?
  /// ``merged(base:)``, keeping whatever ``unmerged(_:)`` will need.
  mutating func merge(base: Tensor<Scalar>) -> Tensor<Scalar>?
  /// The base weight recovered from a merged weight (after ``merge(base:)``).
  func unmerged(_ merged: Tensor<Scalar>) -> Tensor<Scalar>?
}

extension LinearAdapter {
  public var usesBranch: Bool { false }
  public func makeBranchState(rowCount: Int, using rng: inout SplitMix64) -> (any BranchState)? { nil }
  public func forwardBranch(_ rows: LinearRows<Scalar>, state: any BranchState) {}
  public func auxiliaryLoss(state: any BranchState) -> Double { 0 }
  public func merged(base: Tensor<Scalar>) -> Tensor<Scalar>? { denseWeight(base: base, branch: false) }
  public mutating func merge(base: Tensor<Scalar>) -> Tensor<Scalar>? { merged(base: base) }
  /// Trainable scalars.
  public var parameterCount: Int { namedTensors.reduce(0) { $0 + $1.tensor.count } }
}

/// Matrix helpers over raw rows (`ld` = row stride), shared by the low-rank methods.
enum Rows {
  /// `C[m, n] = alpha · op(A) op(B) + beta · C` with empty dimensions tolerated.
  @inline(__always)
  static func gemm<S: BLASScalar>(
    _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: S = 1, _ a: UnsafePointer<S>, _ lda: Int,
    _ b: UnsafePointer<S>, _ ldb: Int, beta: S = 0, _ c: UnsafeMutablePointer<S>, _ ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
      return
    }
    S.gemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }
}

extension Tensor {
  /// Runs `body` with a read-only base address (the tensor is never empty here).
  func withBase<R>(_ body: (UnsafePointer<Scalar>) -> R) -> R {
    withUnsafeBufferPointer { body($0.requiredBaseAddress) }
  }

  mutating func withMutableBase<R>(_ body: (UnsafeMutablePointer<Scalar>) -> R) -> R {
    withUnsafeMutableBufferPointer { body($0.requiredBaseAddress) }
  }
}

/// The gradients of a low-rank update `ΔY = s · (X Aᵀ) Bᵀ` (LoRA, rsLoRA, PiSSA) given the map's
/// input `X` (or its dropped version) and output gradient `G`:
/// `dB = s Gᵀ (X Aᵀ)`, `dA = s (G B)ᵀ X`, and, when `inputGradient` is set, `dX += s (G B) A ⊙ mask`.
enum LowRank {
  static func gradients<S: BLASScalar>(
    g: LinearGradient<S>, x: UnsafePointer<S>, ldx: Int, a: Tensor<S>, b: Tensor<S>, scale: S,
    inputGradient: Bool, inputMask: UnsafePointer<S>? = nil
  ) -> (dA: Tensor<S>, dB: Tensor<S>) {
    let (r, din, dout, n) = (a.shape[0], a.shape[1], b.shape[0], g.rowCount)
    var h = [S](repeating: 0, count: n * r)
    var gb = [S](repeating: 0, count: n * r)
    var dA = Tensor<S>(shape: [r, din])
    var dB = Tensor<S>(shape: [dout, r])
    a.withBase { ap in
      b.withBase { bp in
        h.withUnsafeMutableBufferPointer { hb in
          gb.withUnsafeMutableBufferPointer { gbb in
            let (hp, gbp) = (hb.requiredBaseAddress, gbb.requiredBaseAddress)
            Rows.gemm(.none, .transposed, m: n, n: r, k: din, x, ldx, ap, din, hp, r)
            dB.withMutableBase { Rows.gemm(.transposed, .none, m: dout, n: r, k: n, alpha: scale, g.dY, g.ldy, hp, r, $0, r) }
            Rows.gemm(.none, .none, m: n, n: r, k: dout, g.dY, g.ldy, bp, r, gbp, r)
            dA.withMutableBase { Rows.gemm(.transposed, .none, m: r, n: din, k: n, alpha: scale, gbp, r, x, ldx, $0, din) }
            guard inputGradient else { return }
            if let mask = inputMask {
              var t = [S](repeating: 0, count: n * din)
              t.withUnsafeMutableBufferPointer { tb in
                let tp = tb.requiredBaseAddress
                Rows.gemm(.none, .none, m: n, n: din, k: r, alpha: scale, gbp, r, ap, din, tp, din)
                for row in 0..<n {
                  let (d, s, mk) = (g.dX + row * g.lddx, tp + row * din, mask + row * din)
                  for j in 0..<din { d[j] += s[j] * mk[j] }
                }
              }
            } else {
              Rows.gemm(.none, .none, m: n, n: din, k: r, alpha: scale, gbp, r, ap, din, beta: 1, g.dX, g.lddx)
            }
          }
        }
      }
    }
    return (dA, dB)
  }

  /// `s · B A` `[out, in]`.
  static func delta<S: BLASScalar>(a: Tensor<S>, b: Tensor<S>, scale: S) -> Tensor<S> {
    var d = Tensor.matmul(b, a)
    d.scale(by: scale)
    return d
  }
}

/// Uniform `U(−bound, bound)` and normal draws for initialisation.
enum Initializer {
  static func uniform<S: BLASScalar>(_ shape: [Int], bound: Double, using rng: inout SplitMix64) -> Tensor<S> {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in S(Double.random(in: -bound..<bound, using: &rng)) })
  }

  /// The SVD of a weight in Double: `W = U diag(σ) Vᵀ`.
  static func svd<S: BLASScalar>(_ w: Tensor<S>) throws(AdapterError) -> (u: Tensor<Double>, s: [Double], vt: Tensor<Double>) {
    do {
      let (u, s, vt) = try LAPACK.svd(w.converted(to: Double.self))
      return (u, s.scalars, vt)
    } catch { throw .lapack("\(error)") }
  }

  /// Columns `cols` of `u` `[m, k]` scaled by `scale[j]`: `[m, cols.count]`.
  static func columns<S: BLASScalar>(_ u: Tensor<Double>, _ cols: [Int], scaledBy scale: [Double]) -> Tensor<S> {
    let (m, k) = (u.shape[0], u.shape[1])
    var out = [S](repeating: 0, count: m * cols.count)
    for i in 0..<m { for (j, c) in cols.enumerated() { out[i * cols.count + j] = S(u.scalars[i * k + c] * scale[j]) } }
    return Tensor(shape: [m, cols.count], scalars: out)
  }

  /// Rows `rows` of `vt` `[k, n]` scaled by `scale[j]`: `[rows.count, n]`.
  static func rows<S: BLASScalar>(_ vt: Tensor<Double>, _ rows: [Int], scaledBy scale: [Double]) -> Tensor<S> {
    let n = vt.shape[1]
    var out = [S](repeating: 0, count: rows.count * n)
    for (j, r) in rows.enumerated() { for c in 0..<n { out[j * n + c] = S(vt.scalars[r * n + c] * scale[j]) } }
    return Tensor(shape: [rows.count, n], scalars: out)
  }
}
