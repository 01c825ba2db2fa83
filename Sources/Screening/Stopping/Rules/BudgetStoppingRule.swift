import Foundation

/// Cormack & Grossman's budget method: the knee method with a review budget, or a cap.
///
/// Definition (Cormack & Grossman SIGIR 2016; tarexp `BudgetStoppingRule`): stop when
/// (ρ ≥ 6 **and** n ≥ 10·N / relret(n)) **or** n ≥ 0.75·N, with ρ the knee's slope ratio as in
/// `KneeStoppingRule` (same knee location). 10·N/relret(n) is the number of records a uniform
/// random sample would need to find about 10 relevant ones, so the budget is at least as large
/// as the effort of the Target method with T = 10. No relevant record found: only the 75% cap
/// can stop. (tarexp compares against relret at the last loop index and the batch count, a
/// slip; this follows the paper and the other reproductions in using relret(n) and n.)
public struct BudgetStoppingRule: StoppingRule {
  /// The fixed slope ratio (6).
  public let slopeRatio: Double
  /// The budget multiplier (10): n ≥ multiplier·N/relret(n).
  public let multiplier: Double
  /// The cap (0.75): stop once n ≥ cap·N whatever the curve.
  public let cap: Double
  /// How the knee is located.
  public let kneeLocation: KneeStoppingRule.KneeLocation

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for a non-positive ratio or multiplier, or a cap
  ///   outside (0, 1].
  public init(
    slopeRatio: Double = 6, multiplier: Double = 10, cap: Double = 0.75,
    kneeLocation: KneeStoppingRule.KneeLocation = .farthestFromChord
  ) throws(StoppingError) {
    guard slopeRatio.isFinite, slopeRatio > 0 else {
      throw .invalidParameter(
        rule: "budget", parameter: "the slope ratio", expected: "a positive number", found: "\(slopeRatio)")
    }
    guard multiplier.isFinite, multiplier > 0 else {
      throw .invalidParameter(
        rule: "budget", parameter: "the multiplier", expected: "a positive number", found: "\(multiplier)")
    }
    try StoppingValidation.recall(cap, rule: "budget", parameter: "the cap")
    self.slopeRatio = slopeRatio
    self.multiplier = multiplier
    self.cap = cap
    self.kneeLocation = kneeLocation
  }

  /// `budget` (parameters other than the defaults are not part of the specification).
  public var name: String {
    slopeRatio == 6 && multiplier == 10 && cap == 0.75 && kneeLocation == .farthestFromChord ? "budget" : "budget*"
  }

  /// Stop when (ρ ≥ 6 and n ≥ 10·N/relret(n)) or n ≥ 0.75·N.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    let n = progress.screenedCount
    let total = progress.total
    let r = progress.relevantCount
    let capCount = cap * Double(total)
    if Double(n) >= capCount {
      return .stop("\(n) screened ≥ \(StoppingFormat.number(cap)) × \(total) = \(StoppingFormat.number(capCount))")
    }
    guard let knee = KneeStoppingRule.knee(in: progress, location: kneeLocation) else {
      return .keepScreening(
        (r == 0 ? "no relevant record found yet" : "too few records for a knee")
          + "; \(n) screened < \(StoppingFormat.number(capCount)) (cap)")
    }
    let budget = multiplier * Double(total) / Double(r)
    let ratio = StoppingFormat.number(knee.slopeRatio)
    let kneeText = "knee at \(knee.rank) with slope ratio \(ratio)"
    let budgetText =
      "\(n) screened vs budget \(StoppingFormat.number(multiplier)) × \(total) / \(r) = \(StoppingFormat.number(budget))"
    if knee.slopeRatio >= slopeRatio, Double(n) >= budget {
      return .stop(kneeText + " ≥ \(StoppingFormat.number(slopeRatio)) and " + budgetText, statistic: knee.slopeRatio)
    }
    let comparison = knee.slopeRatio >= slopeRatio ? " ≥ " : " < "
    return .keepScreening(
      kneeText + comparison + StoppingFormat.number(slopeRatio) + "; " + budgetText
        + "; cap \(StoppingFormat.number(capCount))",
      statistic: knee.slopeRatio)
  }
}
