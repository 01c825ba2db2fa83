import Tensor

/// How token states become one vector per sequence.
public enum Pooling: String, Sendable, Equatable, CaseIterable {
  /// Mean over the real (unpadded) tokens, as sentence-transformers' `pooling_mode_mean_tokens`.
  case mean
  /// The first token's state (`[CLS]`).
  case cls
}

/// Pooling and normalisation of encoder outputs.
public enum Pool {
  /// Pools `hidden` `[B, T, H]` to `[B, H]`; `lengths` `[B]` are the valid token counts.
  /// - Precondition: `hidden` is rank 3 and `lengths` has `B` values in `1...T`.
  public static func apply<S: BLASScalar>(_ pooling: Pooling, _ hidden: Tensor<S>, lengths: [Int]) -> Tensor<S> {
    precondition(
      hidden.rank == 3 && lengths.count == hidden.shape[0], "pooling \(hidden.shape) with \(lengths.count) lengths")
    let (b, t, h) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
    precondition(lengths.allSatisfy { (1...t).contains($0) }, "lengths \(lengths) for T = \(t)")
    var out = Tensor<S>(shape: [b, h])
    switch pooling {
    case .cls:
      for i in 0..<b { for j in 0..<h { out[i, j] = hidden[i, 0, j] } }
    case .mean:
      // Sum over the valid rows as a [1, L] x [L, H] product with alpha = 1 / L.
      let ones = [S](repeating: 1, count: t)
      hidden.withUnsafeBufferPointer { hp in
        ones.withUnsafeBufferPointer { op in
          out.withUnsafeMutableBufferPointer { outp in
            for i in 0..<b {
              S.gemm(
                .none, .none, m: 1, n: h, k: lengths[i], alpha: 1 / S(lengths[i]),
                a: op.requiredBaseAddress, lda: t, b: hp.requiredBaseAddress + i * t * h, ldb: h,
                beta: 0, c: outp.requiredBaseAddress + i * h, ldc: h)
            }
          }
        }
      }
    }
    return out
  }

  /// Each row of `x` `[B, H]` divided by `max(‖row‖₂, 1e-12)` (PyTorch `F.normalize`).
  public static func l2Normalized<S: BLASScalar>(_ x: Tensor<S>) -> Tensor<S> {
    precondition(x.rank == 2, "l2Normalized needs [B, H], got \(x.shape)")
    var out = x
    let (b, h) = (x.shape[0], x.shape[1])
    for i in 0..<b {
      var s: S = 0
      for j in 0..<h { s += x[i, j] * x[i, j] }
      let norm = Swift.max(s.squareRoot(), S(1e-12))
      for j in 0..<h { out[i, j] = x[i, j] / norm }
    }
    return out
  }
}
