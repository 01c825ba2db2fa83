import Corpus
import Encoder
import Tensor

/// S2FT (Yang et al. 2024): a dense delta on selected rows (value heads, FFN up channels) or
/// columns (attention-output heads, FFN down channels) of one weight, initialised at zero. The
/// selection is kept as index lists instead of permuting the model (the permutation only buys
/// contiguous BLAS calls; the function is the same). Gradients touch only the slice:
/// rows `R`: `dΔ = G[:, R]ᵀ X`; columns `C`: `dΔ = Gᵀ X[:, C]`.
public struct S2FTSlice<Scalar: BLASScalar>: LinearAdapter {
  public enum Axis: String, Sendable, Codable { case rows, columns }

  public let site: LinearSite
  public let axis: Axis
  /// Selected rows or columns of the weight, ascending.
  public let indices: [Int]
  /// `[indices.count, in]` (rows) or `[out, indices.count]` (columns).
  public var delta: Tensor<Scalar>

  public init(site: LinearSite, axis: Axis, indices: [Int], out: Int, in inDim: Int) {
    self.site = site
    self.axis = axis
    self.indices = indices.sorted()
    delta = Tensor(shape: axis == .rows ? [indices.count, inDim] : [out, indices.count])
  }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { [("s2ft_delta", delta)] }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) { body("s2ft_delta", &delta) }

  public func denseWeight(base: Tensor<Scalar>, branch: Bool) -> Tensor<Scalar> {
    var w = base
    let (inDim, k) = (base.shape[1], indices.count)
    w.withMutableBase { p in
      for (j, idx) in indices.enumerated() {
        switch axis {
        case .rows: for c in 0..<inDim { p[idx * inDim + c] += delta.scalars[j * inDim + c] }
        case .columns: for o in 0..<base.shape[0] { p[o * inDim + idx] += delta.scalars[o * k + j] }
        }
      }
    }
    return w
  }

  public func gradients(_ g: LinearGradient<Scalar>, base: Tensor<Scalar>, state: (any BranchState)?) -> [Tensor<Scalar>] {
    let (n, k, out, inDim) = (g.rowCount, indices.count, base.shape[0], base.shape[1])
    var d = Tensor<Scalar>(shape: delta.shape)
    guard k > 0 else { return [d] }
    var gathered = [Scalar](repeating: 0, count: n * k)
    gathered.withUnsafeMutableBufferPointer { gb in
      let gp = gb.requiredBaseAddress
      switch axis {
      case .rows:
        for row in 0..<n { for (j, i) in indices.enumerated() { gp[row * k + j] = g.dY[row * g.ldy + i] } }
        d.withMutableBase { Rows.gemm(.transposed, .none, m: k, n: inDim, k: n, gp, k, g.x, g.ldx, $0, inDim) }
      case .columns:
        for row in 0..<n { for (j, i) in indices.enumerated() { gp[row * k + j] = g.x[row * g.ldx + i] } }
        d.withMutableBase { Rows.gemm(.transposed, .none, m: out, n: k, k: n, g.dY, g.ldy, gp, k, $0, k) }
      }
    }
    return [d]
  }

  public func unmerged(_ merged: Tensor<Scalar>) -> Tensor<Scalar>? {
    var neg = self
    neg.delta = Tensor(shape: delta.shape, scalars: delta.scalars.map { -$0 })
    return neg.denseWeight(base: merged, branch: false)
  }
}
