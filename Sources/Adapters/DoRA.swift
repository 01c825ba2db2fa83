import Corpus
import Encoder
import Tensor

/// DoRA (Liu et al. 2024): `W' = diag(m / n) V` with `V = W + s B A` and `n` the row norms of
/// `V`, treated as a constant in the backward pass (peft, after DoRA §4.3). `m` `[out]` starts
/// at the row norms of `W`, so the model is unchanged at initialisation.
///
/// Gradients come from the dense `dW' = Gᵀ X` of the map: `dm_o = (dW'_o · V_o) / n_o`,
/// `dV = diag(m / n) dW'`, `dB = s dV Aᵀ`, `dA = s Bᵀ dV`.
public struct DoRALinear<Scalar: BLASScalar>: LinearAdapter {
  public var lora: LoRALinear<Scalar>
  /// `lora_magnitude_vector` `[out]`.
  public var magnitude: Tensor<Scalar>

  public init(lora: LoRALinear<Scalar>, base: Tensor<Scalar>) {
    self.lora = lora
    magnitude = Self.rowNorms(lora.denseWeight(base: base, branch: false))
  }

  public init(lora: LoRALinear<Scalar>, magnitude: Tensor<Scalar>) {
    self.lora = lora
    self.magnitude = magnitude
  }

  public var site: LinearSite { lora.site }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    lora.namedTensors + [("lora_magnitude_vector", magnitude)]
  }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    lora.updateEach(body)
    body("lora_magnitude_vector", &magnitude)
  }

  static func rowNorms(_ v: Tensor<Scalar>) -> Tensor<Scalar> {
    let (rows, cols) = (v.shape[0], v.shape[1])
    return Tensor(
      shape: [rows],
      scalars: (0..<rows).map { o in
        var s: Scalar = 0
        for j in 0..<cols { s += v.scalars[o * cols + j] * v.scalars[o * cols + j] }
        return s.squareRoot()
      })
  }

  /// `V`, its row norms `n` and the gains `m / n`.
  func direction(base: Tensor<Scalar>) -> (v: Tensor<Scalar>, norms: Tensor<Scalar>, gains: [Scalar]) {
    let v = lora.denseWeight(base: base, branch: false)
    let n = fixedNorms ?? Self.rowNorms(v)
    let gains = (0..<n.count).map { magnitude.scalars[$0] / max(n.scalars[$0], Scalar.leastNormalMagnitude) }
    return (v, n, gains)
  }

  public func denseWeight(base: Tensor<Scalar>, branch: Bool) -> Tensor<Scalar> {
    var (v, _, gains) = direction(base: base)
    let cols = v.shape[1]
    v.withMutableBase { p in for o in 0..<gains.count { for j in 0..<cols { p[o * cols + j] *= gains[o] } } }
    return v
  }

  public func gradients(_ g: LinearGradient<Scalar>, base: Tensor<Scalar>, state: (any BranchState)?) -> [Tensor<Scalar>] {
    let (v, norms, gains) = direction(base: base)
    let (out, inDim) = (v.shape[0], v.shape[1])
    var dW = Tensor<Scalar>(shape: [out, inDim])
    dW.withMutableBase { Rows.gemm(.transposed, .none, m: out, n: inDim, k: g.rowCount, g.dY, g.ldy, g.x, g.ldx, $0, inDim) }
    var dm = Tensor<Scalar>(shape: [out])
    for o in 0..<out {
      var s: Scalar = 0
      for j in 0..<inDim { s += dW.scalars[o * inDim + j] * v.scalars[o * inDim + j] }
      dm.withMutableBase { $0[o] = s / max(norms.scalars[o], Scalar.leastNormalMagnitude) }
    }
    dW.withMutableBase { p in for o in 0..<out { for j in 0..<inDim { p[o * inDim + j] *= gains[o] } } }
    let s = lora.scale
    var dA = Tensor.matmul(lora.b, dW, transposeA: true)  // Bᵀ dV [r, in]
    var dB = Tensor.matmul(dW, lora.a, transposeB: true)  // dV Aᵀ [out, r]
    dA.scale(by: s)
    dB.scale(by: s)
    return [dA, dB, dm]
  }

  /// Merges and caches the row norms `n` that ``unmerged(_:)`` needs (they cannot be recovered
  /// from the merged weight alone), as peft does.
  public mutating func merge(base: Tensor<Scalar>) -> Tensor<Scalar>? {
    cachedNorms = direction(base: base).norms
    return denseWeight(base: base, branch: false)
  }

  /// `W = W' / (m / n) − s B A` with the norms cached by ``merge(base:)``; nil without them.
  public func unmerged(_ merged: Tensor<Scalar>) -> Tensor<Scalar>? {
    guard let norms = cachedNorms else { return nil }
    let cols = merged.shape[1]
    var v = merged
    v.withMutableBase { p in
      for o in 0..<merged.shape[0] {
        let g = magnitude.scalars[o] / max(norms.scalars[o], Scalar.leastNormalMagnitude)
        for j in 0..<cols { p[o * cols + j] /= g }
      }
    }
    return lora.unmerged(v)
  }

  /// Norms to use instead of recomputing them: the finite-difference check holds `n` at its
  /// forward value, as the backward pass assumes.
  var fixedNorms: Tensor<Scalar>? = nil

  /// Row norms of `V` cached by ``merge(base:)``.
  public var cachedNorms: Tensor<Scalar>? = nil
}
