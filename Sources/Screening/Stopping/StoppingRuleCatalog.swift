import Foundation

/// One rule's verdict on a screening state (what `csmed stop` prints per rule).
public struct StoppingRuleDecision: Sendable, Hashable {
  /// The rule's name.
  public var rule: String
  /// Its decision.
  public var decision: StopDecision
}

/// Rule specifications as the command line writes them, and the default rule set.
///
/// A list is comma-separated; each item is a name with optional `:`-separated parameters:
///
/// | specification | rule |
/// | --- | --- |
/// | `consecutive:M`, `consecutive:P%` | `ConsecutiveIrrelevantStoppingRule` (M records or P% of N) |
/// | `knee`, `knee:MIN`, `knee:MIN:RATIO`, suffix `+max-ratio` | `KneeStoppingRule` |
/// | `budget` | `BudgetStoppingRule` |
/// | `target`, `target:T` | `TargetStoppingRule` (T = 10) |
/// | `quant`, `quant:τ` | `QuantStoppingRule` |
/// | `quantci`, `quantci:τ`, `quantci:τ:NSTD` | `QuantCIStoppingRule` |
/// | `hypergeometric` (or `buscar`, `cmh`), `…:τ`, `…:τ:α`, suffix `+random` | `HypergeometricStoppingRule` |
/// | `fraction:Q` | `FixedFractionStoppingRule` (Q = 0.5) |
///
/// τ defaults to the target recall passed in. Every rule's `name` parses back to the same rule.
public enum StoppingRuleCatalog {
  /// The rule names accepted.
  public static let knownNames = [
    "consecutive", "knee", "budget", "target", "quant", "quantci", "hypergeometric", "buscar", "cmh", "fraction",
  ]

  /// The default set: `consecutive:100,knee,budget,target:10,quant,quantci,hypergeometric,fraction:0.5`.
  public static func defaultRules(targetRecall: Double = 0.95) throws(StoppingError) -> [any StoppingRule] {
    try rules(
      from: "consecutive:100,knee,budget,target:10,quant,quantci,hypergeometric,fraction:0.5",
      targetRecall: targetRecall)
  }

  /// Evaluates every rule on one state.
  public static func decisions(of rules: [any StoppingRule], for progress: ScreeningProgress) -> [StoppingRuleDecision]
  {
    rules.map { StoppingRuleDecision(rule: $0.name, decision: $0.decision(for: progress)) }
  }

  /// Parses a comma-separated list of specifications.
  ///
  /// - Throws: `StoppingError.unknownRule` for an unknown name or malformed item, or
  ///   `StoppingError.invalidParameter` for a parameter out of range.
  public static func rules(from list: String, targetRecall: Double = 0.95) throws(StoppingError) -> [any StoppingRule] {
    let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !items.isEmpty else { throw .unknownRule(specification: list, known: knownNames) }
    var rules: [any StoppingRule] = []
    for item in items { rules.append(try rule(from: item, targetRecall: targetRecall)) }
    return rules
  }

  /// Parses one specification.
  ///
  /// - Throws: `StoppingError.unknownRule` or `StoppingError.invalidParameter`.
  public static func rule(from specification: String, targetRecall: Double = 0.95) throws(StoppingError)
    -> any StoppingRule
  {
    var body = specification.trimmingCharacters(in: .whitespaces).lowercased()
    var suffix: String?
    if let plus = body.firstIndex(of: "+") {
      suffix = String(body[body.index(after: plus)...])
      body = String(body[..<plus])
    }
    let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let name = parts[0]
    let parameters = Array(parts.dropFirst())
    func unknown() -> StoppingError { .unknownRule(specification: specification, known: knownNames) }
    func number(_ index: Int, default value: Double) throws(StoppingError) -> Double {
      guard index < parameters.count else { return value }
      guard let parsed = Double(parameters[index]), parsed.isFinite else { throw unknown() }
      return parsed
    }
    func integer(_ index: Int, default value: Int) throws(StoppingError) -> Int {
      guard index < parameters.count else { return value }
      guard let parsed = Int(parameters[index]) else { throw unknown() }
      return parsed
    }
    func arity(_ maximum: Int, suffixes: [String] = []) throws(StoppingError) {
      guard parameters.count <= maximum else { throw unknown() }
      if let suffix, !suffixes.contains(suffix) { throw unknown() }
    }

    switch name {
    case "consecutive":
      try arity(1)
      guard let value = parameters.first else { return try ConsecutiveIrrelevantStoppingRule(runLength: .count(100)) }
      if value.hasSuffix("%") {
        guard let percent = Double(value.dropLast()), percent.isFinite else { throw unknown() }
        return try ConsecutiveIrrelevantStoppingRule(runLength: .fraction(percent / 100))
      }
      return try ConsecutiveIrrelevantStoppingRule(runLength: .count(try integer(0, default: 100)))
    case "knee":
      try arity(2, suffixes: ["max-ratio"])
      let minimum = try integer(0, default: 150)
      let threshold: KneeStoppingRule.Threshold =
        parameters.count > 1 ? .fixed(try number(1, default: 6)) : .adjusted
      return try KneeStoppingRule(
        minimumScreened: minimum, threshold: threshold,
        kneeLocation: suffix == "max-ratio" ? .maximumRatio : .farthestFromChord)
    case "budget":
      try arity(0)
      return try BudgetStoppingRule()
    case "target":
      try arity(1)
      return try TargetStoppingRule(targetCount: try integer(0, default: 10))
    case "quant":
      try arity(1)
      return try QuantStoppingRule(targetRecall: try number(0, default: targetRecall))
    case "quantci":
      try arity(2)
      return try QuantCIStoppingRule(
        targetRecall: try number(0, default: targetRecall), standardDeviations: try number(1, default: 2))
    case "hypergeometric", "buscar", "cmh":
      try arity(2, suffixes: ["random"])
      return try HypergeometricStoppingRule(
        targetRecall: try number(0, default: targetRecall), alpha: try number(1, default: 0.05),
        urns: suffix == "random" ? .randomPhase : .everyTail)
    case "fraction":
      try arity(1)
      return try FixedFractionStoppingRule(fraction: try number(0, default: 0.5))
    default:
      throw unknown()
    }
  }
}
