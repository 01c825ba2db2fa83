import Adapters
import Corpus
import Encoder
import Foundation
import Screening
import Store
import Tensor
import Text

/// `csmed experiment within`: the reviewer has screened a stratified sample of a review; every
/// ranker learns from that sample (the same labels for all) and ranks the rest.
extension ExperimentWorkflow {
  /// A ranker of the within-review protocol.
  public enum WithinRanker: Sendable, Equatable, CustomStringConvertible {
    /// Cosine of the frozen MiniLM embedding to the review's query (learns nothing).
    case zeroShot
    /// BM25 of the review's query (learns nothing).
    case bm25
    /// A linear model as `simulate` fits it: TF-IDF, frozen embeddings, or both side by side.
    case linear(SimulateWorkflow.SimulationModel)
    /// The encoder tuned contrastively on the sample (the query closer to its includes than to
    /// its excludes) with an adapter, then ranking by cosine to the query.
    case biEncoder(AdapterMethod)
    /// Two stages, after SetFit: the encoder tuned as for `biEncoder`, then a logistic regression
    /// on the tuned embeddings beside the TF-IDF block (`tfidf-embed-lr` on tuned features).
    case setFit(AdapterMethod)
    /// A classification head over (query, record) trained through an adapter.
    case crossEncoder(AdapterMethod)
    /// `tfidf-embed-lr` and `cross-encoder+METHOD` on the same sample, each one's scores of the
    /// rest standardized and the two averaged: the tuned encoder's view beside the linear one.
    case fused(AdapterMethod)

    public static let defaults: [WithinRanker] = [
      .zeroShot, .linear(.tfidfLR), .linear(.embedLR), .linear(.hybridLR), .setFit(.lora),
    ]

    public init(parsing text: String) throws {
      let parts = text.split(separator: "+", maxSplits: 1).map(String.init)
      func method() throws -> AdapterMethod {
        guard parts.count == 2 else { return .lora }
        guard let m = AdapterMethod(rawValue: parts[1]) else {
          throw WorkflowError.usage(
            "unknown adapter '\(parts[1])' in ranker '\(text)' (use \(AdapterMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return m
      }
      switch parts.first ?? "" {
      case "zero-shot" where parts.count == 1: self = .zeroShot
      case "bm25" where parts.count == 1: self = .bm25
      case "bi-encoder": self = .biEncoder(try method())
      case "setfit": self = .setFit(try method())
      case "cross-encoder": self = .crossEncoder(try method())
      case "fused": self = .fused(try method())
      default:
        guard parts.count == 1, let model = SimulateWorkflow.SimulationModel(rawValue: text), model != .biEncoder else {
          throw WorkflowError.usage(
            "unknown ranker '\(text)' (use zero-shot, bm25, tfidf-lr, tfidf-svm, tfidf-nb, embed-lr, tfidf-embed-lr, bi-encoder+ADAPTER, setfit+ADAPTER, cross-encoder+ADAPTER, fused+ADAPTER)")
        }
        self = .linear(model)
      }
    }

    public var description: String {
      switch self {
      case .zeroShot: "zero-shot"
      case .bm25: "bm25"
      case .linear(let model): model.rawValue
      case .biEncoder(let m): "bi-encoder+\(m.rawValue)"
      case .setFit(let m): "setfit+\(m.rawValue)"
      case .crossEncoder(let m): "cross-encoder+\(m.rawValue)"
      case .fused(let m): "fused+\(m.rawValue)"
      }
    }

    var needsFrozenEmbeddings: Bool {
      switch self {
      case .zeroShot, .fused: true
      case .linear(let model): model.needsEncoder
      default: false
      }
    }
  }

  /// Steps and sizes of the rankers that tune the encoder.
  public struct TuningSettings: Sendable {
    /// Optimizer steps on the sample.
    public var steps = 100
    /// nil: the method's rate (bi-encoder and setfit 1e-3 as in `simulate`, cross-encoder per method).
    public var learningRate: Double?
    /// Records per step: one include and `batchSize - 1` excludes (bi-encoder, setfit), or
    /// half and half (cross-encoder).
    public var batchSize = 8
    public var maxLength = 128
    /// The lowest layers keep their base weights (their outputs are computed once per record).
    public var freezeLayers = 4
    public var rank = 8

    public init() {}

    func adapter(_ method: AdapterMethod, seed: UInt64) -> AdapterConfiguration {
      // Full fine-tuning trains every layer, and AdaLink adapts the embeddings under every layer:
      // neither has frozen layers to skip.
      let frozen = method == .full || method == .adalink ? 0 : freezeLayers
      return AdapterConfiguration(method: method, rank: rank, freezeLayers: frozen, seed: seed)
    }
  }

  public struct WithinOptions: Sendable {
    public var database: URL
    public var reviews: ReviewSelection
    public var base: URL
    /// The share of each class's labelled records that trains (at least one of each).
    public var fraction = 0.25
    public var seeds = 3
    public var seed: UInt64 = 42
    public var rankers: [WithinRanker] = WithinRanker.defaults
    public var embeddingCache: URL?
    public var tuning = TuningSettings()

    public init(database: URL, reviews: ReviewSelection, base: URL) {
      self.database = database
      self.reviews = reviews
      self.base = base
    }
  }

  /// One ranker on one review under one seed's sample.
  public struct WithinRow: Sendable, Codable {
    public var review: String
    public var ranker: String
    public var seed: UInt64
    /// WSS@95 (CLEF), recall@10%, AP and ROC AUC over the records not in the sample.
    public var metrics: [String: Double]
    public var trainableParameters: Int
    public var trainSeconds: Double
    public var trainCandidates: Int
    public var rankedCandidates: Int
    /// The peak resident memory of the process that ran this ranker (over all its reviews).
    public var peakRSSMB: Double?
  }

  /// One review as every ranker reads it: the labelled candidates only.
  struct WithinReview {
    var key: String
    var query: String
    var labels: [Int]
    /// Title and abstract (the TF-IDF models and BM25) and with keywords (the encoders).
    var texts: [TextView: [String]]

    func texts(_ view: TextView) -> [String] { texts[view] ?? [] }
    var withoutText: [Bool] { SimulateWorkflow.withoutText(texts(.titleAbstract)) }
  }

  public static func within(_ options: WithinOptions, progress: ProgressHandler = { _ in }) throws -> [WithinRow] {
    guard options.seeds >= 1 else { throw WorkflowError.usage("--seeds must be at least 1") }
    guard options.fraction > 0, options.fraction < 1 else {
      throw WorkflowError.usage("--fraction expects a share in (0, 1), got \(options.fraction)")
    }
    let store = try DatasetStore.open(at: options.database.path)
    let refs = try options.reviews.resolve(in: store)
    var rows: [WithinRow] = []
    for (index, ref) in refs.enumerated() {
      let loaded = try ReviewSource.database(options.database, review: "\(ref.collection)/\(ref.sourceReviewID)", stage: .titleAbstract).load()
      let included = loaded.labels.indices.filter { loaded.labels[$0] != nil }
      var review = WithinReview(
        key: loaded.reviewID, query: reviewQuery(title: loaded.title, criteria: loaded.criteria),
        labels: included.map { loaded.labels[$0] ?? 0 }, texts: [:])
      for view in [TextView.titleAbstract, .titleAbstractKeywords] { review.texts[view] = included.map { loaded.text(of: $0, view: view) } }
      let includes = review.labels.count(where: { $0 == 1 })
      guard includes >= 2, includes < review.labels.count - 1 else {
        progress(.warning("\(review.key): \(includes) include(s) of \(review.labels.count); needs two of each class to split, skipped"))
        continue
      }
      progress(.note("review \(index + 1)/\(refs.count): \(review.key) (\(review.labels.count) labelled, \(includes) included)"))
      rows += try within(review, options: options, progress: progress)
    }
    return rows
  }

  /// Every ranker on every seed's sample of one review.
  static func within(_ review: WithinReview, options: WithinOptions, progress: ProgressHandler) throws -> [WithinRow] {
    // Frozen embeddings are the list `simulate` embeds (every labelled record, keywords read),
    // so the two share the embedding cache.
    var frozen: [[Float]] = []
    var queryVector: [Float] = []
    if options.rankers.contains(where: \.needsFrozenEmbeddings) {
      let embedder = try SentenceEmbedder(directory: options.base)
      let texts = review.texts(.titleAbstractKeywords)
      frozen =
        if let cache = options.embeddingCache {
          try EmbeddingCache(directory: cache).embeddings(of: texts, with: embedder, base: options.base, progress: progress)
        } else {
          try ScreenWorkflow.embedInChunks(texts, with: embedder, progress: progress)
        }
      queryVector = try embedder.embed([review.query])[0]
    }
    // The frozen lower layers' outputs are the same under every seed's adapter.
    let lowerLayers = LowerLayerCache<Float>(maxBytes: 3 << 30)
    var rows: [WithinRow] = []
    for offset in 0..<options.seeds {
      let seed = options.seed &+ UInt64(offset)
      let sample = try ScreeningData.stratifiedSample(labels: review.labels, fraction: options.fraction, seed: seed)
      let train = review.labels.indices.filter(sample.contains)
      let rest = review.labels.indices.filter { !sample.contains($0) }
      for ranker in options.rankers {
        let started = Date()
        let (scores, parameters) = try score(
          ranker, review: review, train: train, rest: rest, frozen: frozen, queryVector: queryVector,
          lowerLayers: lowerLayers, options: options, seed: seed, progress: progress)
        let seconds = Date().timeIntervalSince(started)
        let ranked = ScreeningData.Review(
          key: review.key, query: review.query, texts: rest.map { review.texts(.titleAbstract)[$0] },
          labels: rest.map { review.labels[$0] })
        let metrics = ScreeningData.metrics([(ranked, scores)])
        rows.append(
          WithinRow(
            review: review.key, ranker: ranker.description, seed: seed, metrics: metrics, trainableParameters: parameters,
            trainSeconds: seconds, trainCandidates: train.count, rankedCandidates: rest.count, peakRSSMB: nil))
        progress(.note("  seed \(seed) \(ranker): \(ScreeningData.describe(metrics))"))
      }
    }
    return rows
  }

  /// The ranker's scores of the `rest` (in that order) after learning from `train`, and its
  /// trainable parameters.
  static func score(
    _ ranker: WithinRanker, review: WithinReview, train: [Int], rest: [Int], frozen: [[Float]], queryVector: [Float],
    lowerLayers: LowerLayerCache<Float>, options: WithinOptions, seed: UInt64, progress: ProgressHandler
  ) throws -> (scores: [Double], parameters: Int) {
    let withoutText = review.withoutText
    switch ranker {
    case .zeroShot:
      let cosines = SimulateWorkflow.meanFilled(frozen.map { Double(ScreenWorkflow.dot($0, queryVector)) }, where: withoutText)
      return (rest.map { cosines[$0] }, 0)
    case .bm25:
      let scores = try BM25(documents: rest.map { review.texts(.titleAbstract)[$0] }).scores(for: review.query)
      return (scores, 0)
    case .linear(let model):
      let features = try SimulateWorkflow.classicalFeatures(
        of: review.texts(model.textView), embeddings: frozen, model: model, withoutText: withoutText)
      guard let features else { throw WorkflowError.usage("\(model.rawValue) has no linear features") }
      return try fitLinear(model, features: features, labels: review.labels, train: train, rest: rest, seed: seed)
    case .biEncoder(let method), .setFit(let method):
      var settings = BiEncoderLearner.Settings()
      settings.learningRate = options.tuning.learningRate ?? settings.learningRate
      settings.negatives = max(1, options.tuning.batchSize - 1)
      settings.maxLength = options.tuning.maxLength
      let texts = review.texts(.titleAbstractKeywords)
      var learner = try BiEncoderLearner(
        base: options.base, adapter: options.tuning.adapter(method, seed: seed), question: review.query, texts: texts,
        settings: settings, seed: seed, lowerLayers: lowerLayers)
      // Records without text teach nothing.
      let usable = train.filter { !withoutText[$0] }
      progress(.status("tuning \(ranker) on \(usable.count) records"))
      try learner.tune(on: usable, labels: usable.map { review.labels[$0] == 1 }, steps: options.tuning.steps)
      if case .biEncoder = ranker {
        let cosines = try learner.scores()
        return (rest.map { cosines[$0] }, learner.trainableParameterCount)
      }
      let features = try SimulateWorkflow.classicalFeatures(
        of: texts, embeddings: try learner.embeddings(), model: .hybridLR, withoutText: withoutText)
      guard let features else { throw WorkflowError.usage("setfit has no linear features") }
      let (scores, head) = try fitLinear(.hybridLR, features: features, labels: review.labels, train: train, rest: rest, seed: seed)
      return (scores, learner.trainableParameterCount + head)
    case .crossEncoder(let method):
      let texts = review.texts(ScreenerKind.crossEncoder.textView)
      let usable = train.filter { !withoutText[$0] }
      var run = CrossEncoderRun(
        query: review.query, texts: texts, labels: review.labels, adapter: options.tuning.adapter(method, seed: seed),
        learningRate: options.tuning.learningRate ?? AdapterOptions.defaultLearningRate(method), base: options.base)
      run.lowerLayers = lowerLayers
      run.steps = options.tuning.steps
      run.batchSize = max(2, options.tuning.batchSize)
      run.maxLength = options.tuning.maxLength
      let result = try run.train(on: usable, thenScore: rest, seed: seed, progress: progress)
      let scores = SimulateWorkflow.meanFilled(result.scores, where: rest.map { withoutText[$0] })
      return (scores, result.trainableParameters)
    case .fused(let method):
      let parts = try [WithinRanker.linear(.hybridLR), .crossEncoder(method)].map {
        try score(
          $0, review: review, train: train, rest: rest, frozen: frozen, queryVector: queryVector, lowerLayers: lowerLayers,
          options: options, seed: seed, progress: progress)
      }
      return (fusedScores(parts.map(\.scores)), parts.reduce(0) { $0 + $1.parameters })
    }
  }

  /// `model` as `simulate` fits it, on the `train` rows of `features`, scoring the `rest`.
  static func fitLinear(
    _ model: SimulateWorkflow.SimulationModel, features: SparseMatrix, labels: [Int], train: [Int], rest: [Int], seed: UInt64
  ) throws -> (scores: [Double], parameters: Int) {
    var classifier = try SimulateWorkflow.linearModel(model, seed: seed)
    try classifier.fit(features.rows(train), labels: train.map { labels[$0] }, weights: nil)
    return (try classifier.scores(features.rows(rest)), features.columnCount + 1)
  }

  /// Macro averages per ranker (each review's mean over its seeds first), then per review.
  public static func withinMarkdown(_ rows: [WithinRow], command: String) -> String {
    let keys = ["wss@95", "ap", "auc", "recall@10%"]
    let rankers = rows.map(\.ranker).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let reviews = rows.map(\.review).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
    func perReview(_ ranker: String, _ review: String, _ key: String) -> Double? {
      let mine = rows.filter { $0.ranker == ranker && $0.review == review }
      return mine.isEmpty ? nil : mean(mine.map { $0.metrics[key] ?? 0 })
    }
    let seeds = Set(rows.map(\.seed)).count
    var out = "Command: `\(command)`\n\n\(reviews.count) reviews, \(seeds) seed(s); each review's mean over the seeds, then the macro mean.\n\n"
    out += "| ranker | reviews | WSS@95 | AP | ROC AUC | recall@10% | trainable params (median) | train+rank s (total) | peak RSS MB |\n"
    out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    for r in rankers {
      let mine = rows.filter { $0.ranker == r }
      let covered = reviews.filter { perReview(r, $0, "wss@95") != nil }
      let means = keys.map { k in mean(covered.compactMap { perReview(r, $0, k) }) }
      let params = mine.map(\.trainableParameters).sorted()
      let rss = mine.compactMap(\.peakRSSMB).max().map { String(format: "%.0f", $0) } ?? "-"
      out += "| \(r) | \(covered.count) | " + means.map { String(format: "%.3f", $0) }.joined(separator: " | ")
        + " | \(params.isEmpty ? 0 : params[params.count / 2]) | "
        + String(format: "%.0f", mine.reduce(0) { $0 + $1.trainSeconds }) + " | \(rss) |\n"
    }
    out += "\n<details><summary>Per review (WSS@95 / AP, mean over the seeds)</summary>\n\n| review | "
      + rankers.joined(separator: " | ") + " |\n| --- |" + String(repeating: " ---: |", count: rankers.count) + "\n"
    for review in reviews {
      out += "| \(review) | " + rankers.map { r in
        guard let w = perReview(r, review, "wss@95"), let ap = perReview(r, review, "ap") else { return "-" }
        return String(format: "%.3f / %.3f", w, ap)
      }.joined(separator: " | ") + " |\n"
    }
    return out + "\n</details>\n"
  }
}
