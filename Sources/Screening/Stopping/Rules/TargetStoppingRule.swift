import Foundation

/// Cormack & Grossman's Target method: stop once the ranking has found every record of an
/// independent random target set.
///
/// Definition (Cormack & Grossman SIGIR 2016; auto-stop-tar `target.py`): draw records uniformly
/// at random from the whole review and review them until T relevant ones were found (or every
/// record was drawn); those relevant records are the target set. Screen in ranked order and stop
/// as soon as every target record has been reached by the ranking. Review effort is the ranked
/// screening plus the sample records the ranking never reached
/// (`TargetSample.unscreenedCount`). The paper uses T = 10; larger T for higher recall targets.
/// auto-stop-tar draws in batches of 100; this draws one record at a time (the smallest sample).
/// An empty target set (the sample covered the review and found nothing) stops at once.
public struct TargetStoppingRule: StoppingRule {
  /// T: relevant records wanted in the sample.
  public let targetCount: Int

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for T below 1.
  public init(targetCount: Int = 10) throws(StoppingError) {
    try StoppingValidation.positive(targetCount, rule: "target", parameter: "the target count T")
    self.targetCount = targetCount
  }

  /// `target:10`.
  public var name: String { "target:\(targetCount)" }

  /// The simulator draws a sample with T relevant records for this rule.
  public var targetSetSize: Int? { targetCount }

  /// Stop when the sample is complete and the ranking has reached all its relevant records.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    guard let sample = progress.targetSample else {
      return .notApplicable("needs a random target sample with \(targetCount) relevant records")
    }
    let isComplete = sample.relevantCount >= targetCount || sample.size >= progress.total
    guard isComplete else {
      return .keepScreening(
        "the target sample has \(sample.relevantCount) of \(targetCount) relevant records in \(sample.size) "
          + "drawn; keep sampling")
    }
    let found = sample.relevantScreenedCount
    let statistic = sample.relevantCount == 0 ? 1 : Double(found) / Double(sample.relevantCount)
    let extra = sample.unscreenedCount > 0 ? " (+\(sample.unscreenedCount) sample records outside the ranking)" : ""
    if found == sample.relevantCount {
      return .stop(
        "all \(sample.relevantCount) target records found by the screening (sample of \(sample.size))" + extra,
        statistic: statistic)
    }
    return .keepScreening(
      "\(found) of \(sample.relevantCount) target records found by the screening", statistic: statistic)
  }
}
