import Adapters
import Corpus
import Encoder
import Evaluation
import Foundation
import Screening
import Text

/// `csmed simulate`: prioritised screening replayed on a labelled review, with the evaluator's
/// metrics for each labelling order and every stopping rule's verdict.
public enum SimulateWorkflow {
  public struct Options: Sendable {
    public var source: ReviewSource
    public var model: SimulationModel
    public var coldStart: ColdStartChoice
    /// The encoder, for `embed-lr` and the zero-shot warm start.
    public var base: URL?
    public var priorIncluded: Int
    public var priorExcluded: Int
    /// With the zero-shot warm start, how long the prior keeps a say (relevant records found
    /// until it weighs half); 0 ranks by the model alone once it is trained.
    public var priorHalfLife: Double = SimulateWorkflow.defaultPriorHalfLife
    /// Where sentence embeddings are kept between runs (nil: not kept).
    public var embeddingCache: URL?
    /// With the zero-shot warm start: a trained screener whose ranking is the prior (nil: the
    /// untuned encoder's similarity to the question).
    public var priorModel: URL?
    /// The arithmetic of the frozen embeddings (fp32, or int8 linear maps).
    public var precision = Precision.fp32
    /// The adapter `bi-encoder` trains inside the loop (default LoRA r8 on query and value of
    /// the top two layers).
    public var adapter = AdapterConfiguration(method: .lora, freezeLayers: 4)
    /// Steps, learning rate and lengths of `bi-encoder`.
    public var biEncoder = BiEncoderLearner.Settings()
    public var seed: UInt64
    public var seeds: Int
    public var batchSize: Int
    public var rules: String
    public var targetRecall: Double
    public var wssConvention: WSSConvention

    public init(
      source: ReviewSource, model: SimulationModel = .tfidfSVM, coldStart: ColdStartChoice = .fileOrder, base: URL? = nil,
      priorIncluded: Int = 0, priorExcluded: Int = 0, seed: UInt64 = 42, seeds: Int = 1, batchSize: Int = 1,
      rules: String = SimulateWorkflow.defaultRules, targetRecall: Double = 0.95, wssConvention: WSSConvention = .asreview
    ) {
      self.source = source
      self.model = model
      self.coldStart = coldStart
      self.base = base
      self.priorIncluded = priorIncluded
      self.priorExcluded = priorExcluded
      self.seed = seed
      self.seeds = seeds
      self.batchSize = batchSize
      self.rules = rules
      self.targetRecall = targetRecall
      self.wssConvention = wssConvention
    }
  }

  /// Measured over the 22 texted reviews (docs/results.md), macro WSS@95 of tfidf-embed-lr: half-life
  /// 0 / 3 gave 0.4946 / 0.4962 (C = 10); 0 / 3 / 10 gave 0.4885 / 0.4899 / 0.4752 (C = 1); with
  /// today's features 1 / 2 / 3 / 5 give 0.5171 / 0.5154 / 0.5157 / 0.5113. A short half-life: the
  /// prior helps while few relevant records are known and misleads after.
  public static let defaultPriorHalfLife = 3.0

  /// Inverse regularisation of the logistic regression on embeddings (and TF-IDF beside them).
  /// C = 1 / 3 / 10 / 30 / 100 gave macro WSS@95 0.4885 / 0.4907 / 0.4946 / 0.4932 / 0.4946, and
  /// 3 / 10 / 30 give 0.5148 / 0.5157 / 0.5089 with today's features: a few labels need a weakly
  /// regularised model to move away from the prior.
  static let embeddingModelC = 10.0

  /// The TF-IDF block of tfidf-embed-lr: word uni- and bigrams, sublinear tf, without English stop
  /// words and without terms of a single record. Beside the embedding, the words that only say
  /// what the embedding already says, and the one-off terms, are noise to a model fitted on a few
  /// labels: macro WSS@95 0.5046 with all terms, 0.5087 (min_df 2), 0.5073 (stop words),
  /// 0.5157 (both), 0.5122 (both, min_df 3).
  static var hybridTFIDF: TFIDFVectorizer.Configuration {
    // A literal range and stop-word list are valid, so the throwing initializer cannot fail here.
    TFIDFVectorizer.Configuration(
      analyzer: (try? TextAnalyzer(stopWords: .english, ngramRange: 1...2)) ?? TextAnalyzer(),
      minimumDocumentFrequency: .count(2))
  }

  /// The rules `simulate` checks by default: those that need only the labels.
  public static let defaultRules = "consecutive:100,knee,budget,target:10,hypergeometric,fraction:0.5"

  public enum ColdStartChoice: String, Sendable, CaseIterable {
    case fileOrder = "file-order"
    case random
    /// By cosine similarity of each record's embedding to the review's title and criteria.
    case zeroShot = "zero-shot"
  }

  /// The screeners `simulate` can retrain after every label.
  public enum SimulationModel: String, Sendable, CaseIterable {
    case tfidfSVM = "tfidf-svm", tfidfNB = "tfidf-nb", tfidfLR = "tfidf-lr"
    /// Logistic regression (balanced class weights) on frozen MiniLM sentence embeddings.
    case embedLR = "embed-lr"
    /// Logistic regression on TF-IDF (uni+bigrams, sublinear) and the sentence embedding side by side.
    case hybridLR = "tfidf-embed-lr"
    /// MiniLM with an adapter fine-tuned inside the loop, cosine to the review's question;
    /// retrained in growing batches (B += ceil(B/10)).
    case biEncoder = "bi-encoder"

    var classical: ClassicalScreenerKind? { ClassicalScreenerKind(rawValue: rawValue) }
    /// The tfidf-* models read what ASReview's read, title and abstract, so that their runs stay
    /// comparable with `asreview simulate`; csmed's own models read the keywords too. On the
    /// seven Hannousse reviews (the only texted collection with keywords) tfidf-embed-lr's macro
    /// WSS@95 moved 0.591 -> 0.599 from the zero-shot warm start, and 0.586 -> 0.598 with 1 + 1
    /// random priors over five seeds (Ghasemi-2019, Guinea-2016, Shahin-2017 and Yang-2016 up,
    /// Alhammad-2018 and Goulao-2016 down, under both).
    var textView: TextView { classical == nil ? .titleAbstractKeywords : .titleAbstract }
    var needsEncoder: Bool { self == .embedLR || self == .hybridLR }
  }

  /// One simulated run (one seed).
  public struct SeedRun: Sendable {
    public var seed: UInt64
    public var steps: [PrioritizedScreening.Step]
    public var evaluation: EvaluationReport
    public var stopping: StoppingSimulationReport
    public var seconds: Double
  }

  public struct Result: Sendable {
    public var review: LabelledReview
    /// Indices into the review's candidates that took part (those with a known label).
    public var included: [Int]
    public var runs: [SeedRun]
    public var reliability: [StoppingReliability]
    public var notes: [String]
  }

  public static func run(_ options: Options, progress: ProgressHandler = { _ in }) throws -> Result {
    guard options.seeds >= 1 else { throw WorkflowError.usage("--seeds must be at least 1") }
    if options.priorModel != nil {
      guard options.coldStart == .zeroShot else {
        throw WorkflowError.usage("--prior-model is the prior of --warm-start zero-shot; add --warm-start zero-shot")
      }
      guard options.model != .biEncoder else {
        throw WorkflowError.usage("--prior-model serves the linear models; the bi-encoder starts from its own encoder")
      }
    }
    let review = try options.source.load()
    let candidates = try Candidates(of: review, options: options)
    let question = reviewQuery(title: review.title, criteria: review.criteria)
    let needsQuestion = options.model == .biEncoder || options.coldStart == .zeroShot
    if needsQuestion, question.isEmpty {
      throw WorkflowError.usage("bi-encoder and --warm-start zero-shot need the review's title (--review-title)")
    }
    var (embeddings, priorScores) = try frozenEmbeddings(
      of: candidates, question: question, options: options, progress: progress)
    if let directory = options.priorModel {
      priorScores = try screenerPrior(directory, review: review, candidates: candidates, question: question, options: options, progress: progress)
    }
    let features = try classicalFeatures(
      of: candidates.texts, embeddings: embeddings, model: options.model, withoutText: candidates.withoutText)
    let simulation = try SeedSimulation(
      options: options, reviewID: review.reviewID, candidates: candidates, question: question, features: features,
      priorScores: priorScores)
    let runs: [SeedRun] = try (0..<options.seeds).map { offset in
      try simulation.run(seed: options.seed &+ UInt64(offset), progress: progress)
    }
    return Result(
      review: review, included: candidates.included, runs: runs,
      reliability: StoppingSimulator.reliability(of: runs.map(\.stopping)), notes: candidates.notes)
  }

  /// The candidates with a known label, as the simulation sees them, and what the user should
  /// know about them.
  private struct Candidates {
    /// Indices into the review's candidates.
    var included: [Int]
    var labels: [Bool]
    /// The document ids the evaluator sees, one per included candidate.
    var ids: [String]
    var texts: [String]
    var withoutText: [Bool]
    var notes: [String] = []

    init(of review: LabelledReview, options: Options) throws {
      included = review.labels.indices.filter { review.labels[$0] != nil }
      if included.count < review.labels.count {
        notes.append("\(review.labels.count - included.count) candidate(s) without a label for this stage were left out")
      }
      labels = included.map { review.labels[$0] == 1 }
      guard labels.contains(true) else {
        throw WorkflowError.usage("review \(review.reviewID) has no included record at this stage; nothing to simulate")
      }
      let pairs = zip(labels, labels.dropFirst())
      let sortedByLabel = !pairs.contains { !$0 && $1 } || !pairs.contains { $0 && !$1 }
      if options.coldStart == .fileOrder, sortedByLabel {
        notes.append("the candidates are sorted by label, so a file-order warm start leaks the labels; use --warm-start random")
      }
      ids = included.map { "r\($0)" }
      texts = SimulateWorkflow.texts(of: review, candidates: included, model: options.model)
      withoutText = SimulateWorkflow.withoutText(texts)
    }
  }

  /// Frozen sentence embeddings: features of embed-lr and tfidf-embed-lr, and the zero-shot
  /// prior of the other models (the bi-encoder computes its own). Empty and nil when neither
  /// is needed.
  private static func frozenEmbeddings(
    of candidates: Candidates, question: String, options: Options, progress: ProgressHandler
  ) throws -> (embeddings: [[Float]], priorScores: [Double]?) {
    let zeroShotPrior = options.coldStart == .zeroShot && options.model != .biEncoder && options.priorModel == nil
    guard options.model.needsEncoder || zeroShotPrior else { return ([], nil) }
    let base = try encoderBase(options)
    var embedder = try SentenceEmbedder(directory: base)
    try embedder.setPrecision(options.precision)
    let embeddings =
      if let cache = options.embeddingCache {
        try EmbeddingCache(directory: cache).embeddings(of: candidates.texts, with: embedder, base: base, progress: progress)
      } else {
        try ScreenWorkflow.embedInChunks(candidates.texts, with: embedder, progress: progress)
      }
    guard zeroShotPrior else { return (embeddings, nil) }
    let queryVector = try embedder.embed([question])[0]
    let priorScores = meanFilled(
      embeddings.map { Double(ScreenWorkflow.dot($0, queryVector)) }, where: candidates.withoutText)
    return (embeddings, priorScores)
  }

  /// The warm start's prior from a trained screener: its scores of the candidates, each read
  /// in the screener's own view; records without text at the mean, as the zero-shot prior does.
  private static func screenerPrior(
    _ directory: URL, review: LabelledReview, candidates: Candidates, question: String, options: Options,
    progress: ProgressHandler
  ) throws -> [Double] {
    let screener = try TrainedScreener.load(directory: directory, base: options.base)
    let texts = candidates.included.map { review.text(of: $0, view: screener.manifest.reads) }
    let scores = try screener.scores(query: question, texts: texts, progress: progress)
    return meanFilled(scores, where: withoutText(texts))
  }

  private static func encoderBase(_ options: Options) throws -> URL {
    guard let base = options.base else {
      throw WorkflowError.usage("\(options.model.rawValue) and --warm-start zero-shot need --base DIR")
    }
    return base
  }

  /// What every seed's run shares: the candidates, the model's inputs, the stopping rules and
  /// the evaluator's labels.
  private struct SeedSimulation {
    var options: Options
    var reviewID: String
    var candidates: Candidates
    var question: String
    /// The classical model's features; nil for the bi-encoder.
    var features: SparseMatrix?
    var priorScores: [Double]?
    var rules: [any StoppingRule]
    var labelSet: LabelSet
    var evaluation = EvaluationOptions()
    var simulator: StoppingSimulator

    init(
      options: Options, reviewID: String, candidates: Candidates, question: String, features: SparseMatrix?,
      priorScores: [Double]?
    ) throws {
      self.options = options
      self.reviewID = reviewID
      self.candidates = candidates
      self.question = question
      self.features = features
      self.priorScores = priorScores
      rules = try StoppingRuleCatalog.rules(from: options.rules, targetRecall: options.targetRecall)
      let ids = candidates.ids
      labelSet = LabelSet(
        source: reviewID,
        reviews: [
          ReviewLabels(reviewID: reviewID, candidates: ids, relevant: Set(zip(ids, candidates.labels).filter(\.1).map(\.0)))
        ])
      evaluation.wssConvention = options.wssConvention
      evaluation.recallTargets = Array(Set([options.targetRecall, 0.95, 1.0])).sorted()
      simulator = try StoppingSimulator(targetRecall: options.targetRecall, checkInterval: 1)
    }

    func run(seed: UInt64, progress: ProgressHandler) throws -> SeedRun {
      let started = Date()
      // The loop stops at the last relevant record, usually before the bar is full.
      progress(.started("simulate seed \(seed)", total: candidates.labels.count))
      let steps = try screeningOrder(seed: seed, progress: progress)
      progress(.finished("simulate seed \(seed)"))
      let seconds = Date().timeIntervalSince(started)
      let run = Run(
        name: "\(options.model.rawValue) seed \(seed)", format: .csv,
        rankings: [Ranking(reviewID: reviewID, documentIDs: steps.map { candidates.ids[$0.record] })])
      let report = try Evaluator.evaluate(run, labels: labelSet, options: evaluation)
      var generator = SplitMix64(seed: seed)
      let stopping = try simulator.simulate(
        ScreeningOrder(labels: steps.map(\.label)), rules: rules, using: &generator)
      return SeedRun(seed: seed, steps: steps, evaluation: report, stopping: stopping, seconds: seconds)
    }

    /// The labelling order of one seed: the linear model on the features, or the bi-encoder
    /// fine-tuned inside the loop.
    private func screeningOrder(seed: UInt64, progress: ProgressHandler) throws -> [PrioritizedScreening.Step] {
      let labels = candidates.labels
      var settings = PrioritizedScreening.Settings(
        priorIncluded: options.priorIncluded, priorExcluded: options.priorExcluded,
        coldStart: coldStart, batchSize: options.batchSize,
        priorHalfLife: options.priorHalfLife, seed: seed)
      let relevant = labels.count(where: \.self)
      let reportQuery: (Int, Int) -> Void = { screened, found in
        progress(.status("\(found)/\(relevant) relevant found"))
        progress(.advanced(done: screened))
      }
      if let features {
        let model = try linearModel(options.model, seed: seed)
        return try PrioritizedScreening.simulate(
          features: features, labels: labels, model: model, settings: settings, progress: reportQuery)
      }
      var adapter = options.adapter
      adapter.seed = seed
      var learner = try BiEncoderLearner(
        base: try encoderBase(options), adapter: adapter, question: question, texts: candidates.texts,
        settings: options.biEncoder, seed: seed)
      // Untrained, the learner is the zero-shot ranker: its scores are the warm start.
      if options.coldStart == .zeroShot { settings.coldStart = .scores(try learner.scores()) }
      settings.growBatch = true
      return try PrioritizedScreening.simulate(learner: &learner, labels: labels, settings: settings, progress: reportQuery)
    }

    private var coldStart: PrioritizedScreening.ColdStart {
      switch options.coldStart {
      case .fileOrder: .fileOrder
      case .random: .random
      case .zeroShot: .scores(priorScores ?? [])
      }
    }
  }

  /// The untrained linear model of a model with features: the classical kind's, or for the
  /// embedding models a logistic regression with balanced class weights.
  static func linearModel(_ model: SimulationModel, seed: UInt64) throws -> ClassicalModel {
    if let kind = model.classical { return try kind.makeModel(seed: seed) }
    return .logisticRegression(
      try LogisticRegression(configuration: .init(c: embeddingModelC, balance: .inverseClassFrequency, warmStart: true)))
  }

  /// The features a classical model learns from; nil for the bi-encoder, which reads the texts.
  /// The TF-IDF models see what ASReview's see; the embedding models put records without text
  /// (`withoutText`) at the mean of the others, where the model scores them as the average record.
  static func classicalFeatures(
    of texts: [String], embeddings: [[Float]], model: SimulationModel, withoutText: [Bool]
  ) throws -> SparseMatrix? {
    if let kind = model.classical { return try TFIDFVectorizer.fitTransform(texts, configuration: kind.features).1 }
    guard model.needsEncoder else { return nil }
    return try EmbeddingFeatures(fitting: texts, withTFIDF: model == .hybridLR).matrix(texts: texts, embeddings: embeddings)
      .imputingMean(ofRowsWhere: withoutText)
  }

  /// The text of each candidate as `model` reads it (``SimulationModel/textView``).
  static func texts(of review: LabelledReview, candidates: [Int], model: SimulationModel) -> [String] {
    candidates.map { review.text(of: $0, view: model.textView) }
  }

  /// Which records have neither title nor abstract. Such a record carries no evidence: the
  /// embedding models score it as the average record, not wherever the embedding of an empty
  /// string lands (last, on Cohen's reviews, which hold 1-6 such includes each).
  static func withoutText(_ texts: [String]) -> [Bool] { texts.map { $0.allSatisfy(\.isWhitespace) } }

  /// `scores` with the flagged entries replaced by the mean of the others (unchanged when none or
  /// all are flagged).
  static func meanFilled(_ scores: [Double], where flagged: [Bool]) -> [Double] {
    let known = scores.indices.filter { !flagged[$0] }
    guard !known.isEmpty, known.count < scores.count else { return scores }
    let mean = known.reduce(0) { $0 + scores[$1] } / Double(known.count)
    return scores.indices.map { flagged[$0] ? mean : scores[$0] }
  }

  /// The labelling order as CSV: one row per screened record and seed, with the rules that would
  /// have stopped at that record.
  public static func orderCSV(_ result: Result) -> String {
    var lines = ["seed,order,document_id,label,score,source,stopped_by"]
    for run in result.runs {
      var stoppedAt: [Int: [String]] = [:]
      for outcome in run.stopping.outcomes {
        if let position = outcome.stopPosition { stoppedAt[position, default: []].append(outcome.rule) }
      }
      for (index, step) in run.steps.enumerated() {
        let candidate = result.included[step.record]
        let score = step.score.map { String(format: "%.6g", $0) } ?? ""
        let rules = stoppedAt[index + 1]?.joined(separator: ";") ?? ""
        lines.append(
          "\(run.seed),\(index + 1),\(DelimitedText.quoted(result.review.documentIDs[candidate])),\(step.label ? 1 : 0),\(score),\(step.source.rawValue),\(rules)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
