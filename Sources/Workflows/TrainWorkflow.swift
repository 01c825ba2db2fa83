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
    try withoutActuallyEscaping(progress) { progress in
      var training = try NeuralTraining(options, train: train, valid: valid, progress: progress)
      return try training.run(started: started)
    }
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
    let plan = Array(batches.epoch(using: &rng).prefix(options.adapter.smtWarmupSteps))
    let step = BiEncoderStep(
      tokenizer: tokenizer, maxLength: options.maxLength, queryMaxLength: options.queryMaxLength,
      temperature: options.temperature)
    let trainer = AdapterTrainer(
      model: AdapterModel(encoder: encoder), schedule: LinearWarmupSchedule(peak: 0, warmupSteps: 0, totalSteps: 1),
      workers: options.workers)
    progress(.started("SMT warm-up", total: options.adapter.smtWarmupSteps))
    defer { progress(.finished("SMT warm-up")) }
    return try SMTSelection.warmedUp(options.adapter, bert: bert.configuration, steps: plan.count) { i in
      defer { progress(.advanced(done: i + 1)) }
      return try step.gradients(plan[i], trainer: trainer, using: &rng).gradients
    }
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


extension SMTSelection {
  /// SMT's placement: the dense gradients of full fine-tuning summed per target over `steps`
  /// warm-up batches (no update is made), then the `smtBlocks` blocks with the largest sums.
  static func warmedUp(
    _ adapter: AdapterConfiguration, bert: BertConfiguration, steps: Int, gradients: (Int) throws -> NamedTensors<Float>
  ) throws -> [LinearSite: [SMTBlocks<Float>.Block]] {
    var accumulated: [LinearSite: Tensor<Float>] = [:]
    for i in 0..<steps {
      let dense = BertWeights<Float>.fromNamed(try gradients(i), configuration: bert, prefix: "encoder.")
      for site in adapter.sites(bert) {
        guard let w = dense?.weight(at: site) else { continue }
        accumulated[site] = accumulated[site].map { $0.adding(w) } ?? w
      }
    }
    return SMTSelection.blocks(gradients: accumulated, count: adapter.smtBlocks, blockSize: adapter.smtBlockSize)
  }
}
