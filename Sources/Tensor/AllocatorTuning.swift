#if canImport(Glibc)
  import Glibc
#endif

/// Keeps freed blocks in the process for reuse instead of handing them back to the kernel.
///
/// A training step allocates activation and gradient buffers of tens to hundreds of megabytes.
/// glibc serves blocks that large with a fresh `mmap` and unmaps them on `free`, so every step
/// page-faults and zero-fills its buffers again (measured: 8-15% of a train step). Raising the
/// mmap and trim thresholds makes the heap keep those pages, and the next step reuses them.
/// Peak memory is unchanged (it is the same buffers); the resident size simply does not shrink
/// between steps.
public enum AllocatorTuning {
  /// Applies the thresholds once for the whole process. Harmless where glibc is not the allocator.
  public static func retainFreedMemory() {
    #if canImport(Glibc)
      // `mallopt` is not in Swift's Glibc module map; look it up by name.
      typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
      let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
      let (trimThreshold, mmapThreshold): (Int32, Int32) = (-1, -3)  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
      _ = mallopt(mmapThreshold, 1 << 30)
      _ = mallopt(trimThreshold, Int32.max)
    #endif
  }

  /// Hands the free pages inside the heap back to the kernel (glibc's `malloc_trim`; nothing
  /// where glibc is not the allocator). The retention above suits buffers of the same sizes every
  /// step; work that frees buffers of many sizes (int8 inference: oneDNN's packing, per-chunk
  /// scratch) fragments the retained heap instead, and calls this now and then.
  public static func releaseFreeMemory() {
    #if canImport(Glibc)
      _ = malloc_trim?(0)
    #endif
  }

  #if canImport(Glibc)
    // Not in Swift's Glibc module map either; looked up once.
    private static let malloc_trim: (@convention(c) (Int) -> Int32)? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
      .map { unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self) }
  #endif
}
