import Foundation

/// A complete screening order: every record of a review in the order it would be screened, with
/// optional scores and random-draw flags, to simulate stopping rules over.
public struct ScreeningOrder: Sendable, Hashable {
  /// Labels of all N records in screening order.
  public let labels: [Bool]
  /// The model's probability for each record, aligned with `labels` (Quant and QuantCI).
  public let scores: [Double]?
  /// Whether each record was drawn at random rather than chosen by the model.
  public let randomlyDrawn: [Bool]?

  /// Creates an order.
  ///
  /// - Throws: `StoppingError.inconsistentState` when `scores` or `randomlyDrawn` do not have
  ///   one entry per record, or a score is not finite.
  public init(labels: [Bool], scores: [Double]? = nil, randomlyDrawn: [Bool]? = nil) throws(StoppingError) {
    if let scores {
      guard scores.count == labels.count else {
        throw .inconsistentState(reason: "expected one score per record (\(labels.count)), found \(scores.count)")
      }
      if let index = scores.firstIndex(where: { !$0.isFinite }) {
        throw .inconsistentState(reason: "expected finite scores, found \(scores[index]) at position \(index + 1)")
      }
    }
    if let randomlyDrawn, randomlyDrawn.count != labels.count {
      throw .inconsistentState(
        reason: "expected one random-draw flag per record (\(labels.count)), found \(randomlyDrawn.count)")
    }
    self.labels = labels
    self.scores = scores
    self.randomlyDrawn = randomlyDrawn
  }

  /// N.
  public var total: Int { labels.count }
  /// R: relevant records in the review.
  public var relevantCount: Int { labels.reduce(0) { $0 + ($1 ? 1 : 0) } }

  /// The screening state after the first `screenedCount` records.
  ///
  /// - Precondition: 0 ≤ `screenedCount` ≤ N.
  public func progress(afterScreening screenedCount: Int, targetSample: TargetSample? = nil) -> ScreeningProgress {
    precondition(screenedCount >= 0 && screenedCount <= labels.count, "screened count outside 0…N")
    return ScreeningProgress(
      validatedLabels: Array(labels[..<screenedCount]), total: labels.count,
      scores: scores.map { Array($0[..<screenedCount]) },
      unscreenedScores: scores.map { Array($0[screenedCount...]) },
      randomlyDrawn: randomlyDrawn.map { Array($0[..<screenedCount]) }, targetSample: targetSample)
  }
}

extension ScreeningProgress {
  /// A state whose parts are consistent by construction (`ScreeningOrder` slices).
  init(
    validatedLabels labels: [Bool], total: Int, scores: [Double]?, unscreenedScores: [Double]?,
    randomlyDrawn: [Bool]?, targetSample: TargetSample?
  ) {
    do {
      try self.init(
        labels: labels, total: total, scores: scores, unscreenedScores: unscreenedScores,
        randomlyDrawn: randomlyDrawn, targetSample: targetSample)
    } catch {
      preconditionFailure("a slice of a validated screening order is consistent: \(error)")
    }
  }
}

/// Where one rule stopped on one screening order, and what that cost and found.
public struct StoppingOutcome: Sendable, Hashable {
  /// The rule's name.
  public var rule: String
  /// n when the rule first said stop, or `nil` when it never did (then all N are screened).
  public var stopPosition: Int?
  /// Records reviewed: the stop position (N if none) plus, for the Target method, sample
  /// records the ranking had not reached.
  public var reviewedCount: Int
  /// Relevant records found: relret(stop) plus relevant sample records outside the ranking.
  public var relevantFound: Int
  /// relevantFound / R.
  public var recall: Double
  /// (N − reviewedCount) / N.
  public var workSaved: Double
  /// recall ≥ the target recall.
  public var metTarget: Bool
  /// The rule's reason at the stop (or at the last check when it never stopped).
  public var reason: String
}

/// The outcomes of every rule on one screening order.
public struct StoppingSimulationReport: Sendable, Hashable {
  /// N.
  public var total: Int
  /// R.
  public var relevantCount: Int
  /// The recall a rule must reach to count as a success.
  public var targetRecall: Double
  /// One outcome per rule, in the rules' order.
  public var outcomes: [StoppingOutcome]
}

/// How reliably one rule met the target recall over several runs.
public struct StoppingReliability: Sendable, Hashable {
  /// The rule's name.
  public var rule: String
  /// Runs (orders × seeds) simulated.
  public var runs: Int
  /// Runs whose recall at the stop reached the target.
  public var runsMeetingTarget: Int
  /// Runs in which the rule stopped before the end.
  public var runsStopped: Int
  /// Mean recall at the stop.
  public var meanRecall: Double
  /// Mean work saved.
  public var meanWorkSaved: Double

  /// The share of runs meeting the target (the rule's reliability).
  public var reliability: Double { runs == 0 ? 0 : Double(runsMeetingTarget) / Double(runs) }
}

/// Replays stopping rules over complete screening orders.
///
/// For each rule the simulator evaluates `decision(for:)` after n = c, 2c, 3c, … records
/// (c = `checkInterval`) and after the last record, and reports the first n where the rule says
/// stop. Rules that need the Target method's sample get one drawn from the order with the given
/// generator (one sample per distinct T, in rule order), so a run is reproducible from its seed.
public struct StoppingSimulator: Sendable {
  /// The recall a stop must reach to count as meeting the target.
  public let targetRecall: Double
  /// c: the rules are checked every c records.
  public let checkInterval: Int

  /// Creates a simulator.
  ///
  /// - Throws: `StoppingError.invalidParameter` for a target recall outside (0, 1] or an
  ///   interval below 1.
  public init(targetRecall: Double = 0.95, checkInterval: Int = 1) throws(StoppingError) {
    try StoppingValidation.recall(targetRecall, rule: "simulator")
    try StoppingValidation.positive(checkInterval, rule: "simulator", parameter: "the check interval")
    self.targetRecall = targetRecall
    self.checkInterval = checkInterval
  }

  /// The positions checked for an order of `total` records: c, 2c, …, and N.
  public func checkPositions(total: Int) -> [Int] {
    guard total > 0 else { return [] }
    var positions = Array(stride(from: checkInterval, to: total, by: checkInterval))
    positions.append(total)
    return positions
  }

  /// Simulates every rule over one order.
  ///
  /// - Parameters:
  ///   - order: The complete screening order.
  ///   - rules: The rules, reported in this order.
  ///   - generator: Randomness for the Target method's samples.
  /// - Returns: One outcome per rule.
  /// - Throws: `StoppingError.noRelevantRecords` when the order has no relevant record (recall
  ///   is undefined).
  /// - Complexity: O(N/c · (N + cost of the rules)); the knee and hypergeometric rules cost
  ///   O(n) per check, so use c > 1 for long orders.
  public func simulate(
    _ order: ScreeningOrder, rules: [any StoppingRule], using generator: inout some RandomNumberGenerator
  ) throws(StoppingError) -> StoppingSimulationReport {
    let total = order.total
    let relevant = order.relevantCount
    guard relevant > 0 else { throw .noRelevantRecords(records: total) }

    var samples: [Int: [Int]] = [:]
    for rule in rules {
      guard let size = rule.targetSetSize, samples[size] == nil else { continue }
      samples[size] = TargetSample.drawPositions(in: order.labels, targetCount: size, using: &generator)
    }

    var stops: [(position: Int, reason: String)?] = Array(repeating: nil, count: rules.count)
    var lastReasons = Array(repeating: "", count: rules.count)
    for n in checkPositions(total: total) {
      let base = order.progress(afterScreening: n)
      for (index, rule) in rules.enumerated() where stops[index] == nil {
        var progress = base
        if let size = rule.targetSetSize, let positions = samples[size] {
          progress = order.progress(
            afterScreening: n, targetSample: TargetSample(positions: positions, in: order.labels, screenedCount: n))
        }
        let decision = rule.decision(for: progress)
        lastReasons[index] = decision.reason
        if decision.shouldStop { stops[index] = (n, decision.reason) }
      }
      if stops.allSatisfy({ $0 != nil }) { break }
    }

    var prefix = [0]
    prefix.reserveCapacity(total + 1)
    for label in order.labels { prefix.append(prefix[prefix.count - 1] + (label ? 1 : 0)) }

    let outcomes = rules.enumerated().map { index, rule -> StoppingOutcome in
      let stop = stops[index]?.position
      let screened = stop ?? total
      var reviewed = screened
      var found = prefix[screened]
      if let size = rule.targetSetSize, let positions = samples[size] {
        let sample = TargetSample(positions: positions, in: order.labels, screenedCount: screened)
        reviewed += sample.unscreenedCount
        found += sample.relevantCount - sample.relevantScreenedCount
      }
      let recall = Double(found) / Double(relevant)
      return StoppingOutcome(
        rule: rule.name, stopPosition: stop, reviewedCount: reviewed, relevantFound: found, recall: recall,
        workSaved: Double(total - reviewed) / Double(total), metTarget: recall >= targetRecall,
        reason: stops[index]?.reason ?? lastReasons[index])
    }
    return StoppingSimulationReport(
      total: total, relevantCount: relevant, targetRecall: targetRecall, outcomes: outcomes)
  }

  /// Aggregates runs (several orders and/or seeds) into each rule's reliability, in the order
  /// rules first appear.
  public static func reliability(of reports: [StoppingSimulationReport]) -> [StoppingReliability] {
    var order: [String] = []
    var byRule: [String: [StoppingOutcome]] = [:]
    for report in reports {
      for outcome in report.outcomes {
        if byRule[outcome.rule] == nil { order.append(outcome.rule) }
        byRule[outcome.rule, default: []].append(outcome)
      }
    }
    return order.map { rule in
      let outcomes = byRule[rule] ?? []
      let count = Double(max(outcomes.count, 1))
      return StoppingReliability(
        rule: rule, runs: outcomes.count, runsMeetingTarget: outcomes.filter(\.metTarget).count,
        runsStopped: outcomes.filter { $0.stopPosition != nil }.count,
        meanRecall: outcomes.reduce(0) { $0 + $1.recall } / count,
        meanWorkSaved: outcomes.reduce(0) { $0 + $1.workSaved } / count)
    }
  }
}
