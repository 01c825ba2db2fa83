import Dispatch
import Foundation
import Synchronization

/// Fork-join helpers over `DispatchQueue.concurrentPerform`.
public enum Parallel {
  /// The default number of workers: the active processor count.
  public static var defaultWorkerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// Runs `body(worker, item)` for every `item` in `0..<count` on up to `workers` threads.
  ///
  /// Each worker owns a contiguous block of items (block `k` of ``ranges(_:parts:)``), so
  /// successive calls with the same `count` keep the same data on the same core's cache; a worker
  /// that finishes its block early takes unclaimed items from the others (each block has an atomic
  /// cursor), so one descheduled thread on a busy machine does not hold the rest up. `worker`
  /// (in `0..<workers`) identifies the thread so that it can own scratch memory. Which worker runs
  /// an item never changes the item's result, so outputs are deterministic. Runs inline when
  /// `workers <= 1` or `count <= 1`.
  public static func forEach(
    _ count: Int, workers: Int, _ body: (_ worker: Int, _ item: Int) -> Void
  ) {
    let w = min(max(1, workers), count)
    if w <= 1 {
      for i in 0..<count { body(0, i) }
      return
    }
    let blocks = ranges(count, parts: w)
    let cursors = blocks.map { AtomicCounter($0.lowerBound) }
    withoutActuallyEscaping(body) { body in
      let box = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: blocks.count) { worker in
        for k in 0..<blocks.count {
          let block = (worker + k) % blocks.count
          while true {
            let i = cursors[block].value.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= blocks[block].upperBound { break }
            box.value(worker, i)
          }
        }
      }
    }
  }

  /// Splits `0..<count` into `parts` contiguous ranges of near-equal size (empty ones dropped).
  public static func ranges(_ count: Int, parts: Int) -> [Range<Int>] {
    let p = max(1, min(parts, count))
    var out: [Range<Int>] = []
    var start = 0
    for i in 0..<p {
      let end = start + (count - start) / (p - i)
      if end > start { out.append(start..<end) }
      start = end
    }
    return out
  }
}

/// Wraps a non-`Sendable` value that is shared across the workers of one fork-join region.
///
/// Safe only under the discipline of the caller: the workers write disjoint memory and the region
/// joins before the value is used again. Used for raw pointers into buffers owned by one call.
public struct UncheckedSendable<Value>: @unchecked Sendable {
  /// The wrapped value.
  public let value: Value
  /// Wraps `value`.
  public init(_ value: Value) { self.value = value }
}

/// A shared counter for handing out work items.
final class AtomicCounter: Sendable {
  let value: Atomic<Int>
  init(_ start: Int) { value = Atomic(start) }
}
