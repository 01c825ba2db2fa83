import Corpus
import Foundation
import Text

/// The classical screeners by their command-line names, each with the features ASReview pairs it
/// with, so `csmed simulate --model tfidf-svm` is ASReview's default model `elas_u4`.
public enum ClassicalScreenerKind: String, Sendable, CaseIterable, Codable {
  /// Multinomial naive Bayes on unigram TF-IDF without stop words (ASReview `elas_u3`).
  case tfidfNB = "tfidf-nb"
  /// L2 logistic regression on uni+bigram sublinear TF-IDF.
  case tfidfLR = "tfidf-lr"
  /// Linear SVM, C = 0.11, balanced 9.8, on uni+bigram sublinear TF-IDF (ASReview `elas_u4`).
  case tfidfSVM = "tfidf-svm"

  /// The TF-IDF settings this model is used with.
  public var features: TFIDFVectorizer.Configuration {
    switch self {
    case .tfidfNB: .asreviewELASU3
    case .tfidfLR: TFIDFVectorizer.Configuration()
    case .tfidfSVM: .asreviewELASU4
    }
  }

  /// A fresh, untrained model. Retraining warm-starts from the previous solution where the
  /// solver allows it: the optimum is the same, reached in fewer iterations.
  public func makeModel(seed: UInt64 = 0) throws -> ClassicalModel {
    switch self {
    case .tfidfNB:
      return .naiveBayes(try NaiveBayes(configuration: .init(balance: .asreview(ratio: 1.2))))
    case .tfidfLR:
      return .logisticRegression(try LogisticRegression(configuration: .init(warmStart: true)))
    case .tfidfSVM:
      var configuration = LinearSVM.Configuration.asreviewELASU4
      configuration.warmStart = true
      configuration.seed = seed
      return .linearSVM(try LinearSVM(configuration: configuration))
    }
  }
}

/// A model the screening loop retrains after each query: given the records labelled so far, it
/// scores every record (higher: screen sooner).
public protocol ScreeningLearner {
  /// Trains on `records` (indices into the candidates) with their `labels`, which hold both
  /// classes, and returns one score per candidate.
  mutating func retrain(on records: [Int], labels: [Bool]) throws -> [Double]
}

/// A classical model on fixed features (one row per candidate), refitted from its last
/// solution at every retraining.
public struct ClassicalLearner: ScreeningLearner {
  public let features: SparseMatrix
  public private(set) var model: ClassicalModel

  public init(features: SparseMatrix, model: ClassicalModel) {
    self.features = features
    self.model = model
  }

  public mutating func retrain(on records: [Int], labels: [Bool]) throws -> [Double] {
    try model.fit(features.rows(records), labels: labels.map { $0 ? 1 : 0 }, weights: nil)
    return try model.scores(features)
  }
}

/// Simulates prioritised screening on a labelled review: label, retrain, query the top-scored
/// unlabelled records, reveal their labels, repeat (the loop of `asreview simulate`).
public enum PrioritizedScreening {
  /// How records are chosen before the model can be trained (it needs both classes).
  public enum ColdStart: Sendable, Equatable {
    /// In file order, as ASReview does.
    case fileOrder
    /// In a random order drawn from the seed.
    case random
    /// By descending prior scores, e.g. zero-shot similarity to the review's question.
    case scores([Double])
  }

  public struct Settings: Sendable, Equatable {
    /// Relevant and irrelevant records drawn at random (with the seed) and labelled first,
    /// as `asreview simulate --n-prior-included/--n-prior-excluded`.
    public var priorIncluded: Int
    public var priorExcluded: Int
    public var coldStart: ColdStart
    /// Records queried per retraining.
    public var batchSize: Int
    /// Grow the batch after each query, B += ceil(B/10), for expensive models.
    public var growBatch: Bool
    /// Stop training once every relevant record is found (as `asreview simulate` does); the
    /// remaining records follow in the last model's score order, all of them irrelevant.
    public var stopAtLastRelevant: Bool
    /// With `.scores` as the cold start: keep using the prior after the model is trained, ranking
    /// by `(1 - w) z(model) + w z(prior)` with `w = h / (h + relevant found)` (z: standardised
    /// over all records), so the prior guides while labels are few and fades as they grow.
    /// `0` ranks by the model alone.
    public var priorHalfLife: Double
    public var seed: UInt64

    public init(
      priorIncluded: Int = 0, priorExcluded: Int = 0, coldStart: ColdStart = .fileOrder, batchSize: Int = 1,
      growBatch: Bool = false, stopAtLastRelevant: Bool = true, priorHalfLife: Double = 0, seed: UInt64 = 0
    ) {
      self.priorIncluded = priorIncluded
      self.priorExcluded = priorExcluded
      self.coldStart = coldStart
      self.batchSize = batchSize
      self.growBatch = growBatch
      self.stopAtLastRelevant = stopAtLastRelevant
      self.priorHalfLife = priorHalfLife
      self.seed = seed
    }
  }

  /// Why a record was screened when it was.
  public enum Source: String, Sendable, Codable {
    case prior, coldStart = "cold_start", model, tail
  }

  /// One screened record.
  public struct Step: Sendable, Equatable {
    /// Index of the record in the input.
    public var record: Int
    public var label: Bool
    /// The model's score when the record was queried (nil before the first training).
    public var score: Double?
    public var source: Source
  }

  /// Runs the loop until every record is ordered.
  /// - Parameters:
  ///   - features: One row per record.
  ///   - labels: The true labels, revealed one query at a time.
  ///   - model: An untrained model; retrained on all labels so far before every query.
  ///   - progress: Called after each query with the records screened and the relevant found so far.
  /// - Throws: `ScreeningError` for invalid settings or when the model cannot be fitted.
  public static func simulate(
    features: SparseMatrix, labels: [Bool], model: ClassicalModel, settings: Settings,
    progress: (_ screened: Int, _ relevantFound: Int) -> Void = { _, _ in }
  ) throws -> [Step] {
    guard features.rowCount == labels.count else {
      throw ScreeningError.labelCountMismatch(rows: features.rowCount, labels: labels.count)
    }
    var learner = ClassicalLearner(features: features, model: model)
    return try simulate(learner: &learner, labels: labels, settings: settings, progress: progress)
  }

  /// Runs the loop with any learner (retrained before every query, or every batch).
  public static func simulate(
    learner: inout some ScreeningLearner, labels: [Bool], settings: Settings,
    progress: (_ screened: Int, _ relevantFound: Int) -> Void = { _, _ in }
  ) throws -> [Step] {
    let count = labels.count
    guard settings.batchSize >= 1 else {
      throw ScreeningError.invalidParameter(name: "batch", expected: "at least 1", found: "\(settings.batchSize)")
    }
    if case .scores(let prior) = settings.coldStart, prior.count != count {
      throw ScreeningError.invalidParameter(name: "prior scores", expected: "\(count) values", found: "\(prior.count)")
    }
    guard settings.priorHalfLife >= 0, settings.priorHalfLife.isFinite else {
      throw ScreeningError.invalidParameter(name: "prior half-life", expected: "a finite number >= 0", found: "\(settings.priorHalfLife)")
    }
    let standardPrior: [Double]? =
      if case .scores(let prior) = settings.coldStart, settings.priorHalfLife > 0 { standardised(prior) } else { nil }
    var generator = SplitMix64(seed: settings.seed)
    var isScreened = [Bool](repeating: false, count: count)
    var steps: [Step] = []
    steps.reserveCapacity(count)
    let totalRelevant = labels.filter { $0 }.count
    var found = 0

    func screen(_ record: Int, score: Double?, source: Source) {
      isScreened[record] = true
      steps.append(Step(record: record, label: labels[record], score: score, source: source))
      if labels[record] { found += 1 }
    }

    // Priors: drawn at random from each class.
    let relevant = (0..<count).filter { labels[$0] }, irrelevant = (0..<count).filter { !labels[$0] }
    guard settings.priorIncluded <= relevant.count, settings.priorExcluded <= irrelevant.count else {
      throw ScreeningError.invalidParameter(
        name: "priors", expected: "at most \(relevant.count) included and \(irrelevant.count) excluded",
        found: "\(settings.priorIncluded),\(settings.priorExcluded)")
    }
    for record in relevant.shuffled(using: &generator).prefix(settings.priorIncluded) { screen(record, score: nil, source: .prior) }
    for record in irrelevant.shuffled(using: &generator).prefix(settings.priorExcluded) { screen(record, score: nil, source: .prior) }

    let coldOrder: [Int]
    switch settings.coldStart {
    case .fileOrder: coldOrder = Array(0..<count)
    case .random: coldOrder = Array(0..<count).shuffled(using: &generator)
    case .scores(let prior): coldOrder = (0..<count).sorted { (prior[$0], -$0) > (prior[$1], -$1) }
    }
    var coldCursor = 0
    var batch = settings.batchSize
    var lastScores: [Double]?
    while steps.count < count {
      if settings.stopAtLastRelevant, found == totalRelevant { break }
      let labelled = steps.map(\.label)
      guard labelled.contains(true) && labelled.contains(false) else {
        while isScreened[coldOrder[coldCursor]] { coldCursor += 1 }
        let record = coldOrder[coldCursor]
        let prior: Double? = if case .scores(let values) = settings.coldStart { values[record] } else { nil }
        screen(record, score: prior, source: .coldStart)
        continue
      }
      var scores = try learner.retrain(on: steps.map(\.record), labels: labelled)
      guard scores.count == count else {
        throw ScreeningError.labelCountMismatch(rows: scores.count, labels: count)
      }
      if let standardPrior {
        let w = settings.priorHalfLife / (settings.priorHalfLife + Double(found))
        scores = zip(standardised(scores), standardPrior).map { (1 - w) * $0 + w * $1 }
      }
      lastScores = scores
      // Top-B unscreened by score; ties to the lower index, as ASReview's stable argsort.
      let picks = topIndices(scores, excluding: isScreened, count: min(batch, count - steps.count))
      for record in picks { screen(record, score: scores[record], source: .model) }
      progress(steps.count, found)
      if settings.growBatch { batch += (batch + 9) / 10 }
    }
    // The rest, all irrelevant once every relevant record is found, in the last model's order.
    let rest = lastScores.map { topIndices($0, excluding: isScreened, count: count - steps.count) }
      ?? coldOrder.filter { !isScreened[$0] }
    for record in rest { screen(record, score: lastScores?[record], source: .tail) }
    return steps
  }

  /// `(x - mean) / sd` (all zeros when the values are constant): puts scores of different
  /// scales on one footing before they are blended.
  public static func standardised(_ values: [Double]) -> [Double] {
    guard !values.isEmpty else { return [] }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    let sd = variance.squareRoot()
    return sd > 0 && sd.isFinite ? values.map { ($0 - mean) / sd } : values.map { _ in 0 }
  }

  /// The `count` highest-scoring unscreened indices, ties to the lower index.
  static func topIndices(_ scores: [Double], excluding screened: [Bool], count: Int) -> [Int] {
    var candidates = scores.indices.filter { !screened[$0] }
    if count == 1 {
      guard let best = candidates.max(by: { (scores[$0], -$0) < (scores[$1], -$1) }) else { return [] }
      return [best]
    }
    candidates.sort { (scores[$0], -$0) > (scores[$1], -$1) }
    return Array(candidates.prefix(count))
  }
}
