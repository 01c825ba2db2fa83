import Adapters
import Corpus
import Encoder
import Evaluation
import Foundation
import Screening
import Store
import Tensor
import Text

/// `csmed experiment`: the measurements behind docs/results.md.
///
/// - `loro`: leave-one-review-out over a set of reviews: for each review, every ranker is
///   trained (where it learns) on all the other reviews and ranks the held-out one.
/// - `adapter`: one review's candidates split in two (stratified, seeded); a classifier with
///   one fine-tuning method learns from one half and ranks the other.
public enum ExperimentWorkflow {
  /// One ranker's result on one review.
  public struct Row: Sendable, Codable {
    public var review: String
    public var ranker: String
    public var metrics: [String: Double]
    public var seconds: Double
  }

  // MARK: Leave one review out

  public struct LOROOptions: Sendable {
    public var database: URL
    public var reviews: ReviewSelection
    public var base: URL
    /// `bm25`, `embed` (zero-shot), the linear screeners (`tfidf-lr`, `tfidf-svm`, `embed-lr`,
    /// `tfidf-embed-lr`), `bi-encoder` / `cross-encoder` (fine-tuned with `adapter`), and `A+B`:
    /// two rankers listed before it, each one's scores standardized, then averaged.
    public var rankers: [String] = ["bm25", "embed", "tfidf-lr", "bi-encoder"]
    public var train: TrainWorkflow.Options
    public var scratch: URL
    /// Groups of held-out reviews: review i is ranked in fold i mod `folds`, by rankers trained
    /// on the other folds' reviews. nil: one review per fold (leave one review out).
    public var folds: Int?

    public init(database: URL, reviews: ReviewSelection, base: URL, train: TrainWorkflow.Options, scratch: URL) {
      self.database = database
      self.reviews = reviews
      self.base = base
      self.train = train
      self.scratch = scratch
    }

    /// The training each learning ranker gets unless told otherwise: a budget of 30 optimizer
    /// steps (epochs run until it is spent) of 8 queries, candidates cut at 128 tokens.
    public static func defaultTraining(database: URL, base: URL, output: URL) -> TrainWorkflow.Options {
      var train = TrainWorkflow.Options(database: database, train: .none, base: base, output: output)
      train.maxSteps = 30
      train.epochs = 1_000
      train.batchSize = 8
      train.maxLength = 128
      return train
    }
  }

  /// The reviews `within` and `loro` compare rankers on unless told otherwise: the collections
  /// whose candidates have text.
  public static let defaultReviews = "collection:cohen2006,collection:sas2010,collection:clef_tar2017,collection:hannousse"

  public static func leaveOneReviewOut(_ options: LOROOptions, progress: ProgressHandler = { _ in }) throws -> [Row] {
    let store = try DatasetStore.open(at: options.database.path)
    let refs = try options.reviews.resolve(in: store)
    // Each ranker scores the held-out review in its own view (BM25 and TF-IDF title and
    // abstract, the encoders keywords too); the training folds are read by `train` itself.
    var byView: [TextView: [ScreeningData.Review]] = [:]
    for view in TextView.allCases {
      byView[view] = try refs.map { try ScreeningData.review($0, store: store, stage: options.train.stage, view: view) }
        .filter(\.hasBothClasses)
    }
    let reviews = byView[.titleAbstract] ?? []
    guard reviews.count >= 2 else { throw WorkflowError.usage("leave-one-review-out needs at least two reviews with both classes") }
    let tokenizer = try BertTokenizer(vocabularyURL: options.base.appendingPathComponent("vocab.txt"))
    var rows: [Row] = []
    let zeroShot: AdapterModel<Float>? =
      options.rankers.contains("embed")
      ? AdapterModel(
        encoder: try {
          let bert = try BertModel<Float>.load(directory: options.base)
          return try AdaptedEncoder(configuration: AdapterConfiguration(method: .lora), bert: bert.configuration, base: bert.weights)
        }()) : nil
    let groups = try heldOutGroups(reviewCount: reviews.count, folds: options.folds)
    for (fold, heldOut) in groups.enumerated() {
      let others = reviews.indices.filter { !heldOut.contains($0) }.map { reviews[$0] }
      progress(.note(
        "fold \(fold + 1)/\(groups.count): " + heldOut.map { "\(reviews[$0].key) (\(reviews[$0].texts.count) candidates)" }.joined(separator: ", ")))
      func texts(_ view: TextView, _ i: Int) -> [String] { byView[view]?[i].texts ?? reviews[i].texts }
      // Each ranker's scores of the held-out reviews, for the fused rankers after it.
      var scored: [String: [Int: (scores: [Double], seconds: Double)]] = [:]
      func record(_ ranker: String, _ i: Int, _ seconds: Double, _ scores: [Double]) {
        scored[ranker, default: [:]][i] = (scores, seconds)
        rows.append(Row(review: reviews[i].key, ranker: ranker, metrics: ScreeningData.metrics([(reviews[i], scores)]), seconds: seconds))
        progress(.note("  \(reviews[i].key) \(ranker): \(ScreeningData.describe(rows.last?.metrics ?? [:]))"))
      }
      for ranker in options.rankers {
        switch ranker {
        case "bm25":
          for i in heldOut {
            let started = Date()
            let scores = try BM25(documents: texts(ScreenWorkflow.ZeroShot.bm25.textView, i)).scores(for: reviews[i].query)
            record(ranker, i, Date().timeIntervalSince(started), scores)
          }
        case "embed":
          guard let zeroShot else { continue }
          for i in heldOut {
            let started = Date()
            let scores = try TrainedScreener.neuralScores(
              model: zeroShot, tokenizer: tokenizer, kind: .biEncoder, query: reviews[i].query,
              texts: texts(ScreenWorkflow.ZeroShot.embed.textView, i), maxLength: options.train.maxLength,
              queryMaxLength: options.train.queryMaxLength, progress: progress)
            record(ranker, i, Date().timeIntervalSince(started), scores)
          }
        case "tfidf-lr", "tfidf-svm", "embed-lr", "tfidf-embed-lr", "bi-encoder", "cross-encoder":
          guard let kind = ScreenerKind(rawValue: ranker) else { continue }
          let started = Date()
          var train = options.train
          train.kind = kind
          train.output = options.scratch.appendingPathComponent("fold-\(fold)-\(ranker)")
          train.valid = nil
          train.train = try ReviewSelection(parsing: "review:" + others.map(\.key).joined(separator: "+"))
          _ = try TrainWorkflow.run(train, progress: progress)
          let screener = try TrainedScreener.load(directory: train.output, base: options.base)
          // The fold's training time is shared among the reviews it ranks.
          let trainSeconds = Date().timeIntervalSince(started) / Double(heldOut.count)
          for i in heldOut {
            let scoring = Date()
            let scores = try screener.scores(query: reviews[i].query, texts: texts(screener.manifest.reads, i), progress: progress)
            record(ranker, i, trainSeconds + Date().timeIntervalSince(scoring), scores)
          }
          try? FileManager.default.removeItem(at: train.output)
        case let fused where fused.contains("+"):
          // A+B: the two rankers' standardized scores averaged (both listed before it).
          let parts = fused.split(separator: "+").map(String.init)
          for i in heldOut {
            let each = try parts.map { part in
              guard let done = scored[part]?[i] else {
                throw WorkflowError.usage("fused ranker '\(fused)': list '\(part)' before it in --rankers")
              }
              return done
            }
            record(fused, i, each.reduce(0) { $0 + $1.seconds }, fusedScores(each.map(\.scores)))
          }
        default:
          throw WorkflowError.usage("unknown ranker '\(ranker)' (use bm25, embed, tfidf-lr, tfidf-svm, embed-lr, tfidf-embed-lr, bi-encoder, cross-encoder, or A+B of two listed before it)")
        }
      }
    }
    return rows
  }

  /// A fused ranker's scores: each ranker's scores of the same records standardized (their
  /// scales differ), then averaged record by record.
  static func fusedScores(_ rankers: [[Double]]) -> [Double] {
    let standardized = rankers.map(PrioritizedScreening.standardised)
    guard let count = standardized.first?.count else { return [] }
    return (0..<count).map { d in standardized.reduce(0) { $0 + $1[d] } / Double(standardized.count) }
  }

  /// The reviews each fold holds out: review i in fold i mod `folds` (nil: one review per fold),
  /// so every review is ranked once, by rankers that never saw its labels.
  static func heldOutGroups(reviewCount: Int, folds: Int?) throws -> [[Int]] {
    let count = min(folds ?? reviewCount, reviewCount)
    guard count >= 2 else { throw WorkflowError.usage("--folds expects at least 2 groups of reviews, got \(count)") }
    return (0..<count).map { fold in (0..<reviewCount).filter { $0 % count == fold } }
  }

  // MARK: One method on one review

  public struct AdapterOptions: Sendable {
    public var database: URL
    public var review: String
    public var base: URL
    public var adapter: AdapterConfiguration
    public var steps = 60
    public var batchSize = 16
    public var maxLength = 128
    public var learningRate: Double
    public var seed: UInt64 = 42

    public init(database: URL, review: String, base: URL, adapter: AdapterConfiguration, learningRate: Double? = nil) {
      self.database = database
      self.review = review
      self.base = base
      self.adapter = adapter
      self.learningRate = learningRate ?? Self.defaultLearningRate(adapter.method)
    }

    /// Rates in the ranges adapters.md gives per method (full fine-tuning the usual 5e-5).
    public static func defaultLearningRate(_ m: AdapterMethod) -> Double {
      switch m {
      case .full: 5e-5
      case .pissa, .sorsa: 2e-4
      case .smt, .s2ft: 2e-4
      case .adalink: 2e-3
      default: 5e-4
      }
    }
  }

  public struct AdapterResult: Sendable, Codable {
    public var adapter: String
    public var review: String
    public var auc: Double
    public var wss95: Double
    public var averagePrecision: Double
    public var trainableParameters: Int
    public var trainSeconds: Double
    public var peakRSSMB: Double
    public var trainCandidates: Int
    public var testCandidates: Int

    enum CodingKeys: String, CodingKey {
      case adapter, review, auc
      case wss95 = "wss@95"
      case averagePrecision = "ap"
      case trainableParameters = "trainable_params"
      case trainSeconds = "train_s"
      case peakRSSMB = "peak_rss_mb"
      case trainCandidates = "train_candidates"
      case testCandidates = "test_candidates"
    }
  }

  /// Trains a (review query, candidate) classifier with one method on half of a review's
  /// candidates and ranks the other half.
  public static func adapter(_ options: AdapterOptions, progress: ProgressHandler = { _ in }) throws -> AdapterResult {
    let store = try DatasetStore.open(at: options.database.path)
    // A (query, candidate) classifier is an encoder: it reads what `train`'s encoders read.
    let review = try ScreeningData.review(
      try store.review(matching: options.review), store: store, stage: .titleAbstract,
      view: ScreenerKind.crossEncoder.textView)
    var rng = SplitMix64(seed: options.seed)
    // Stratified halves of the candidates that have text and a label.
    let usable = review.texts.indices.filter { !review.texts[$0].isEmpty && review.labels[$0] != nil }
    var trainIdx: [Int] = [], testIdx: [Int] = []
    for label in [0, 1] {
      let group = usable.filter { review.labels[$0] == label }.shuffled(using: &rng)
      trainIdx += group.prefix(group.count / 2)
      testIdx += group.dropFirst(group.count / 2)
    }
    var run = CrossEncoderRun(
      query: review.query, texts: review.texts, labels: review.labels.map { $0 ?? 0 }, adapter: options.adapter,
      learningRate: options.learningRate, base: options.base)
    guard testIdx.contains(where: { review.labels[$0] == 1 }) else {
      throw WorkflowError.usage("\(review.key) has too few included candidates to split")
    }
    run.steps = options.steps
    run.batchSize = options.batchSize
    run.maxLength = options.maxLength
    let result = try run.train(on: trainIdx, thenScore: testIdx, seed: rng.next(), progress: progress)
    let test = ScreeningData.Review(
      key: review.key, query: review.query, texts: testIdx.map { review.texts[$0] }, labels: testIdx.map { review.labels[$0] })
    let m = ScreeningData.metrics([(test, result.scores)])
    return AdapterResult(
      adapter: options.adapter.method.rawValue, review: review.key, auc: m["auc"] ?? 0, wss95: m["wss@95"] ?? 0,
      averagePrecision: m["ap"] ?? 0, trainableParameters: result.trainableParameters,
      trainSeconds: result.trainSeconds, peakRSSMB: BenchWorkflow.peakResidentMegabytes(), trainCandidates: trainIdx.count,
      testCandidates: testIdx.count)
  }

  /// Macro averages per ranker and the per-review rows as a Markdown table.
  public static func markdown(_ rows: [Row], command: String) -> String {
    let keys = ["wss@95", "recall@10%", "ap", "auc"]
    var out = "Command: `\(command)`\n\n| ranker | reviews | " + keys.joined(separator: " | ") + " |\n| --- | ---: |"
      + String(repeating: " ---: |", count: keys.count) + "\n"
    let rankers = rows.map(\.ranker).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    for r in rankers {
      let mine = rows.filter { $0.ranker == r }
      let means = keys.map { k in mine.map { $0.metrics[k] ?? 0 }.reduce(0, +) / Double(max(1, mine.count)) }
      out += "| \(r) | \(mine.count) | " + means.map { String(format: "%.3f", $0) }.joined(separator: " | ") + " |\n"
    }
    out += "\n<details><summary>Per review</summary>\n\n| review | ranker | " + keys.joined(separator: " | ")
      + " | seconds |\n| --- | --- |" + String(repeating: " ---: |", count: keys.count + 1) + "\n"
    for row in rows {
      out += "| \(row.review) | \(row.ranker) | "
        + keys.map { String(format: "%.3f", row.metrics[$0] ?? 0) }.joined(separator: " | ")
        + String(format: " | %.0f |\n", row.seconds)
    }
    return out + "\n</details>\n"
  }
}
