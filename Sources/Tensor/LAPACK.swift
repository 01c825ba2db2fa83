import COpenBLAS
import Failures

/// Errors from the LAPACK wrappers.
public enum LAPACKError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A LAPACK routine returned a non-zero `info`.
  case failed(routine: String, info: Int)

  public var description: String {
    switch self {
    case .failed(let routine, let info):
      info < 0
        ? "\(routine): argument \(-info) had an illegal value"
        : "\(routine): did not converge (info = \(info))"
    }
  }
}

/// Thin wrappers over the Fortran LAPACK routines OpenBLAS ships (declared in the COpenBLAS shim).
public enum LAPACK {
  /// Thin SVD of a row-major `[m, n]` matrix in Double: `a = u · diag(s) · vt`.
  ///
  /// - Returns: `u` `[m, r]`, `s` `[r]` (descending), `vt` `[r, n]` with `r = min(m, n)`.
  /// - Throws: ``LAPACKError`` when `dgesdd_` fails.
  public static func svd(_ a: Tensor<Double>) throws -> (
    u: Tensor<Double>, s: Tensor<Double>, vt: Tensor<Double>
  ) {
    precondition(a.rank == 2, "svd needs a rank-2 tensor, got \(a.shape)")
    let (m, n) = (a.shape[0], a.shape[1])
    let r = min(m, n)
    // Row-major A[m,n] is column-major Aᵀ[n,m]. SVD of Aᵀ = V S Uᵀ, so computing the SVD of the
    // column-major [n, m] matrix gives U' = V (n×r), VT' = Uᵀ (r×m), both column-major. Read back
    // as row-major: U' col-major [n, r] is row-major [r, n] = Vᵀ; VT' col-major [r, m] is row-major
    // [m, r] = U.
    var work = a.scalars
    var s = [Double](repeating: 0, count: r)
    var uPrime = [Double](repeating: 0, count: n * r)  // col-major [n, r]
    var vtPrime = [Double](repeating: 0, count: r * m)  // col-major [r, m]
    var rows = Int32(n), cols = Int32(m), lda = Int32(n), ldu = Int32(n), ldvt = Int32(r)
    var jobz = Int8(UInt8(ascii: "S"))
    var iwork = [Int32](repeating: 0, count: 8 * r)
    var info: Int32 = 0
    var lwork: Int32 = -1
    var query: Double = 0
    dgesdd_(
      &jobz, &rows, &cols, &work, &lda, &s, &uPrime, &ldu, &vtPrime, &ldvt, &query, &lwork,
      &iwork, &info, 1)
    guard info == 0 else { throw LAPACKError.failed(routine: "dgesdd_", info: Int(info)) }
    lwork = Int32(query)
    var buffer = [Double](repeating: 0, count: max(1, Int(lwork)))
    dgesdd_(
      &jobz, &rows, &cols, &work, &lda, &s, &uPrime, &ldu, &vtPrime, &ldvt, &buffer, &lwork,
      &iwork, &info, 1)
    guard info == 0 else { throw LAPACKError.failed(routine: "dgesdd_", info: Int(info)) }
    _ = (rows, cols, lda, ldu, ldvt)
    return (
      Tensor(shape: [m, r], scalars: vtPrime), Tensor(shape: [r], scalars: s),
      Tensor(shape: [r, n], scalars: uPrime)
    )
  }
}

/// A factorisation that fails on the matrices csmed builds is csmed's failure, not the input's.
extension LAPACKError: CategorizedError {
  public var category: ErrorCategory { .software }
}
