import COpenBLAS

/// Control of OpenBLAS's own thread pool.
///
/// Parallelism has one owner at a time: either OpenBLAS threads inside each GEMM, or our own
/// workers (``Parallel``) each calling single-threaded GEMM. The encoder uses the latter, because
/// OpenBLAS's two-thread mode is erratic on small VMs.
public enum BLASThreads {
  /// The number of threads OpenBLAS uses per call.
  public static var count: Int { Int(openblas_get_num_threads()) }

  /// Sets the number of threads OpenBLAS uses per call (clamped to at least 1).
  public static func set(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

  /// The OpenBLAS build configuration and the kernel chosen at run time.
  public static var configuration: String {
    let config = openblas_get_config().map { String(cString: $0) } ?? "?"
    let core = openblas_get_corename().map { String(cString: $0) } ?? "?"
    return "\(config) core=\(core)"
  }
}
