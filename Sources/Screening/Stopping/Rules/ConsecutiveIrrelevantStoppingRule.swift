import Foundation

/// ASReview's heuristic: stop after a run of consecutive irrelevant records.
///
/// Definition (ASReview `NConsecutiveIrrelevant`, asreview/models/stoppers.py): with run length
/// m, stop when more than m records have been screened (n > m) and the last m labels are all
/// irrelevant. The run length is either a count or a fraction of N, m = ⌈f·N⌉ (at least 1);
/// stopping-methods' `HEURISTIC_FIX` uses 50, 100, 200, 300 (Repke et al. 2026).
public struct ConsecutiveIrrelevantStoppingRule: StoppingRule {
  /// How the run length is given.
  public enum RunLength: Sendable, Hashable {
    /// A fixed number of records.
    case count(Int)
    /// A fraction of N, rounded up.
    case fraction(Double)
  }

  /// The run length.
  public let runLength: RunLength

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for a count below 1 or a fraction outside (0, 1].
  public init(runLength: RunLength) throws(StoppingError) {
    switch runLength {
    case .count(let count):
      try StoppingValidation.positive(count, rule: "consecutive", parameter: "the run length")
    case .fraction(let fraction):
      try StoppingValidation.recall(fraction, rule: "consecutive", parameter: "the run length as a fraction of N")
    }
    self.runLength = runLength
  }

  /// `consecutive:100` or `consecutive:5%`.
  public var name: String {
    switch runLength {
    case .count(let count): "consecutive:\(count)"
    case .fraction(let fraction): "consecutive:" + StoppingFormat.number(fraction * 100, digits: 6) + "%"
    }
  }

  /// m for a review of `total` records.
  public func runLength(total: Int) -> Int {
    switch runLength {
    case .count(let count): count
    case .fraction(let fraction): max(1, Int((fraction * Double(total)).rounded(.up)))
    }
  }

  /// Stop when n > m and the last m labels are irrelevant.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    let m = runLength(total: progress.total)
    let n = progress.screenedCount
    var run = 0
    for label in progress.labels.reversed() {
      guard !label else { break }
      run += 1
    }
    let statistic = Double(run)
    guard n > m else {
      return .keepScreening(
        "\(n) screened, needs more than \(m) before a run of \(m) irrelevant counts", statistic: statistic)
    }
    if run >= m {
      return .stop("the last \(m) records are irrelevant (run of \(run) since the last relevant)", statistic: statistic)
    }
    return .keepScreening("\(run) consecutive irrelevant < \(m)", statistic: statistic)
  }
}
