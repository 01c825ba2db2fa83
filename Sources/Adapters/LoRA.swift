import Corpus
import Encoder
import Tensor

/// LoRA (Hu et al. 2021), rsLoRA (only the scale differs) and PiSSA (Meng et al. 2024, the same
/// update over a residual base): `y = x W₀ᵀ + b + s · (drop(x) Aᵀ) Bᵀ`, `A` `[r, in]`, `B` `[out, r]`.
///
/// Without dropout the update is folded into the dense weight while training (exact, and the
/// gradients come from the low-rank products, never a dense `dW`); with dropout it runs as a branch.
public struct LoRALinear<Scalar: BLASScalar>: LinearAdapter {
  public let site: LinearSite
  /// `lora_A.weight` `[r, in]`.
  public var a: Tensor<Scalar>
  /// `lora_B.weight` `[out, r]`.
  public var b: Tensor<Scalar>
  /// `s`: `α / r` (LoRA, PiSSA) or `α / √r` (rsLoRA).
  public let scale: Scalar
  /// PiSSA's frozen residual `W − s B₀ A₀`, which replaces the base weight; nil for LoRA.
  public let residual: Tensor<Scalar>?
  /// Dropout on the adapter input while training.
  public let dropout: Double

  /// LoRA's initialisation: `A ~ U(−1/√in, 1/√in)` (PyTorch's kaiming_uniform with a = √5), `B = 0`.
  public init(site: LinearSite, out: Int, in inDim: Int, rank: Int, scale: Double, dropout: Double = 0, using rng: inout SplitMix64) {
    self.site = site
    let bound = 1 / Double(inDim).squareRoot()
    a = Initializer.uniform([rank, inDim], bound: bound, using: &rng)
    b = Tensor(shape: [out, rank])
    self.scale = Scalar(scale)
    residual = nil
    self.dropout = dropout
  }

  /// Explicit tensors (checkpoints, tests).
  public init(site: LinearSite, a: Tensor<Scalar>, b: Tensor<Scalar>, scale: Double, residual: Tensor<Scalar>? = nil, dropout: Double = 0) {
    precondition(a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[1], "A \(a.shape), B \(b.shape)")
    self.site = site
    self.a = a
    self.b = b
    self.scale = Scalar(scale)
    self.residual = residual
    self.dropout = dropout
  }

  /// PiSSA: from the SVD `W = U Σ Vᵀ`, `A = diag(√(Σ_r/s)) Vᵀ_r`, `B = U_r diag(√(Σ_r/s))`,
  /// residual `W − s B A` (so the model is unchanged at initialisation, for any `s`).
  public static func pissa(site: LinearSite, base w: Tensor<Scalar>, rank: Int, scale: Double, dropout: Double = 0) throws(AdapterError) -> LoRALinear {
    let (u, sigma, vt) = try Initializer.svd(w)
    let root = (0..<rank).map { (sigma[$0] / scale).squareRoot() }
    let a: Tensor<Scalar> = Initializer.rows(vt, Array(0..<rank), scaledBy: root)
    let b: Tensor<Scalar> = Initializer.columns(u, Array(0..<rank), scaledBy: root)
    let residual = w.adding(LowRank.delta(a: a, b: b, scale: Scalar(scale)), scaledBy: -1)
    return LoRALinear(site: site, a: a, b: b, scale: scale, residual: residual, dropout: dropout)
  }

  public var rank: Int { a.shape[0] }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { [("lora_A.weight", a), ("lora_B.weight", b)] }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    body("lora_A.weight", &a)
    body("lora_B.weight", &b)
  }

  public var usesBranch: Bool { dropout > 0 }

  public func denseWeight(base: Tensor<Scalar>, branch: Bool) -> Tensor<Scalar> {
    let w0 = residual ?? base
    return branch && usesBranch ? w0 : w0.adding(LowRank.delta(a: a, b: b, scale: scale))
  }

  public func makeBranchState(rowCount: Int, using rng: inout SplitMix64) -> (any BranchState)? {
    guard dropout > 0 else { return nil }
    let inDim = a.shape[1]
    let mask: [Scalar] = Dropout.mask(count: rowCount * inDim, probability: dropout, using: &rng)
    return DropoutState(mask: mask, columns: inDim)
  }

  public func forwardBranch(_ r: LinearRows<Scalar>, state: any BranchState) {
    guard let st = state as? DropoutState<Scalar> else { return }
    let (rank, inDim, outDim, n) = (a.shape[0], a.shape[1], b.shape[0], r.rows.count)
    let dropped = st.dropped.baseAddress! + r.rows.lowerBound * inDim
    let mask = st.mask.baseAddress! + r.rows.lowerBound * inDim
    for i in 0..<n {
      let (x, d, m) = (r.x + i * r.ldx, dropped + i * inDim, mask + i * inDim)
      for j in 0..<inDim { d[j] = x[j] * m[j] }
    }
    var h = [Scalar](repeating: 0, count: n * rank)
    a.withBase { ap in
      b.withBase { bp in
        h.withUnsafeMutableBufferPointer { hb in
          Rows.gemm(.none, .transposed, m: n, n: rank, k: inDim, dropped, inDim, ap, inDim, hb.requiredBaseAddress, rank)
          Rows.gemm(.none, .transposed, m: n, n: outDim, k: rank, alpha: scale, hb.requiredBaseAddress, rank, bp, rank, beta: 1, r.y, r.ldy)
        }
      }
    }
  }

  public func gradients(_ g: LinearGradient<Scalar>, base: Tensor<Scalar>, state: (any BranchState)?) -> [Tensor<Scalar>] {
    if let st = state as? DropoutState<Scalar> {
      let (dA, dB) = LowRank.gradients(
        g: g, x: st.dropped.baseAddress!, ldx: a.shape[1], a: a, b: b, scale: scale, inputGradient: true,
        inputMask: st.mask.baseAddress!)
      return [dA, dB]
    }
    let (dA, dB) = LowRank.gradients(g: g, x: g.x, ldx: g.ldx, a: a, b: b, scale: scale, inputGradient: false)
    return [dA, dB]
  }

  public func unmerged(_ merged: Tensor<Scalar>) -> Tensor<Scalar>? {
    merged.adding(LowRank.delta(a: a, b: b, scale: scale), scaledBy: -1)
  }
}

/// A dropout mask and the dropped adapter input, `[N, in]` each.
final class DropoutState<Scalar: BLASScalar>: BranchState, @unchecked Sendable {
  let mask: UnsafeMutableBufferPointer<Scalar>
  let dropped: UnsafeMutableBufferPointer<Scalar>

  init(mask values: [Scalar], columns: Int) {
    mask = .allocate(capacity: max(1, values.count))
    _ = mask.initialize(from: values)
    dropped = .allocate(capacity: max(1, values.count))
    dropped.initialize(repeating: 0)
  }

  deinit {
    mask.deallocate()
    dropped.deallocate()
  }
}
