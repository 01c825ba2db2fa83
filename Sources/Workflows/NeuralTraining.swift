import Adapters
import Corpus
import Encoder
import Foundation
import Tensor
import Text

/// Where a training run stands after an epoch: what `--resume` restores beside the weights and
/// the optimizer (``AdapterTrainer/saveState(to:progress:)`` keeps it in `trainer-state.json`).
struct TrainingProgress: Codable, Equatable, Sendable {
  /// The last completed epoch (0 before the first).
  var epoch = 0
  /// The epoch whose screener is written (0: the untuned encoder).
  var bestEpoch = 0
  /// Its selection score and validation metrics; nil before any epoch was scored.
  var bestScore: Double?
  var bestMetrics: [String: Double] = [:]
  /// Epochs in a row without a better score (patience).
  var staleEpochs = 0
}

/// What one screener kind adds to the loop: turning a batch into tokens, a loss and gradients.
protocol TrainingStep {
  /// One batch's loss and gradients (not yet applied), and the tokens it encoded.
  func gradients(
    _ batch: TrainingBatch, trainer: AdapterTrainer<Float>, using rng: inout SplitMix64
  ) throws -> (loss: Double, gradients: NamedTensors<Float>, tokens: Int)
}

/// The bi-encoder: review queries against their included candidates and hard negatives, a
/// contrastive loss over the batch.
struct BiEncoderStep: TrainingStep {
  let tokenizer: BertTokenizer
  let maxLength, queryMaxLength: Int
  let temperature: Double

  func gradients(
    _ batch: TrainingBatch, trainer: AdapterTrainer<Float>, using rng: inout SplitMix64
  ) throws -> (loss: Double, gradients: NamedTensors<Float>, tokens: Int) {
    let q = try TokenBatch(
      encodings: try batch.queries.map { try tokenizer.encode($0, maxLength: queryMaxLength) }, paddingID: tokenizer.paddingID)
    let d = try TokenBatch(
      encodings: try batch.documents.map { try tokenizer.encode($0, maxLength: maxLength) }, paddingID: tokenizer.paddingID)
    let (loss, g) = try trainer.contrastiveGradients(queries: q, documents: d, temperature: temperature, using: &rng)
    return (loss, g, q.batchSize * q.sequenceLength + d.batchSize * d.sequenceLength)
  }
}

/// The cross-encoder: (query, candidate) pairs through a classification head, a weighted
/// cross-entropy on the labels.
struct CrossEncoderStep: TrainingStep {
  let tokenizer: BertTokenizer
  let maxLength: Int

  func gradients(
    _ batch: TrainingBatch, trainer: AdapterTrainer<Float>, using rng: inout SplitMix64
  ) throws -> (loss: Double, gradients: NamedTensors<Float>, tokens: Int) {
    let encodings = try batch.pairs.map { try tokenizer.encode($0.query, pair: $0.text, maxLength: maxLength) }
    let tb = try TokenBatch(encodings: encodings, paddingID: tokenizer.paddingID)
    let (loss, g) = try trainer.classificationGradients(
      [LabelledBatch(batch: tb, labels: batch.pairs.map(\.label))], using: &rng)
    return (loss, g, tb.batchSize * tb.sequenceLength)
  }
}

/// `csmed train` for the encoders: epochs of optimizer steps, validation after each, the best
/// epoch written, patience, and a resumable state after every epoch.
struct NeuralTraining {
  let options: TrainWorkflow.Options
  let train: [ScreeningData.Review]
  let valid: [ScreeningData.Review]
  let tokenizer: BertTokenizer
  let identity: BaseModelIdentity
  let batches: Batcher
  let plannedSteps: Int
  let smtBlocks: [LinearSite: [SMTBlocks<Float>.Block]]
  let step: any TrainingStep
  let log: TrainingLog
  let progress: ProgressHandler
  var trainer: AdapterTrainer<Float>
  var state = TrainingProgress()
  /// Optimizer-step tokens and seconds (not validation), for the throughput figure.
  var tokens = 0
  var trainingSeconds = 0.0

  var stateDirectory: URL { options.output.appendingPathComponent("state") }

  init(
    _ options: TrainWorkflow.Options, train: [ScreeningData.Review], valid: [ScreeningData.Review],
    progress: @escaping ProgressHandler
  ) throws {
    let bert = try BertModel<Float>.load(directory: options.base)
    tokenizer = try BertTokenizer(vocabularyURL: options.base.appendingPathComponent("vocab.txt"))
    identity = try BaseModelIdentity.of(directory: options.base)
    (self.options, self.train, self.valid, self.progress) = (options, train, valid, progress)
    let batches = Batcher(train: train, options: options)
    self.batches = batches
    // The schedule spans the steps the epochs' real batch plans hold (or the --max-steps budget).
    let planned = (1...max(1, options.epochs)).reduce(0) { total, epoch in
      var g = Self.epochGenerator(epoch, seed: options.seed)
      return total + batches.epoch(using: &g).count
    }
    plannedSteps = min(options.maxSteps ?? Int.max, planned)
    // SMT places its blocks by the gradients of a few warm-up batches (no update is made).
    smtBlocks =
      options.adapter.method == .smt
      ? try TrainWorkflow.smtWarmUp(options, bert: bert, tokenizer: tokenizer, batches: batches, progress: progress) : [:]
    trainer = try Self.trainer(options, bert: bert, train: train, smtBlocks: smtBlocks, plannedSteps: plannedSteps)
    step =
      options.kind == .crossEncoder
      ? CrossEncoderStep(tokenizer: tokenizer, maxLength: options.maxLength)
      : BiEncoderStep(
        tokenizer: tokenizer, maxLength: options.maxLength, queryMaxLength: options.queryMaxLength,
        temperature: options.temperature)
    log = TrainingLog(url: options.output.appendingPathComponent("train-log.jsonl"))
  }

  /// The adapted encoder (and the cross-encoder's head) with AdamW on a warm-up-then-decay schedule.
  static func trainer(
    _ options: TrainWorkflow.Options, bert: BertModel<Float>, train: [ScreeningData.Review],
    smtBlocks: [LinearSite: [SMTBlocks<Float>.Block]], plannedSteps: Int
  ) throws -> AdapterTrainer<Float> {
    let c = bert.configuration
    var rng = SplitMix64(seed: options.seed)
    let encoder = try AdaptedEncoder(configuration: options.adapter, bert: c, base: bert.weights, smtBlocks: smtBlocks)
    let cross = options.kind == .crossEncoder
    let head = cross ? ClassificationHead<Float>.random(hiddenSize: c.hiddenSize, classCount: 2, dropoutProbability: 0.1, using: &rng) : nil
    let labels = train.flatMap { $0.labels.compactMap { $0 } }
    var trainer = AdapterTrainer(
      model: AdapterModel(encoder: encoder, head: head),
      schedule: LinearWarmupSchedule(peak: options.learningRate, warmupSteps: plannedSteps / 10, totalSteps: max(plannedSteps, 1)),
      hyperparameters: AdamWHyperparameters(weightDecay: 0.01),
      classWeights: cross ? Loss.inverseFrequencyWeights(labels: labels, classCount: 2) : nil, workers: options.workers)
    if options.encoderDropout > 0 { trainer.encoderDropout = (options.encoderDropout, options.encoderDropout) }
    if options.adapter.freezeLayers > 0, options.adapter.method != .full {
      // Layer skipping: the frozen layers' outputs are computed once per sequence.
      trainer.model.encoder.lowerLayerCache = LowerLayerCache(maxBytes: 1 << 30)
    }
    return trainer
  }

  static func epochGenerator(_ epoch: Int, seed: UInt64) -> SplitMix64 {
    SplitMix64(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
  }

  /// The whole run: resume or score the untuned encoder, then epochs until the budget or patience ends.
  mutating func run(started: Date) throws -> TrainWorkflow.Report {
    if options.resume { try resume() }
    // A resumed run appends to its log (or starts one if it has none).
    if !options.resume || !FileManager.default.fileExists(atPath: log.url.path) { try log.start() }
    if state.epoch == 0, !valid.isEmpty, options.kind == .biEncoder {
      // Epoch 0: the untuned model (the zero-shot ranker) is a candidate too.
      let v = try validate()
      state.bestScore = Self.selectionScore(v.metrics)
      state.bestMetrics = v.metrics
      try save(epoch: 0, validation: v)
      try log.write(["epoch": 0, "validation": v.metrics])
      progress(.note("epoch 0 (untuned) validation: \(ScreeningData.describe(v.metrics))"))
    }
    while state.epoch < options.epochs {
      let epoch = state.epoch + 1
      let loss = try runEpoch(epoch)
      guard try finishEpoch(epoch, trainLoss: loss), trainer.optimizer.stepCount < plannedSteps else { break }
    }
    return TrainWorkflow.Report(
      output: options.output, steps: trainer.optimizer.stepCount, epochs: state.epoch, selectedEpoch: state.bestEpoch,
      validation: state.bestMetrics, seconds: Date().timeIntervalSince(started),
      tokensPerSecond: Double(tokens) / max(trainingSeconds, 1e-9))
  }

  /// Restores the weights, the optimizer and ``TrainingProgress`` from `--out`'s state.
  mutating func resume() throws {
    guard FileManager.default.fileExists(atPath: stateDirectory.appendingPathComponent(TrainerStateFile.name).path) else {
      throw WorkflowError.usage("--resume: \(stateDirectory.path) holds no training state")
    }
    state = try trainer.loadState(from: stateDirectory, as: TrainingProgress.self)
    progress(.note("resuming after epoch \(state.epoch), step \(trainer.optimizer.stepCount)"))
  }

  /// One epoch's optimizer steps (up to the step budget); returns the mean training loss.
  mutating func runEpoch(_ epoch: Int) throws -> Double {
    var epochRNG = Self.epochGenerator(epoch, seed: options.seed)
    let plan = batches.epoch(using: &epochRNG)
    progress(.started("epoch \(epoch)/\(options.epochs)", total: plan.count))
    var lossSum = 0.0
    var steps = 0
    for batch in plan where trainer.optimizer.stepCount < plannedSteps {
      let stepStart = Date()
      var stepRNG = SplitMix64(seed: options.seed ^ UInt64(trainer.optimizer.stepCount &+ 1) &* 0xBF58_476D_1CE4_E5B9)
      let (loss, gradients, batchTokens) = try step.gradients(batch, trainer: trainer, using: &stepRNG)
      trainer.step(gradients)
      (lossSum, steps, tokens) = (lossSum + loss, steps + 1, tokens + batchTokens)
      trainingSeconds += Date().timeIntervalSince(stepStart)
      let rate = Double(tokens) / max(trainingSeconds, 1e-9)
      try log.write(["epoch": epoch, "step": trainer.optimizer.stepCount, "loss": loss, "tokens_per_s": rate])
      progress(.advanced(done: steps))
      progress(.status(String(format: "loss %.4f  %.0f tok/s", lossSum / Double(steps), rate)))
    }
    progress(.finished("epoch \(epoch)"))
    return lossSum / Double(max(1, steps))
  }

  /// Validation, model selection, the resumable state and patience after an epoch; false stops training.
  mutating func finishEpoch(_ epoch: Int, trainLoss: Double) throws -> Bool {
    var validation = TrainWorkflow.Validation()
    if !valid.isEmpty {
      validation = try validate()
      progress(.note("epoch \(epoch) validation: \(ScreeningData.describe(validation.metrics))"))
    }
    try log.write(["epoch": epoch, "train_loss": trainLoss, "validation": validation.metrics])
    let score = valid.isEmpty ? Double(epoch) : Self.selectionScore(validation.metrics)
    state.epoch = epoch
    if score > state.bestScore ?? -.infinity {
      (state.bestEpoch, state.bestScore, state.bestMetrics, state.staleEpochs) = (epoch, score, validation.metrics, 0)
      try save(epoch: epoch, validation: validation)
    } else {
      state.staleEpochs += 1
    }
    try trainer.saveState(to: stateDirectory, progress: state)
    if state.staleEpochs >= options.patience {
      progress(.note("no better validation score for \(state.staleEpochs) epoch(s); stopping"))
      return false
    }
    return true
  }

  /// Model selection: mean WSS@95 plus mean recall@10%, so ties on one are broken by the other.
  static func selectionScore(_ m: [String: Double]) -> Double { (m["wss@95"] ?? 0) + (m["recall@10%"] ?? 0) }

  /// The validation reviews ranked by the current model; a review that fails to score stops
  /// training with its name.
  func validate() throws -> TrainWorkflow.Validation {
    let scored = try valid.map { r in
      do {
        let scores = try TrainedScreener.neuralScores(
          model: trainer.model, tokenizer: tokenizer, kind: options.kind, query: r.query, texts: r.texts,
          maxLength: options.maxLength, queryMaxLength: options.queryMaxLength, progress: { _ in })
        return (r, Optional(scores))
      } catch {
        throw WorkflowError.failed("validation review \(r.key) could not be scored", error)
      }
    }
    return TrainWorkflow.Validation(
      metrics: ScreeningData.metrics(scored), fractions: RecallFractions.compute(ScreeningData.rankings(scored)))
  }

  func save(epoch: Int, validation: TrainWorkflow.Validation) throws {
    try TrainWorkflow.saveModel(
      trainer.model, options: options, identity: identity, smtBlocks: smtBlocks, train: train, epoch: epoch,
      validation: validation)
  }
}

/// Appends one JSON object per line (`train-log.jsonl`); a write that fails stops training
/// (the log is the run's record).
struct TrainingLog {
  let url: URL

  /// Starts a new, empty log.
  func start() throws {
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
      throw WorkflowError.io(path: url.path, reason: "cannot create the training log")
    }
  }

  func write(_ object: [String: Any]) throws {
    do {
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      let handle = try FileHandle(forWritingTo: url)
      defer { try? handle.close() }
      try handle.seekToEnd()
      try handle.write(contentsOf: data + Data("\n".utf8))
    } catch {
      throw WorkflowError.io(path: url.path, reason: "cannot append to the training log: \(error.localizedDescription)")
    }
  }
}
