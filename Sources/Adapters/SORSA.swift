import Corpus
import Encoder
import Tensor

/// SORSA (Cao 2024): the principal singular triplets become trainable, `W' = W_res + s B diag(S) A`
/// with `A = Vᵀ_r`, `S = σ_r`, `B = U_r` and the frozen residual `W_res = W − s B diag(S) A`, plus
/// the orthonormal regulariser `‖A Aᵀ − I‖_F + ‖Bᵀ B − I‖_F` that the trainer adds after clipping.
public struct SORSALinear<Scalar: BLASScalar>: LinearAdapter {
  public let site: LinearSite
  /// `sorsa_A` `[r, in]`, `sorsa_S` `[r]`, `sorsa_B` `[out, r]`.
  public var a: Tensor<Scalar>
  public var s: Tensor<Scalar>
  public var b: Tensor<Scalar>
  public let scale: Scalar
  public let residual: Tensor<Scalar>

  public init(site: LinearSite, base w: Tensor<Scalar>, rank: Int, scale: Double) throws(AdapterError) {
    let (u, sigma, vt) = try Initializer.svd(w)
    let ones = [Double](repeating: 1, count: rank)
    self.init(
      site: site, a: Initializer.rows(vt, Array(0..<rank), scaledBy: ones),
      s: Tensor(shape: [rank], scalars: sigma.prefix(rank).map { Scalar($0) }),
      b: Initializer.columns(u, Array(0..<rank), scaledBy: ones), scale: scale, base: w)
  }

  /// Explicit factors; the residual is `base − s B diag(S) A` of these factors.
  public init(site: LinearSite, a: Tensor<Scalar>, s: Tensor<Scalar>, b: Tensor<Scalar>, scale: Double, base: Tensor<Scalar>) {
    self.site = site
    self.a = a
    self.s = s
    self.b = b
    self.scale = Scalar(scale)
    residual = base.adding(Self.delta(a: a, s: s, b: b, scale: Scalar(scale)), scaledBy: -1)
  }

  /// `s B diag(S) A`.
  var delta: Tensor<Scalar> { Self.delta(a: a, s: s, b: b, scale: scale) }

  static func delta(a: Tensor<Scalar>, s: Tensor<Scalar>, b: Tensor<Scalar>, scale: Scalar) -> Tensor<Scalar> {
    var bs = b
    let r = s.count
    bs.withMutableBase { p in for i in 0..<b.shape[0] { for j in 0..<r { p[i * r + j] *= s.scalars[j] } } }
    return LowRank.delta(a: a, b: bs, scale: scale)
  }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    [("sorsa_A", a), ("sorsa_S", s), ("sorsa_B", b)]
  }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    body("sorsa_A", &a)
    body("sorsa_S", &s)
    body("sorsa_B", &b)
  }

  public func denseWeight(base: Tensor<Scalar>, branch: Bool) -> Tensor<Scalar> { residual.adding(delta) }

  public func gradients(_ g: LinearGradient<Scalar>, base: Tensor<Scalar>, state: (any BranchState)?) -> [Tensor<Scalar>] {
    let (r, inDim, out, n) = (a.shape[0], a.shape[1], b.shape[0], g.rowCount)
    var h = [Scalar](repeating: 0, count: n * r)
    var gb = [Scalar](repeating: 0, count: n * r)
    var dA = Tensor<Scalar>(shape: [r, inDim]), dS = Tensor<Scalar>(shape: [r]), dB = Tensor<Scalar>(shape: [out, r])
    let sv = s.scalars
    a.withBase { ap in
      b.withBase { bp in
        h.withUnsafeMutableBufferPointer { hb in
          gb.withUnsafeMutableBufferPointer { gbb in
            let (hp, gbp) = (hb.requiredBaseAddress, gbb.requiredBaseAddress)
            Rows.gemm(.none, .transposed, m: n, n: r, k: inDim, g.x, g.ldx, ap, inDim, hp, r)  // H = X Aᵀ
            Rows.gemm(.none, .none, m: n, n: r, k: out, g.dY, g.ldy, bp, r, gbp, r)  // G B
            dS.withMutableBase { d in
              for row in 0..<n { for j in 0..<r { d[j] += scale * gbp[row * r + j] * hp[row * r + j] } }
            }
            for row in 0..<n {
              for j in 0..<r {
                hp[row * r + j] *= sv[j]  // K = H ⊙ S
                gbp[row * r + j] *= sv[j]  // G B ⊙ S
              }
            }
            dB.withMutableBase { Rows.gemm(.transposed, .none, m: out, n: r, k: n, alpha: scale, g.dY, g.ldy, hp, r, $0, r) }
            dA.withMutableBase { Rows.gemm(.transposed, .none, m: r, n: inDim, k: n, alpha: scale, gbp, r, g.x, g.ldx, $0, inDim) }
          }
        }
      }
    }
    return [dA, dS, dB]
  }

  public func unmerged(_ merged: Tensor<Scalar>) -> Tensor<Scalar>? { merged.adding(delta, scaledBy: -1) }

  /// `R = ‖A Aᵀ − I‖_F + ‖Bᵀ B − I‖_F` and its gradients `2 E_A A / ‖E_A‖`, `2 B E_B / ‖E_B‖`
  /// (zero where a norm is zero), in ``namedTensors`` order (`S` gets none).
  public func orthonormalRegularizer() -> (value: Double, gradients: [Tensor<Scalar>]) {
    func deviation(_ gram: Tensor<Scalar>) -> (Tensor<Scalar>, Scalar) {
      var e = gram
      let r = gram.shape[0]
      var norm: Scalar = 0
      let count = e.count
      e.withMutableBase { p in
        for i in 0..<r { p[i * r + i] -= 1 }
        for i in 0..<count { norm += p[i] * p[i] }
      }
      return (e, norm.squareRoot())
    }
    let (ea, na) = deviation(Tensor.matmul(a, a, transposeB: true))
    let (eb, nb) = deviation(Tensor.matmul(b, b, transposeA: true))
    var dA = Tensor.matmul(ea, a)
    var dB = Tensor.matmul(b, eb)
    let fa: Scalar = na > 0 ? 2 / na : 0
    let fb: Scalar = nb > 0 ? 2 / nb : 0
    dA.scale(by: fa)
    dB.scale(by: fb)
    return (Double(na + nb), [dA, Tensor(shape: s.shape), dB])
  }
}
