import Foundation

/// What a stopping rule says about a screening state: stop, keep screening, or cannot tell.
public struct StopDecision: Sendable, Hashable {
  /// The three possible outcomes.
  public enum Verdict: String, Sendable, Hashable {
    /// The rule's criterion is met: screening may stop here.
    case stop
    /// The criterion is not met yet.
    case `continue`
    /// The rule lacks an input it needs (scores, a random sample), so it cannot decide.
    case notApplicable = "not applicable"
  }

  /// The outcome.
  public var verdict: Verdict
  /// A sentence with the numbers behind the verdict
  /// (`knee at 312 with slope ratio 6.2 ≥ 6`).
  public var reason: String
  /// The rule's statistic when it has one (slope ratio, p-value, estimated recall).
  public var statistic: Double?

  /// Creates a decision.
  public init(verdict: Verdict, reason: String, statistic: Double? = nil) {
    self.verdict = verdict
    self.reason = reason
    self.statistic = statistic
  }

  /// Whether the rule says to stop.
  public var shouldStop: Bool { verdict == .stop }

  /// A decision to stop.
  public static func stop(_ reason: String, statistic: Double? = nil) -> StopDecision {
    StopDecision(verdict: .stop, reason: reason, statistic: statistic)
  }

  /// A decision to keep screening.
  public static func keepScreening(_ reason: String, statistic: Double? = nil) -> StopDecision {
    StopDecision(verdict: .continue, reason: reason, statistic: statistic)
  }

  /// A decision that the rule cannot apply to this state.
  public static func notApplicable(_ reason: String) -> StopDecision {
    StopDecision(verdict: .notApplicable, reason: reason)
  }
}

/// Number formatting shared by the rules' reasons (locale-independent, at most `digits`
/// significant digits, no trailing zeros).
enum StoppingFormat {
  static func number(_ value: Double, digits: Int = 3) -> String {
    guard value.isFinite else { return value > 0 ? "∞" : (value < 0 ? "−∞" : "nan") }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(format: "%.\(digits)g", value)
  }

  static func percent(_ fraction: Double) -> String {
    number(fraction * 100, digits: 4) + "%"
  }
}
