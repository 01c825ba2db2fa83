import Foundation

/// The screening so far: the labels revealed in screening order, the size of the review, and
/// the optional inputs some rules need (model scores, records drawn at random, the Target
/// method's independent sample).
///
/// Notation used by the rules' documentation: n = `screenedCount`, N = `total`,
/// l₁…lₙ = `labels`, relret(i) = relevant among the first i screened records, r = relret(n).
public struct ScreeningProgress: Sendable, Hashable {
  /// Labels of the screened records in the order they were screened (`true` = relevant).
  public let labels: [Bool]
  /// N: the number of records in the review (screened and unscreened).
  public let total: Int
  /// The model's probability of relevance for each screened record, aligned with `labels`.
  public let scores: [Double]?
  /// The model's probability of relevance for each of the N − n unscreened records
  /// (any order). Quant and QuantCI need both `scores` and `unscreenedScores`.
  public let unscreenedScores: [Double]?
  /// For each screened record, whether it was drawn uniformly at random from the records still
  /// unscreened at the time (instead of being chosen by the model), aligned with `labels`.
  public let randomlyDrawn: [Bool]?
  /// The Target method's independent random sample, when one was drawn.
  public let targetSample: TargetSample?

  /// Prefix sums of `labels`: `relevantPrefix[i]` = relret(i), so `relevantPrefix[0] == 0`.
  let relevantPrefix: [Int]

  /// Creates a screening state, checking that its parts agree.
  ///
  /// - Parameters:
  ///   - labels: Labels in screening order.
  ///   - total: N, at least `labels.count`.
  ///   - scores: One finite score per screened record, or `nil`.
  ///   - unscreenedScores: N − n finite scores, or `nil`.
  ///   - randomlyDrawn: One flag per screened record, or `nil`.
  ///   - targetSample: The Target method's sample, or `nil`.
  /// - Throws: `StoppingError.inconsistentState` when a count or value does not fit.
  public init(
    labels: [Bool], total: Int, scores: [Double]? = nil, unscreenedScores: [Double]? = nil,
    randomlyDrawn: [Bool]? = nil, targetSample: TargetSample? = nil
  ) throws(StoppingError) {
    guard total >= labels.count else {
      throw .inconsistentState(
        reason: "expected the total N to be at least the \(labels.count) screened records, found N = \(total)")
    }
    if let scores {
      guard scores.count == labels.count else {
        throw .inconsistentState(
          reason: "expected one score per screened record (\(labels.count)), found \(scores.count)")
      }
      if let index = scores.firstIndex(where: { !$0.isFinite }) {
        throw .inconsistentState(reason: "expected finite scores, found \(scores[index]) at position \(index + 1)")
      }
    }
    if let unscreenedScores {
      guard unscreenedScores.count == total - labels.count else {
        throw .inconsistentState(
          reason: "expected one score per unscreened record (N − n = \(total - labels.count)), "
            + "found \(unscreenedScores.count)")
      }
      if let index = unscreenedScores.firstIndex(where: { !$0.isFinite }) {
        throw .inconsistentState(
          reason: "expected finite unscreened scores, found \(unscreenedScores[index]) at index \(index)")
      }
    }
    if let randomlyDrawn, randomlyDrawn.count != labels.count {
      throw .inconsistentState(
        reason: "expected one random-draw flag per screened record (\(labels.count)), found \(randomlyDrawn.count)")
    }
    if let targetSample {
      try targetSample.validate(screenedCount: labels.count, total: total)
    }
    self.labels = labels
    self.total = total
    self.scores = scores
    self.unscreenedScores = unscreenedScores
    self.randomlyDrawn = randomlyDrawn
    self.targetSample = targetSample
    var prefix = [Int](repeating: 0, count: labels.count + 1)
    for (index, label) in labels.enumerated() { prefix[index + 1] = prefix[index] + (label ? 1 : 0) }
    self.relevantPrefix = prefix
  }

  /// Creates a state from integer labels (1 relevant, 0 irrelevant; anything else throws).
  ///
  /// - Throws: `StoppingError.inconsistentState` for a label other than 0 or 1, or when the
  ///   parts disagree (see the main initializer).
  public init(
    labels: [Int], total: Int, scores: [Double]? = nil, unscreenedScores: [Double]? = nil,
    randomlyDrawn: [Bool]? = nil, targetSample: TargetSample? = nil
  ) throws(StoppingError) {
    var booleans: [Bool] = []
    booleans.reserveCapacity(labels.count)
    for (index, label) in labels.enumerated() {
      guard label == 0 || label == 1 else {
        throw .inconsistentState(reason: "expected labels 0 or 1, found \(label) at position \(index + 1)")
      }
      booleans.append(label == 1)
    }
    try self.init(
      labels: booleans, total: total, scores: scores, unscreenedScores: unscreenedScores,
      randomlyDrawn: randomlyDrawn, targetSample: targetSample)
  }

  /// n: records screened so far.
  public var screenedCount: Int { labels.count }
  /// r = relret(n): relevant records found so far.
  public var relevantCount: Int { relevantPrefix[labels.count] }
  /// N − n: records not screened yet.
  public var unscreenedCount: Int { total - labels.count }

  /// relret(i): relevant records among the first `i` screened (0 ≤ i ≤ n).
  public func relevant(inFirst i: Int) -> Int { relevantPrefix[i] }

  /// Relevant records among the last `j` screened (0 ≤ j ≤ n).
  public func relevant(inLast j: Int) -> Int { relevantPrefix[labels.count] - relevantPrefix[labels.count - j] }

  /// The length of the trailing run of records drawn at random (0 when `randomlyDrawn` is `nil`
  /// or the last record was chosen by the model).
  public var trailingRandomCount: Int {
    guard let randomlyDrawn else { return 0 }
    var count = 0
    for flag in randomlyDrawn.reversed() {
      guard flag else { break }
      count += 1
    }
    return count
  }
}

/// The Target method's independent random sample (Cormack & Grossman 2016): records drawn
/// uniformly at random from the whole review and reviewed until `targetCount` relevant ones were
/// found; those relevant records are the *target set*.
///
/// The counts describe the sample at the current point of the ranked screening.
public struct TargetSample: Sendable, Hashable {
  /// Records reviewed in the sample (they cost review effort even if the ranking never
  /// reaches them).
  public var size: Int
  /// Relevant records in the sample: the target set.
  public var relevantCount: Int
  /// Records of the sample that the ranked screening has reached so far.
  public var screenedCount: Int
  /// Relevant records of the sample (target records) that the ranked screening has reached.
  public var relevantScreenedCount: Int

  /// Creates a sample description.
  public init(size: Int, relevantCount: Int, screenedCount: Int, relevantScreenedCount: Int) {
    self.size = size
    self.relevantCount = relevantCount
    self.screenedCount = screenedCount
    self.relevantScreenedCount = relevantScreenedCount
  }

  /// Records of the sample the ranked screening has not reached: extra review effort on top of
  /// the ranked screening.
  public var unscreenedCount: Int { size - screenedCount }

  func validate(screenedCount n: Int, total: Int) throws(StoppingError) {
    let problems: [(Bool, String)] = [
      (size >= 0 && size <= total, "sample size \(size) outside 0…N = \(total)"),
      (relevantCount >= 0 && relevantCount <= size, "\(relevantCount) relevant records in a sample of \(size)"),
      (
        screenedCount >= 0 && screenedCount <= min(size, n),
        "\(screenedCount) sample records screened, more than the sample (\(size)) or the screening (\(n))"
      ),
      (
        relevantScreenedCount >= 0 && relevantScreenedCount <= min(relevantCount, screenedCount),
        "\(relevantScreenedCount) target records screened, more than the target set (\(relevantCount)) "
          + "or the screened sample records (\(screenedCount))"
      ),
    ]
    for (isValid, problem) in problems where !isValid {
      throw .inconsistentState(reason: "target sample: " + problem)
    }
  }
}

extension TargetSample {
  /// Draws the Target method's sample for a complete screening order: records are drawn one at
  /// a time, uniformly without replacement from all N positions, until `targetCount` relevant
  /// ones were drawn or every record was drawn.
  ///
  /// - Parameters:
  ///   - order: Labels of all N records in screening order.
  ///   - targetCount: T, the number of relevant records wanted in the sample.
  ///   - generator: The random source (pass a seeded generator for reproducible runs).
  /// - Returns: The sampled positions (0-based indices into `order`) in drawing order.
  /// - Complexity: O(N).
  public static func drawPositions(
    in order: [Bool], targetCount: Int, using generator: inout some RandomNumberGenerator
  ) -> [Int] {
    var remaining = Array(order.indices)
    var drawn: [Int] = []
    var relevant = 0
    while relevant < targetCount, !remaining.isEmpty {
      let pick = Int.random(in: 0..<remaining.count, using: &generator)
      remaining.swapAt(pick, remaining.count - 1)
      let position = remaining.removeLast()
      drawn.append(position)
      if order[position] { relevant += 1 }
    }
    return drawn
  }

  /// The sample's state once the first `screenedCount` records of `order` have been screened.
  ///
  /// - Parameters:
  ///   - positions: Sampled positions (as returned by `drawPositions`).
  ///   - order: Labels of all records in screening order.
  ///   - screenedCount: n, records screened so far in `order`.
  public init(positions: [Int], in order: [Bool], screenedCount: Int) {
    var relevant = 0
    var screened = 0
    var relevantScreened = 0
    for position in positions {
      let isRelevant = order[position]
      if isRelevant { relevant += 1 }
      if position < screenedCount {
        screened += 1
        if isRelevant { relevantScreened += 1 }
      }
    }
    self.init(
      size: positions.count, relevantCount: relevant, screenedCount: screened,
      relevantScreenedCount: relevantScreened)
  }
}
