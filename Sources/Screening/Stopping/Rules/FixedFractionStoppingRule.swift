import Foundation

/// Stop after screening a fixed share of the review.
///
/// Definition (ASReview `QuantileLabeled(q)`, "review half" in tarexp `ReviewHalfStoppingRule`
/// with q = 0.5): stop when n/N ≥ q, compared in floating point exactly as ASReview does.
public struct FixedFractionStoppingRule: StoppingRule {
  /// q, the share of N to screen.
  public let fraction: Double

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for a fraction outside (0, 1].
  public init(fraction: Double) throws(StoppingError) {
    try StoppingValidation.recall(fraction, rule: "fraction", parameter: "the fraction of N")
    self.fraction = fraction
  }

  /// `fraction:0.5`.
  public var name: String { "fraction:" + StoppingFormat.number(fraction, digits: 6) }

  /// Stop when n/N ≥ q.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    guard progress.total > 0 else { return .notApplicable("the review has no records") }
    let share = Double(progress.screenedCount) / Double(progress.total)
    let text = "\(progress.screenedCount) of \(progress.total) screened (\(StoppingFormat.percent(share)))"
    if share >= fraction {
      return .stop(text + " ≥ \(StoppingFormat.percent(fraction))", statistic: share)
    }
    return .keepScreening(text + " < \(StoppingFormat.percent(fraction))", statistic: share)
  }
}
