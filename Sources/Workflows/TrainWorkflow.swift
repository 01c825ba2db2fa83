import Adapters
import Corpus
import Encoder
import Evaluation
import Foundation
import Screening
import Store
import Tensor
import Text

/// `csmed train`: learns a screener from reviews already screened in the meta-dataset, keeps the
/// epoch that ranks held-out reviews best, and writes a directory `csmed screen --model` reads.
public enum TrainWorkflow {
  public struct Options: Sendable {
    public var database: URL
    public var train: ReviewSelection
    public var valid: ReviewSelection?
    public var stage: Stage = .titleAbstract
    public var kind: ScreenerKind = .biEncoder
    public var base: URL
    public var adapter: AdapterConfiguration = AdapterConfiguration(method: .lora)
    public var epochs = 1
    public var learningRate = 1e-4
    /// Queries (bi-encoder) or pairs (cross-encoder) per optimizer step.
    public var batchSize = 16
    public var maxLength = 256
    public var queryMaxLength = 128
    public var seed: UInt64 = 42
    public var output: URL
    public var resume = false
    /// Stop after this many optimizer steps in total (a budget), nil: run every epoch.
    public var maxSteps: Int?
    /// Bi-encoder: softmax temperature of the contrastive loss.
    public var temperature = 0.05
    /// Bi-encoder: excluded candidates of the same review added per query as hard negatives.
    public var hardNegatives = 1
    /// Included candidates of one review used per epoch (keeps big reviews from dominating).
    public var positivesPerReview = 32
    /// Epochs without a better validation score before stopping.
    public var patience = 2
    /// Validation reviews are scored on all their included and at most this many excluded candidates.
    public var validationCandidates = 1000
    /// BERT's hidden and attention dropout while training (Hugging Face's train mode: 0.1).
    public var encoderDropout = 0.1
    public var workers = Parallel.defaultWorkerCount

    /// Train on the labelled records of one file instead of the meta-dataset's reviews.
    public var input: LabelledFile?

    public init(database: URL, train: ReviewSelection, base: URL, output: URL) {
      self.database = database
      self.train = train
      self.base = base
      self.output = output
    }

    /// `train --input`: the labelled records of `input`, no database.
    public init(input: LabelledFile, base: URL, output: URL) {
      self.init(database: URL(fileURLWithPath: "/dev/null"), train: .none, base: base, output: output)
      self.input = input
    }
  }

  /// A search export with labels (a label column such as `included` or `label_included`, or
  /// RIS/MEDLINE label tags), as `train --input` reads it: a reviewer's own screening so far.
  public struct LabelledFile: Sendable {
    public var url: URL
    /// The review's title and criteria: the query the encoders read beside each record.
    public var title: String
    public var criteria: URL?
    /// The share of the labelled records, stratified by label and drawn with the run's seed,
    /// held out to choose the epoch and to estimate `screen --target-recall`; 0 holds out none.
    public var validFraction: Double

    public init(url: URL, title: String, criteria: URL? = nil, validFraction: Double = 0) {
      self.url = url
      self.title = title
      self.criteria = criteria
      self.validFraction = validFraction
    }
  }

  /// Validation of one epoch: macro metrics and the recall fractions `--target-recall` uses.
  struct Validation {
    var metrics: [String: Double] = [:]
    var fractions: [String: [Double]] = [:]
  }

  /// What `--plan` prints: trainable parameters per module.
  public struct Plan: Sendable {
    public var method: AdapterMethod
    public var modules: [(module: String, count: Int)]
    public var total: Int
    public var headParameters: Int
  }

  public struct Report: Sendable {
    public var output: URL
    public var steps: Int
    public var epochs: Int
    public var selectedEpoch: Int
    public var validation: [String: Double]
    public var seconds: Double
    public var tokensPerSecond: Double
  }

  /// The trainable parameters per module, without training. SMT's blocks are counted from
  /// `--smt-blocks` (their places are chosen during training).
  public static func plan(adapter: AdapterConfiguration, base: URL, kind: ScreenerKind) throws -> Plan {
    let bert = try BertModel<Float>.load(directory: base)
    try adapter.validate(against: bert.configuration)
    // SMT's blocks are placed by warm-up gradients; any placement has the same count.
    let blocks: [LinearSite: [SMTBlocks<Float>.Block]] =
      adapter.method == .smt ? SMTSelection.leading(adapter, bert: bert.configuration) : [:]
    let encoder = try AdaptedEncoder(configuration: adapter, bert: bert.configuration, base: bert.weights, smtBlocks: blocks)
    var modules = encoder.parameterCounts
    if adapter.method == .smt {
      let size = adapter.smtBlockSize
      modules = [("\(adapter.smtBlocks) blocks of \(size)x\(size) (placed by warm-up gradients)", encoder.trainableParameterCount)]
    }
    let head = kind == .crossEncoder ? 2 * bert.configuration.hiddenSize + 2 : 0
    return Plan(method: adapter.method, modules: modules, total: modules.reduce(0) { $0 + $1.count }, headParameters: head)
  }

  public static func run(_ options: Options, progress: ProgressHandler = { _ in }) throws -> Report {
    let started = Date()
    let (train, valid) = try reviews(options, progress: progress)
    try FileManager.default.createDirectory(at: options.output, withIntermediateDirectories: true)
    switch options.kind {
    case .tfidfLR, .tfidfSVM, .embedLR, .hybridLR:
      return try trainClassical(options, train: train, valid: valid, started: started, progress: progress)
    case .biEncoder, .crossEncoder:
      return try trainNeural(options, train: train, valid: valid, started: started, progress: progress)
    }
  }

  /// The training and validation reviews: from a labelled file, or from the meta-dataset.
  static func reviews(_ options: Options, progress: ProgressHandler) throws -> (train: [ScreeningData.Review], valid: [ScreeningData.Review]) {
    if let input = options.input {
      return try ScreeningData.labelled(input, view: options.kind.textView, seed: options.seed, progress: progress)
    }
    let store = try DatasetStore.open(at: options.database.path)
    let trainRefs = try options.train.resolve(in: store)
    let validRefs = try options.valid?.resolve(in: store) ?? []
    let overlap = Set(trainRefs.map(\.id)).intersection(validRefs.map(\.id))
    guard overlap.isEmpty else {
      throw WorkflowError.usage("\(overlap.count) review(s) are in both --train and --valid")
    }
    let train = try trainRefs.map { try ScreeningData.review($0, store: store, stage: options.stage, view: options.kind.textView) }.filter { r in
      let usable = r.hasBothClasses
      if !usable { progress(.warning("\(r.key): no included or no excluded candidate with text; not used for training")) }
      return usable
    }
    guard !train.isEmpty else { throw WorkflowError.usage("no training review has both included and excluded candidates") }
    let valid = try validRefs.map { try ScreeningData.review($0, store: store, stage: options.stage, view: options.kind.textView) }
      .filter(\.hasBothClasses).map { $0.sampled(maxExcluded: options.validationCandidates, seed: options.seed) }
    return (train, valid)
  }

  // MARK: TF-IDF

  static func trainClassical(
    _ options: Options, train: [ScreeningData.Review], valid: [ScreeningData.Review], started: Date,
    progress: ProgressHandler
  ) throws -> Report {
    var texts: [String] = [], labels: [Int] = []
    for r in train {
      for i in r.texts.indices { if let l = r.labels[i], !r.texts[i].isEmpty { texts.append(r.texts[i]); labels.append(l) } }
    }
    guard let simulationModel = options.kind.simulationModel else {
      throw WorkflowError.usage("\(options.kind.rawValue) is not a linear screener")
    }
    var model = try SimulateWorkflow.linearModel(simulationModel, seed: options.seed)
    // The file the screener is written to, and its scores of new records.
    let file: Data
    let scores: ([String]) throws -> [Double]
    var identity: BaseModelIdentity?
    if let kind = simulationModel.classical {
      let vectorizer = try TFIDFVectorizer(fitting: texts, configuration: kind.features)
      try model.fit(vectorizer.transform(texts), labels: labels, weights: nil)
      file = try JSONEncoder().encode(ClassicalScreenerFile(vectorizer: vectorizer, model: model))
      scores = { [model] in try model.scores(vectorizer.transform($0)) }
    } else {
      var embedder = try SentenceEmbedder(directory: options.base)
      embedder.maxLength = options.maxLength
      identity = try BaseModelIdentity.of(directory: options.base)
      let features = try EmbeddingFeatures(fitting: texts, withTFIDF: options.kind == .hybridLR)
      let embeddings = try ScreenWorkflow.embedInChunks(texts, with: embedder, progress: progress)
      try model.fit(features.matrix(texts: texts, embeddings: embeddings), labels: labels, weights: nil)
      file = try JSONEncoder().encode(EmbeddingScreenerFile(features: features, model: model))
      scores = { [model] texts in
        let embeddings = try ScreenWorkflow.embedInChunks(texts, with: embedder, progress: { _ in })
        let scores = try model.scores(features.matrix(texts: texts, embeddings: embeddings))
        return SimulateWorkflow.meanFilled(scores, where: SimulateWorkflow.withoutText(texts))
      }
    }
    var validation: [String: Double] = [:]
    var fractions: [String: [Double]]? = nil
    if !valid.isEmpty {
      let scored = try valid.map { r in (r, Optional(try scores(r.texts))) }
      validation = ScreeningData.metrics(scored)
      fractions = RecallFractions.compute(ScreeningData.rankings(scored))
    }
    try writeAtomically(file, to: options.output.appendingPathComponent(ScreenerManifest.classicalFile))
    let manifest = ScreenerManifest(
      kind: options.kind, stage: options.stage.rawValue, base: identity, adapter: nil, smtBlocks: nil,
      maxLength: options.maxLength, queryMaxLength: options.queryMaxLength, trainedOn: train.map(\.key),
      selectedEpoch: 1, validation: validation, recallFractions: fractions,
      createdAt: ISO8601DateFormatter().string(from: Date()), textView: options.kind.textView)
    try writeManifest(manifest, to: options.output)
    return Report(
      output: options.output, steps: 1, epochs: 1, selectedEpoch: 1, validation: validation,
      seconds: Date().timeIntervalSince(started), tokensPerSecond: 0)
  }

  // MARK: Neural

  static func trainNeural(
    _ options: Options, train: [ScreeningData.Review], valid: [ScreeningData.Review], started: Date,
    progress: ProgressHandler
  ) throws -> Report {
    let bert = try BertModel<Float>.load(directory: options.base)
    let tokenizer = try BertTokenizer(vocabularyURL: options.base.appendingPathComponent("vocab.txt"))
    let identity = try BaseModelIdentity.of(directory: options.base)
    let c = bert.configuration
    var rng = SplitMix64(seed: options.seed)
    let batches = Batcher(train: train, options: options)
    // The schedule spans the steps the epochs' real batch plans hold (or the --max-steps budget).
    func epochGenerator(_ epoch: Int) -> SplitMix64 { SplitMix64(seed: options.seed &+ UInt64(epoch) &* 0x9E37_79B9) }
    let planned = (1...max(1, options.epochs)).reduce(0) { total, epoch in
      var g = epochGenerator(epoch)
      return total + batches.epoch(using: &g).count
    }
    let plannedSteps = min(options.maxSteps ?? Int.max, planned)
    let schedule = LinearWarmupSchedule(
      peak: options.learningRate, warmupSteps: plannedSteps / 10, totalSteps: max(plannedSteps, 1))

    // SMT places its blocks by the gradients of a few warm-up batches (no update is made).
    var smtBlocks: [LinearSite: [SMTBlocks<Float>.Block]] = [:]
    if options.adapter.method == .smt {
      smtBlocks = try smtWarmUp(options, bert: bert, tokenizer: tokenizer, batches: batches, progress: progress)
    }
    let encoder = try AdaptedEncoder(configuration: options.adapter, bert: c, base: bert.weights, smtBlocks: smtBlocks)
    let head: ClassificationHead<Float>? =
      options.kind == .crossEncoder
      ? ClassificationHead.random(hiddenSize: c.hiddenSize, classCount: 2, dropoutProbability: 0.1, using: &rng) : nil
    let labelsAll = train.flatMap { $0.labels.compactMap { $0 } }
    var trainer = AdapterTrainer(
      model: AdapterModel(encoder: encoder, head: head), schedule: schedule,
      hyperparameters: AdamWHyperparameters(weightDecay: 0.01),
      classWeights: options.kind == .crossEncoder ? Loss.inverseFrequencyWeights(labels: labelsAll, classCount: 2) : nil,
      workers: options.workers)
    if options.encoderDropout > 0 { trainer.encoderDropout = (options.encoderDropout, options.encoderDropout) }
    if options.adapter.freezeLayers > 0, options.adapter.method != .full {
      // Layer skipping: the frozen layers' outputs are computed once per sequence.
      trainer.model.encoder.lowerLayerCache = LowerLayerCache(maxBytes: 1 << 30)
    }

    let stateDirectory = options.output.appendingPathComponent("state")
    var firstEpoch = 1
    var best = (epoch: 0, score: -Double.infinity, metrics: [String: Double]())
    var lastValidation = Validation()
    var stale = 0
    if options.resume {
      guard FileManager.default.fileExists(atPath: stateDirectory.appendingPathComponent("trainer-state.json").path) else {
        throw WorkflowError.usage("--resume: \(stateDirectory.path) holds no training state")
      }
      let extra = try trainer.loadState(from: stateDirectory)
      firstEpoch = (Int(extra["epoch"] ?? "") ?? 0) + 1
      best = (Int(extra["best_epoch"] ?? "") ?? 0, Double(extra["best_score"] ?? "") ?? -.infinity, [:])
      stale = Int(extra["stale"] ?? "") ?? 0
      progress(.note("resuming after epoch \(firstEpoch - 1), step \(trainer.optimizer.stepCount)"))
    }
    let log = TrainingLog(url: options.output.appendingPathComponent("train-log.jsonl"), append: options.resume)

    func validate(_ model: AdapterModel<Float>) throws -> Validation {
      guard !valid.isEmpty else { return Validation() }
      let scored = try valid.map { r in
        (r, Optional(try TrainedScreener.neuralScores(
          model: model, tokenizer: tokenizer, kind: options.kind, query: r.query, texts: r.texts,
          maxLength: options.maxLength, queryMaxLength: options.queryMaxLength, progress: { _ in })))
      }
      return Validation(
        metrics: ScreeningData.metrics(scored), fractions: RecallFractions.compute(ScreeningData.rankings(scored)))
    }
    /// Model selection: mean WSS@95 plus mean recall@10%, so ties on one are broken by the other.
    func selectionScore(_ m: [String: Double]) -> Double { (m["wss@95"] ?? 0) + (m["recall@10%"] ?? 0) }

    if firstEpoch == 1, !valid.isEmpty, options.kind == .biEncoder {
      // Epoch 0: the untuned model (the zero-shot ranker) is a candidate too.
      let v = try validate(trainer.model)
      let m = v.metrics
      best = (0, selectionScore(m), m)
      try saveModel(trainer.model, options: options, identity: identity, smtBlocks: smtBlocks, train: train, epoch: 0, validation: v)
      log.write(["epoch": 0, "validation": m])
      progress(.note("epoch 0 (untuned) validation: \(ScreeningData.describe(m))"))
    }

    var tokens = 0
    var trainingSeconds = 0.0  // optimizer steps only, not validation
    var completedEpochs = firstEpoch - 1
    epochs: for epoch in firstEpoch...max(firstEpoch, options.epochs) where epoch <= options.epochs {
      var epochRNG = epochGenerator(epoch)
      let plan = batches.epoch(using: &epochRNG)
      progress(.started("epoch \(epoch)/\(options.epochs)", total: plan.count))
      var lossSum = 0.0
      var stepsThisEpoch = 0
      for (i, batch) in plan.enumerated() {
        if trainer.optimizer.stepCount >= plannedSteps { break }
        let stepStart = Date()
        var stepRNG = SplitMix64(seed: options.seed ^ UInt64(trainer.optimizer.stepCount &+ 1) &* 0xBF58_476D_1CE4_E5B9)
        let loss: Double
        switch options.kind {
        case .crossEncoder:
          let encodings = try batch.pairs.map { try tokenizer.encode($0.query, pair: $0.text, maxLength: options.maxLength) }
          let tb = try TokenBatch(encodings: encodings, paddingID: tokenizer.paddingID)
          tokens += tb.batchSize * tb.sequenceLength
          let (l, g) = try trainer.classificationGradients([LabelledBatch(batch: tb, labels: batch.pairs.map(\.label))], using: &stepRNG)
          trainer.step(g)
          loss = l
        default:
          let q = try TokenBatch(
            encodings: try batch.queries.map { try tokenizer.encode($0, maxLength: options.queryMaxLength) },
            paddingID: tokenizer.paddingID)
          let d = try TokenBatch(
            encodings: try batch.documents.map { try tokenizer.encode($0, maxLength: options.maxLength) },
            paddingID: tokenizer.paddingID)
          tokens += q.batchSize * q.sequenceLength + d.batchSize * d.sequenceLength
          let (l, g) = try trainer.contrastiveGradients(queries: q, documents: d, temperature: options.temperature, using: &stepRNG)
          trainer.step(g)
          loss = l
        }
        lossSum += loss
        stepsThisEpoch += 1
        trainingSeconds += Date().timeIntervalSince(stepStart)
        let rate = Double(tokens) / max(trainingSeconds, 1e-9)
        log.write(["epoch": epoch, "step": trainer.optimizer.stepCount, "loss": loss, "tokens_per_s": rate])
        progress(.advanced(done: i + 1))
        progress(.status(String(format: "loss %.4f  %.0f tok/s", lossSum / Double(i + 1), rate)))
      }
      progress(.finished("epoch \(epoch)"))
      completedEpochs = epoch
      var metrics: [String: Double] = [:]
      if !valid.isEmpty {
        lastValidation = try validate(trainer.model)
        metrics = lastValidation.metrics
        progress(.note("epoch \(epoch) validation: \(ScreeningData.describe(metrics))"))
      }
      log.write(["epoch": epoch, "train_loss": lossSum / Double(max(1, stepsThisEpoch)), "validation": metrics])
      let score = valid.isEmpty ? Double(epoch) : selectionScore(metrics)
      if score > best.score {
        best = (epoch, score, metrics)
        stale = 0
        try saveModel(
          trainer.model, options: options, identity: identity, smtBlocks: smtBlocks, train: train, epoch: epoch,
          validation: lastValidation)
      } else {
        stale += 1
      }
      try trainer.saveState(
        to: stateDirectory,
        extra: ["epoch": "\(epoch)", "best_epoch": "\(best.epoch)", "best_score": "\(best.score)", "stale": "\(stale)"])
      if stale >= options.patience {
        progress(.note("no better validation score for \(stale) epoch(s); stopping"))
        break epochs
      }
      if trainer.optimizer.stepCount >= plannedSteps { break epochs }
    }
    let seconds = Date().timeIntervalSince(started)
    return Report(
      output: options.output, steps: trainer.optimizer.stepCount, epochs: completedEpochs, selectedEpoch: best.epoch,
      validation: best.metrics, seconds: seconds, tokensPerSecond: Double(tokens) / max(trainingSeconds, 1e-9))
  }

  /// SMT's warm-up: accumulates the dense gradient of every target over `--smt-warmup-steps`
  /// batches of full fine-tuning gradients (no update), then keeps the top blocks.
  static func smtWarmUp(
    _ options: Options, bert: BertModel<Float>, tokenizer: BertTokenizer, batches: Batcher, progress: ProgressHandler
  ) throws -> [LinearSite: [SMTBlocks<Float>.Block]] {
    var full = options.adapter
    full.method = .full
    let encoder = try AdaptedEncoder(configuration: full, bert: bert.configuration, base: bert.weights)
    var rng = SplitMix64(seed: options.seed ^ 0x5A5A)
    let plan = batches.epoch(using: &rng)
    var accumulated: [LinearSite: Tensor<Float>] = [:]
    let sites = options.adapter.sites(bert.configuration)
    progress(.started("SMT warm-up", total: options.adapter.smtWarmupSteps))
    for (i, batch) in plan.prefix(options.adapter.smtWarmupSteps).enumerated() {
      let q = try TokenBatch(encodings: try batch.queries.map { try tokenizer.encode($0, maxLength: options.queryMaxLength) }, paddingID: tokenizer.paddingID)
      let d = try TokenBatch(encodings: try batch.documents.map { try tokenizer.encode($0, maxLength: options.maxLength) }, paddingID: tokenizer.paddingID)
      let trainer = AdapterTrainer(model: AdapterModel(encoder: encoder), schedule: LinearWarmupSchedule(peak: 0, warmupSteps: 0, totalSteps: 1), workers: options.workers)
      let (_, g) = try trainer.contrastiveGradients(queries: q, documents: d, temperature: options.temperature, using: &rng)
      let dense = BertWeights<Float>.fromNamed(g, configuration: bert.configuration, prefix: "encoder.")
      for site in sites {
        guard let w = dense?.weight(at: site) else { continue }
        accumulated[site] = accumulated[site].map { $0.adding(w) } ?? w
      }
      progress(.advanced(done: i + 1))
    }
    progress(.finished("SMT warm-up"))
    return SMTSelection.blocks(gradients: accumulated, count: options.adapter.smtBlocks, blockSize: options.adapter.smtBlockSize)
  }

  static func saveModel(
    _ model: AdapterModel<Float>, options: Options, identity: BaseModelIdentity,
    smtBlocks: [LinearSite: [SMTBlocks<Float>.Block]], train: [ScreeningData.Review], epoch: Int, validation: Validation
  ) throws {
    let values = model.namedTensors.map { SafeTensorsValue.float($0.name, shape: $0.tensor.shape, $0.tensor.scalars) }
    try writeAtomically(
      SafeTensorsWriter.encode(values, metadata: ["format": "csmed", "epoch": "\(epoch)"]),
      to: options.output.appendingPathComponent(ScreenerManifest.tensorsFile))
    let manifest = ScreenerManifest(
      kind: options.kind, stage: options.stage.rawValue, base: identity, adapter: options.adapter,
      smtBlocks: SMTBlockCodec.encode(smtBlocks), maxLength: options.maxLength, queryMaxLength: options.queryMaxLength,
      trainedOn: train.map(\.key), selectedEpoch: epoch, validation: validation.metrics,
      recallFractions: validation.fractions.isEmpty ? nil : validation.fractions,
      createdAt: ISO8601DateFormatter().string(from: Date()), textView: options.kind.textView)
    try writeManifest(manifest, to: options.output)
  }

  static func writeManifest(_ manifest: ScreenerManifest, to directory: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(try encoder.encode(manifest), to: directory.appendingPathComponent(ScreenerManifest.fileName))
    try writeAtomically(
      try encoder.encode(manifest.validation), to: directory.appendingPathComponent("validation.json"))
  }
}

extension BertWeights {
  /// Dense encoder gradients from named tensors (full fine-tuning's names under `prefix`).
  static func fromNamed(_ named: NamedTensors<Scalar>, configuration: BertConfiguration, prefix: String) -> BertWeights? {
    var w = BertWeights.zeros(configuration: configuration)
    var missing = false
    w.updateEach { name, t in
      if let v = named[prefix + name], v.shape == t.shape { t = v } else { missing = true }
    }
    return missing ? nil : w
  }
}

/// Appends one JSON object per line (`train-log.jsonl`).
final class TrainingLog: @unchecked Sendable {
  let url: URL

  init(url: URL, append: Bool) {
    self.url = url
    if !append || !FileManager.default.fileExists(atPath: url.path) {
      _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    }
  }

  func write(_ object: [String: Any]) {
    guard JSONSerialization.isValidJSONObject(object),
      let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
      let handle = try? FileHandle(forWritingTo: url)
    else { return }
    defer { try? handle.close() }
    _ = try? handle.seekToEnd()
    try? handle.write(contentsOf: data + Data("\n".utf8))
  }
}

/// Training reviews and batches.
enum ScreeningData {
  struct Review: Sendable {
    var key: String
    var query: String
    var texts: [String]
    var labels: [Int?]

    var hasBothClasses: Bool {
      let ls = zip(texts, labels).filter { !$0.0.isEmpty }.compactMap(\.1)
      return ls.contains(1) && ls.contains(0)
    }

    /// All included and at most `maxExcluded` excluded candidates (a deterministic sample).
    func sampled(maxExcluded: Int, seed: UInt64) -> Review {
      let excluded = labels.indices.filter { labels[$0] == 0 }
      guard excluded.count > maxExcluded else { return self }
      var rng = SplitMix64(seed: seed)
      let kept = Set(excluded.shuffled(using: &rng).prefix(maxExcluded))
      return keeping(labels.indices.filter { labels[$0] == 1 || kept.contains($0) }, key: key)
    }

    /// The candidates at `indices`, in their order, under `key`.
    func keeping(_ indices: [Int], key: String) -> Review {
      Review(key: key, query: query, texts: indices.map { texts[$0] }, labels: indices.map { labels[$0] })
    }
  }

  /// A review's candidates as a screener reading `view` sees them; the full-text stage reads the
  /// main text after them, where there is one.
  static func review(_ ref: ReviewRef, store: DatasetStore, stage: Stage, view: TextView) throws -> Review {
    let rows = try store.candidates(ofReview: ref.id, stage: stage)
    let criteria = try store.criteriaText(ofReview: ref.id)
    let query = reviewQuery(title: ref.title, criteria: criteria)
    let texts = try rows.map { row in
      view.text(of: row.record, mainText: stage == .fullText ? try store.fullText(ofDocument: row.documentID)?.body : nil)
    }
    return Review(key: "\(ref.collection)/\(ref.sourceReviewID)", query: query, texts: texts, labels: rows.map(\.label))
  }

  /// The labelled records of a file as one training review, and the held-out share as one
  /// validation review (the same share of included and of excluded records, at least one of each).
  /// Records without a label are the rest to screen, not training data; records without text
  /// teach nothing.
  static func labelled(
    _ file: TrainWorkflow.LabelledFile, view: TextView, seed: UInt64, progress: ProgressHandler
  ) throws -> (train: [Review], valid: [Review]) {
    guard (0..<1).contains(file.validFraction) else {
      throw WorkflowError.usage("--valid-fraction expects a share in [0, 1), got \(file.validFraction)")
    }
    let input = try ScreenInput(.file(file.url, title: file.title, criteria: file.criteria))
    let query = reviewQuery(title: input.title, criteria: input.criteria)
    guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw WorkflowError.usage("--input needs --review-title (and --criteria): the screener learns the review's query beside its records")
    }
    var texts: [String] = [], labels: [Int] = []
    var unlabelled = 0, empty = 0
    try input.forEach(view: view) { _, candidate in
      guard let label = candidate.label else { unlabelled += 1; return }
      guard !candidate.text.isEmpty else { empty += 1; return }
      texts.append(candidate.text)
      labels.append(label)
    }
    if unlabelled > 0 { progress(.warning("\(unlabelled) record(s) have no label: not used for training (rank them with `csmed screen --model`)")) }
    if empty > 0 { progress(.warning("\(empty) labelled record(s) have neither title nor abstract: not used")) }
    let included = labels.filter { $0 == 1 }.count
    guard included > 0, included < labels.count else {
      throw WorkflowError.usage(
        "\(file.url.path): training needs included and excluded records with text; found \(included) included and \(labels.count - included) excluded (labels come from a column such as included or label_included, or RIS/MEDLINE label tags)")
    }
    let held =
      file.validFraction > 0
      ? try stratifiedSample(labels: labels, fraction: file.validFraction, seed: seed, flag: "--valid-fraction") : []
    let all = Review(key: input.reviewID, query: query, texts: texts, labels: labels)
    let train = all.keeping(labels.indices.filter { !held.contains($0) }, key: input.reviewID)
    return ([train], held.isEmpty ? [] : [all.keeping(labels.indices.filter(held.contains), key: "\(input.reviewID) (held out)")])
  }

  /// A seeded sample of `fraction` of each class (1 and 0), at least one and all but one of
  /// each, so that both the sample and the rest hold both classes.
  static func stratifiedSample(labels: [Int], fraction: Double, seed: UInt64, flag: String = "--fraction") throws -> Set<Int> {
    var sample = Set<Int>()
    var rng = SplitMix64(seed: seed)
    for label in [1, 0] {
      let members = labels.indices.filter { labels[$0] == label }.shuffled(using: &rng)
      guard members.count >= 2 else {
        throw WorkflowError.usage(
          "\(flag): only \(members.count) \(label == 1 ? "included" : "excluded") record(s); at least two are needed, one on each side of the split")
      }
      let count = min(members.count - 1, max(1, Int((fraction * Double(members.count)).rounded())))
      sample.formUnion(members.prefix(count))
    }
    return sample
  }

  /// Each review's relevance in rank order (judged candidates only).
  static func rankings(_ scored: [(Review, [Double]?)]) -> [[Bool]] {
    scored.compactMap { r, scores in
      guard let scores else { return nil }
      let judged = r.labels.indices.filter { r.labels[$0] != nil }
      return judged.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.map { r.labels[$0] == 1 }
    }
  }

  /// Macro-averaged WSS@95 (CLEF), recall@10%, AP and ROC AUC over reviews with scores.
  static func metrics(_ scored: [(Review, [Double]?)]) -> [String: Double] {
    var sums: [String: Double] = [:]
    var n = 0
    for (r, scores) in scored {
      guard let scores else { continue }
      let judged = r.labels.indices.filter { r.labels[$0] != nil }
      let order = judged.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
      let ranking = JudgedRanking(relevance: order.map { r.labels[$0] == 1 })
      sums["wss@95", default: 0] += WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .clef)
      sums["recall@10%", default: 0] += RankingMetrics.recall(atPercent: 10, in: ranking)
      sums["ap", default: 0] += RankingMetrics.averagePrecision(in: ranking)
      sums["auc", default: 0] += RankingMetrics.rocAUC(in: ranking)
      n += 1
    }
    return sums.mapValues { $0 / Double(max(1, n)) }
  }

  static func describe(_ m: [String: Double]) -> String {
    ["wss@95", "recall@10%", "ap", "auc"].compactMap { k in m[k].map { String(format: "%@ %.4f", k, $0) } }
      .joined(separator: ", ")
  }
}

/// One optimizer step's examples.
struct TrainingBatch {
  /// Bi-encoder: one query per review, its positive document at the same index, then
  /// `hardNegatives` excluded candidates of the same review per query.
  var queries: [String] = []
  var documents: [String] = []
  /// Cross-encoder: (query, text, label) pairs.
  var pairs: [(query: String, text: String, label: Int)] = []
}

/// Builds each epoch's batches from the training reviews, reproducibly from a generator.
struct Batcher {
  let train: [ScreeningData.Review]
  let options: TrainWorkflow.Options
  let positives: [(review: Int, doc: Int)]
  let negatives: [[Int]]

  init(train: [ScreeningData.Review], options: TrainWorkflow.Options) {
    self.train = train
    self.options = options
    var pos: [(Int, Int)] = []
    var neg: [[Int]] = []
    for (ri, r) in train.enumerated() {
      let usable = r.texts.indices.filter { !r.texts[$0].isEmpty }
      pos += usable.filter { r.labels[$0] == 1 }.map { (ri, $0) }
      neg.append(usable.filter { r.labels[$0] == 0 })
    }
    positives = pos
    negatives = neg
  }

  func epoch(using rng: inout SplitMix64) -> [TrainingBatch] {
    // At most `positivesPerReview` positives per review, shuffled.
    var byReview: [Int: [Int]] = [:]
    for p in positives.shuffled(using: &rng) where (byReview[p.review]?.count ?? 0) < options.positivesPerReview {
      byReview[p.review, default: []].append(p.doc)
    }
    let positivesByReview = byReview.keys.sorted().flatMap { r in byReview[r, default: []].map { (r, $0) } }
    // Length bucketing (by characters, a proxy for tokens) so that batches pad to similar lengths.
    let bucketed = LengthBucketing.batches(
      lengths: positivesByReview.map { train[$0.0].texts[$0.1].utf8.count }, batchSize: options.batchSize, using: &rng)
    var pool = bucketed.flatMap { $0.map { positivesByReview[$0] } }
    var out: [TrainingBatch] = []
    switch options.kind {
    case .crossEncoder:
      // Each positive with one excluded candidate of the same review, bucketed by length.
      var pairs: [(query: String, text: String, label: Int)] = []
      for (r, d) in pool {
        let review = train[r]
        pairs.append((review.query, review.texts[d], 1))
        if let n = negatives[r].randomElement(using: &rng) { pairs.append((review.query, review.texts[n], 0)) }
      }
      for ids in LengthBucketing.batches(lengths: pairs.map { $0.text.utf8.count }, batchSize: options.batchSize, using: &rng) {
        out.append(TrainingBatch(pairs: ids.map { pairs[$0] }))
      }
    default:
      // Distinct reviews in a batch, so no query's positive is another query's in-batch negative.
      while !pool.isEmpty {
        var b = TrainingBatch()
        var used = Set<Int>(), rest: [(Int, Int)] = []
        var hard: [String] = []
        for (r, d) in pool {
          if b.queries.count < options.batchSize, used.insert(r).inserted {
            b.queries.append(train[r].query)
            b.documents.append(train[r].texts[d])
            for _ in 0..<options.hardNegatives {
              if let n = negatives[r].randomElement(using: &rng) { hard.append(train[r].texts[n]) }
            }
          } else {
            rest.append((r, d))
          }
        }
        b.documents += hard
        out.append(b)
        pool = rest
      }
    }
    return out
  }
}
