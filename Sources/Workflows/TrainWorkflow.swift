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
