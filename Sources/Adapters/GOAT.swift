import Corpus
import Encoder
import Foundation
import Tensor

/// GOAT (Fan et al. 2025): a mixture of `E` LoRA experts of rank `r / E` with a softmax router
/// and top-k routing per token, initialised from `E` segments of the weight's spectrum:
/// `y = x W_resᵀ + b + Σ_{i ∈ top-k} w_i · s B_i A_i x` with `w` the renormalised router
/// probabilities, plus a Switch-style load-balancing loss `E Σ_i f_i P̄_i`. Routing depends on
/// the token, so it runs as a forward branch and cannot be merged.
public struct GOATLinear<Scalar: BLASScalar>: LinearAdapter {
  public let site: LinearSite
  /// Experts' `A_i` stacked by rows: `[r, in]`; expert `i` owns rows `i·r_i ..< (i+1)·r_i`.
  public var a: Tensor<Scalar>
  /// Experts' `B_i` side by side: `[out, r]`; expert `i` owns the same columns.
  public var b: Tensor<Scalar>
  /// Router `W_g` `[E, in]`.
  public var router: Tensor<Scalar>
  public let scale: Scalar
  public let topK: Int
  /// `c_aux`, the weight of the load-balancing loss (its gradient is added here).
  public let auxiliaryWeight: Double
  public let residual: Tensor<Scalar>

  /// GOAT's SVD initialisation (`init_type="goat"`, `ρ = 10`, `init_cof = 1/E`): expert `i`
  /// takes the first `r_i` singular triplets of the `i`-th of `E` equal spectrum segments.
  public init(
    site: LinearSite, base w: Tensor<Scalar>, rank: Int, experts: Int, topK: Int, scale: Double,
    auxiliaryWeight: Double, using rng: inout SplitMix64
  ) throws(AdapterError) {
    let (u, sigma, vt) = try Initializer.svd(w)
    let ri = rank / experts
    let segment = sigma.count / experts
    let rho = 10.0
    let picks = (0..<experts).flatMap { i in (0..<ri).map { i * segment + $0 } }
    let root = picks.map { (sigma[$0] / (scale * rho)).squareRoot() }
    let a: Tensor<Scalar> = Initializer.rows(vt, picks, scaledBy: root)
    let b: Tensor<Scalar> = Initializer.columns(u, picks, scaledBy: root)
    let router: Tensor<Scalar> = Initializer.uniform([experts, w.shape[1]], bound: 1 / Double(w.shape[1]).squareRoot(), using: &rng)
    let residual = w.adding(LowRank.delta(a: a, b: b, scale: Scalar(scale / Double(experts))), scaledBy: -1)
    self.init(site: site, a: a, b: b, router: router, scale: scale, topK: topK, auxiliaryWeight: auxiliaryWeight, residual: residual)
  }

  public init(
    site: LinearSite, a: Tensor<Scalar>, b: Tensor<Scalar>, router: Tensor<Scalar>, scale: Double, topK: Int,
    auxiliaryWeight: Double, residual: Tensor<Scalar>
  ) {
    self.site = site
    self.a = a
    self.b = b
    self.router = router
    self.scale = Scalar(scale)
    self.topK = topK
    self.auxiliaryWeight = auxiliaryWeight
    self.residual = residual
  }

  public var experts: Int { router.shape[0] }
  var expertRank: Int { a.shape[0] / experts }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    [("goat_A", a), ("goat_B", b), ("goat_router", router)]
  }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    body("goat_A", &a)
    body("goat_B", &b)
    body("goat_router", &router)
  }

  public var usesBranch: Bool { true }

  public func denseWeight(base: Tensor<Scalar>, branch: Bool) -> Tensor<Scalar> { residual }

  public func merged(base: Tensor<Scalar>) -> Tensor<Scalar>? { nil }

  public func unmerged(_ merged: Tensor<Scalar>) -> Tensor<Scalar>? { nil }

  public func makeBranchState(rowCount: Int, using rng: inout SplitMix64) -> (any BranchState)? {
    RoutingState<Scalar>(rows: rowCount, experts: experts, rank: a.shape[0])
  }

  public func forwardBranch(_ r: LinearRows<Scalar>, state: any BranchState) {
    guard let st = state as? RoutingState<Scalar> else { return }
    let (e, rank, inDim, out, n, ri) = (experts, a.shape[0], a.shape[1], b.shape[0], r.rows.count, expertRank)
    let first = r.rows.lowerBound
    let (p, w, h) = (st.probabilities + first * e, st.weights + first * e, st.hidden + first * rank)
    router.withBase { gp in Rows.gemm(.none, .transposed, m: n, n: e, k: inDim, r.x, r.ldx, gp, inDim, p, e) }
    a.withBase { ap in Rows.gemm(.none, .transposed, m: n, n: rank, k: inDim, r.x, r.ldx, ap, inDim, h, rank) }
    var weighted = [Scalar](repeating: 0, count: n * rank)
    for row in 0..<n {
      let (pr, wr) = (p + row * e, w + row * e)
      softmax(pr, e)
      let chosen = Self.top(topK, of: pr, e)
      var total: Scalar = 0
      for i in chosen { total += pr[i] }
      for i in 0..<e { wr[i] = 0 }
      for i in chosen { wr[i] = pr[i] / total }
      for i in chosen { for j in i * ri..<(i + 1) * ri { weighted[row * rank + j] = wr[i] * h[row * rank + j] } }
    }
    b.withBase { bp in
      weighted.withUnsafeBufferPointer { hw in
        Rows.gemm(.none, .transposed, m: n, n: out, k: rank, alpha: scale, hw.requiredBaseAddress, rank, bp, rank, beta: 1, r.y, r.ldy)
      }
    }
  }

  public func auxiliaryLoss(state: any BranchState) -> Double {
    guard let st = state as? RoutingState<Scalar> else { return 0 }
    let (f, meanP) = st.loadStatistics()
    return Double(experts) * zip(f, meanP).reduce(0) { $0 + $1.0 * $1.1 }
  }

  public func gradients(_ g: LinearGradient<Scalar>, base: Tensor<Scalar>, state: (any BranchState)?) -> [Tensor<Scalar>] {
    let (e, rank, inDim, out, n, ri) = (experts, a.shape[0], a.shape[1], b.shape[0], g.rowCount, expertRank)
    var dA = Tensor<Scalar>(shape: a.shape), dB = Tensor<Scalar>(shape: b.shape), dG = Tensor<Scalar>(shape: router.shape)
    guard let st = state as? RoutingState<Scalar>, st.rows == n else { return [dA, dB, dG] }
    let (p, w, h) = (st.probabilities, st.weights, st.hidden)
    let (f, _) = st.loadStatistics()
    let auxGrad = f.map { Scalar(auxiliaryWeight * Double(e) * $0 / Double(n)) }
    var u = [Scalar](repeating: 0, count: n * rank)  // G B, then weighted by w
    var hw = [Scalar](repeating: 0, count: n * rank)  // H weighted by w
    var dz = [Scalar](repeating: 0, count: n * e)
    u.withUnsafeMutableBufferPointer { ub in
      hw.withUnsafeMutableBufferPointer { hb in
        dz.withUnsafeMutableBufferPointer { zb in
          let (up, hp, zp) = (ub.requiredBaseAddress, hb.requiredBaseAddress, zb.requiredBaseAddress)
          b.withBase { bp in Rows.gemm(.none, .none, m: n, n: rank, k: out, g.dY, g.ldy, bp, rank, up, rank) }
          var dw = [Scalar](repeating: 0, count: e)
          var dp = [Scalar](repeating: 0, count: e)
          for row in 0..<n {
            let (pr, wr, hr, ur) = (p + row * e, w + row * e, h + row * rank, up + row * rank)
            var weightedSum: Scalar = 0
            var selectedP: Scalar = 0
            for i in 0..<e {
              var s: Scalar = 0
              for j in i * ri..<(i + 1) * ri { s += ur[j] * hr[j] }
              dw[i] = scale * s
              if wr[i] > 0 {
                weightedSum += wr[i] * dw[i]
                selectedP += pr[i]
              }
            }
            for i in 0..<e {
              dp[i] = (wr[i] > 0 ? (dw[i] - weightedSum) / selectedP : 0) + auxGrad[i]
            }
            var dot: Scalar = 0
            for i in 0..<e { dot += pr[i] * dp[i] }
            for i in 0..<e { zp[row * e + i] = pr[i] * (dp[i] - dot) }
            for i in 0..<e {
              for j in i * ri..<(i + 1) * ri {
                hp[row * rank + j] = wr[i] * hr[j]
                ur[j] *= wr[i]
              }
            }
          }
          dB.withMutableBase { Rows.gemm(.transposed, .none, m: out, n: rank, k: n, alpha: scale, g.dY, g.ldy, hp, rank, $0, rank) }
          dA.withMutableBase { Rows.gemm(.transposed, .none, m: rank, n: inDim, k: n, alpha: scale, up, rank, g.x, g.ldx, $0, inDim) }
          dG.withMutableBase { Rows.gemm(.transposed, .none, m: e, n: inDim, k: n, zp, e, g.x, g.ldx, $0, inDim) }
          a.withBase { ap in Rows.gemm(.none, .none, m: n, n: inDim, k: rank, alpha: scale, up, rank, ap, inDim, beta: 1, g.dX, g.lddx) }
          router.withBase { gp in Rows.gemm(.none, .none, m: n, n: inDim, k: e, zp, e, gp, inDim, beta: 1, g.dX, g.lddx) }
        }
      }
    }
    return [dA, dB, dG]
  }

  /// Indices of the `k` largest of `v[0..<n]`, ties to the lower index.
  static func top(_ k: Int, of v: UnsafePointer<Scalar>, _ n: Int) -> [Int] {
    Array((0..<n).sorted { v[$0] != v[$1] ? v[$0] > v[$1] : $0 < $1 }.prefix(k))
  }
}

@inline(__always)
private func softmax<S: BLASScalar>(_ v: UnsafeMutablePointer<S>, _ n: Int) {
  var m = v[0]
  for i in 1..<n { m = max(m, v[i]) }
  var total: S = 0
  for i in 0..<n {
    v[i] = S.exp(v[i] - m)
    total += v[i]
  }
  for i in 0..<n { v[i] /= total }
}

/// GOAT's per-step routing: probabilities and mixture weights `[N, E]`, expert inputs `H = X Aᵀ` `[N, r]`.
final class RoutingState<Scalar: BLASScalar>: BranchState, @unchecked Sendable {
  let rows, experts: Int
  let probabilities, weights, hidden: UnsafeMutablePointer<Scalar>

  init(rows: Int, experts: Int, rank: Int) {
    self.rows = rows
    self.experts = experts
    probabilities = .allocate(capacity: max(1, rows * experts))
    weights = .allocate(capacity: max(1, rows * experts))
    hidden = .allocate(capacity: max(1, rows * rank))
    probabilities.initialize(repeating: 0, count: max(1, rows * experts))
    weights.initialize(repeating: 0, count: max(1, rows * experts))
    hidden.initialize(repeating: 0, count: max(1, rows * rank))
  }

  deinit {
    probabilities.deallocate()
    weights.deallocate()
    hidden.deallocate()
  }

  /// `f_i` (share of (token, slot) selections, summing to k) and `P̄_i` (mean probability).
  func loadStatistics() -> (f: [Double], meanP: [Double]) {
    var f = [Double](repeating: 0, count: experts), mean = [Double](repeating: 0, count: experts)
    for row in 0..<rows {
      for i in 0..<experts {
        if weights[row * experts + i] > 0 { f[i] += 1 }
        mean[i] += Double(probabilities[row * experts + i])
      }
    }
    let n = Double(max(1, rows))
    return (f.map { $0 / n }, mean.map { $0 / n })
  }
}
