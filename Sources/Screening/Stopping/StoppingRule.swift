import Foundation

/// A stopping rule for prioritised screening: given the screening so far, should the reviewer
/// stop?
///
/// Rules are small immutable values. `decision(for:)` is a pure function of the state, so a rule
/// can be evaluated live (`csmed stop`) or at every position of a simulated ranking.
public protocol StoppingRule: Sendable {
  /// A short name that is also the rule's specification (`knee`, `target:10`), so that
  /// `StoppingRuleCatalog.rules(from:)` reads it back.
  var name: String { get }

  /// Whether to stop after the screening described by `progress`, and why.
  func decision(for progress: ScreeningProgress) -> StopDecision

  /// The number of relevant records the rule needs in an independent uniform random sample of
  /// the review (the Target method's target set), or `nil` when it needs none. The simulator
  /// draws such a sample for rules that ask for one.
  var targetSetSize: Int? { get }
}

extension StoppingRule {
  /// No independent sample needed.
  public var targetSetSize: Int? { nil }
}

/// Parameter validation shared by the rules.
enum StoppingValidation {
  static func recall(_ value: Double, rule: String, parameter: String = "the target recall") throws(StoppingError) {
    guard value.isFinite, value > 0, value <= 1 else {
      throw .invalidParameter(rule: rule, parameter: parameter, expected: "a value in (0, 1]", found: "\(value)")
    }
  }

  static func probability(_ value: Double, rule: String, parameter: String) throws(StoppingError) {
    guard value.isFinite, value > 0, value < 1 else {
      throw .invalidParameter(rule: rule, parameter: parameter, expected: "a value in (0, 1)", found: "\(value)")
    }
  }

  static func positive(_ value: Int, rule: String, parameter: String) throws(StoppingError) {
    guard value > 0 else {
      throw .invalidParameter(rule: rule, parameter: parameter, expected: "a positive integer", found: "\(value)")
    }
  }
}
