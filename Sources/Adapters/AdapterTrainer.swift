import Corpus
import Encoder
import Foundation
import Tensor

/// The trainable model of a screener: the adapted encoder and, for a classifier
/// (cross-encoder), its head. Head tensors are named `head.weight` / `head.bias`.
public struct AdapterModel<Scalar: BLASScalar>: TrainableParameters {
  public var encoder: AdaptedEncoder<Scalar>
  public var head: ClassificationHead<Scalar>?

  public init(encoder: AdaptedEncoder<Scalar>, head: ClassificationHead<Scalar>? = nil) {
    self.encoder = encoder
    self.head = head
  }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    encoder.namedTensors + (head?.namedTensors.map { ("head." + $0.name, $0.tensor) } ?? [])
  }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    encoder.updateEach(body)
    if head != nil { head?.updateEach { body("head." + $0, &$1) } }
  }

  /// The optimizer group: the encoder's rule, the head always trained.
  public func group(_ name: String) -> ParameterGroup {
    name.hasPrefix("head.") ? ParameterGroup.standard(name) : encoder.group(name)
  }

  /// Sentence embeddings `[B, H]`: pooled final hidden states, L2-normalised.
  public func embeddings(_ batch: TokenBatch, pooling: Pooling = .mean, workers: Int = Parallel.defaultWorkerCount)
    throws(AdapterError) -> Tensor<Scalar>
  {
    Pool.l2Normalized(Pool.apply(pooling, try encoder.forward(batch, workers: workers), lengths: batch.lengths))
  }

  /// Classifier logits `[B, C]` in evaluation mode.
  public func logits(_ batch: TokenBatch, workers: Int = Parallel.defaultWorkerCount) throws(AdapterError) -> Tensor<Scalar> {
    guard let head else { throw .invalidOption(option: "--model", reason: "this model has no classification head") }
    return head.logits(hidden: try encoder.forward(batch, workers: workers), lengths: batch.lengths)
  }
}

/// Trains an ``AdapterModel`` with AdamW: a class-weighted cross-entropy over labelled
/// micro-batches (a classifier), or an in-batch contrastive loss between queries and documents
/// (a bi-encoder). Frozen tensors stay bit-identical; SORSA's regulariser is added after
/// clipping (adapters.md §4). Deterministic for a given generator state.
public struct AdapterTrainer<Scalar: BLASScalar>: Sendable {
  public var model: AdapterModel<Scalar>
  public var optimizer: AdamW<Scalar>
  /// Class weights of the classification loss (nil: unweighted).
  public var classWeights: [Double]?
  public var workers: Int
  /// BERT's hidden and attention-probability dropout while training (Hugging Face's train mode
  /// uses 0.1 and 0.1); nil: none.
  public var encoderDropout: (hidden: Double, attention: Double)? = nil

  public init(
    model: AdapterModel<Scalar>, schedule: LinearWarmupSchedule,
    hyperparameters: AdamWHyperparameters = AdamWHyperparameters(), classWeights: [Double]? = nil,
    workers: Int = Parallel.defaultWorkerCount
  ) {
    self.model = model
    let group = model.group
    optimizer = AdamW(hyperparameters: hyperparameters, schedule: schedule, group: { group($0) })
    self.classWeights = classWeights
    self.workers = workers
  }

  /// Loss and gradients of a classifier over `microBatches`, normalised as one batch; GOAT's
  /// load-balancing loss is added per micro-batch.
  public func classificationGradients(_ microBatches: [LabelledBatch], using rng: inout SplitMix64)
    throws(AdapterError) -> (loss: Double, gradients: NamedTensors<Scalar>)
  {
    guard let head = model.head else { throw .invalidOption(option: "--model", reason: "no classification head") }
    guard !microBatches.isEmpty else { throw .invalidOption(option: "--batch", reason: "no examples in the batch") }
    let total = Loss.weightTotal(labels: microBatches.flatMap(\.labels), classWeights: classWeights)
    guard total > 0 else { throw .invalidOption(option: "labels", reason: "the labels have zero total class weight") }
    var loss = 0.0
    var grads = NamedTensors<Scalar>()
    for mb in microBatches {
      guard mb.labels.allSatisfy({ (0..<head.classCount).contains($0) }) else {
        throw .invalidOption(option: "labels", reason: "labels must be in 0..<\(head.classCount)")
      }
      let tape = try model.encoder.forwardTraining(mb.batch, dropout: encoderDropout, using: &rng, workers: workers)
      let activations = head.forward(hidden: tape.activations.output, lengths: mb.batch.lengths, training: true, using: &rng)
      let (l, dLogits) = Loss.weightedCrossEntropy(
        logits: activations.logits, labels: mb.labels, classWeights: classWeights, normalizer: total)
      loss += l + tape.auxiliaryLoss
      let (headGrad, dHidden) = head.backward(activations, logitsGradient: dLogits)
      var g = model.encoder.backward(tape, outputGradient: dHidden, workers: workers)
      for (n, t) in headGrad.namedTensors { g.append("head." + n, t) }
      grads.add(g)
    }
    return (loss, grads)
  }

  /// Loss and gradients of a bi-encoder: query `i` should be closer to document `i` than to
  /// every other document of the batch (in-batch negatives) and than to `documents` rows from
  /// `queries.batchSize` on (hard negatives), with mean pooling and cosine similarity / τ.
  public func contrastiveGradients(
    queries: TokenBatch, documents: TokenBatch, temperature: Double, using rng: inout SplitMix64
  ) throws(AdapterError) -> (loss: Double, gradients: NamedTensors<Scalar>) {
    guard documents.batchSize >= queries.batchSize else {
      throw .invalidOption(option: "--batch", reason: "\(documents.batchSize) documents for \(queries.batchSize) queries")
    }
    let qTape = try model.encoder.forwardTraining(queries, dropout: encoderDropout, using: &rng, workers: workers)
    let dTape = try model.encoder.forwardTraining(documents, dropout: encoderDropout, using: &rng, workers: workers)
    let q = Pool.apply(.mean, qTape.activations.output, lengths: queries.lengths)
    let d = Pool.apply(.mean, dTape.activations.output, lengths: documents.lengths)
    let (loss, dq, dd) = Loss.contrastive(
      anchors: q, candidates: d, labels: Array(0..<queries.batchSize), temperature: temperature)
    let dqHidden = Pool.backward(.mean, pooledGradient: dq, sequenceLength: queries.sequenceLength, lengths: queries.lengths)
    let ddHidden = Pool.backward(.mean, pooledGradient: dd, sequenceLength: documents.sequenceLength, lengths: documents.lengths)
    var grads = model.encoder.backward(qTape, outputGradient: dqHidden, workers: workers)
    grads.add(model.encoder.backward(dTape, outputGradient: ddHidden, workers: workers))
    return (loss + qTape.auxiliaryLoss + dTape.auxiliaryLoss, grads)
  }

  /// One optimizer step from `gradients` (SORSA's regulariser added after clipping at
  /// `γ / η_peak`, as the reference trainer does).
  @discardableResult
  public mutating func step(_ gradients: NamedTensors<Scalar>) -> AdamW<Scalar>.StepReport {
    var extra: NamedTensors<Scalar>? = nil
    if let (_, reg) = model.encoder.orthonormalRegularizer() {
      let factor = Scalar(model.encoder.configuration.sorsaGamma / max(optimizer.schedule.peak, 1e-12))
      var r = reg
      r.updateEach { _, t in t.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= factor } } }
      extra = r
    }
    return optimizer.step(&model, gradients: gradients, unclippedGradients: extra)
  }

  // MARK: Checkpoints

  /// Writes `state-<step>.safetensors` (trainable tensors and AdamW moments) and then
  /// `trainer-state.json` naming it and holding the caller's `progress` (where its loop stands),
  /// each through a synced temporary file renamed into place, so a crash at any point leaves the
  /// previous checkpoint readable.
  public func saveState<Progress: Codable>(to directory: URL, progress: Progress) throws(AdapterError) {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch { throw .invalidCheckpoint(file: directory.path, reason: "cannot create: \(error.localizedDescription)") }
    var values: [SafeTensorsValue] = []
    for (name, t) in model.namedTensors {
      values.append(.float64("param/" + name, shape: t.shape, t.scalars.map { Double($0) }))
      if let m = optimizer.firstMoments[name], let v = optimizer.secondMoments[name] {
        values.append(.float64("adam.m/" + name, shape: t.shape, m.map { Double($0) }))
        values.append(.float64("adam.v/" + name, shape: t.shape, v.map { Double($0) }))
      }
    }
    let step = optimizer.stepCount
    let stateFile = "state-\(step).safetensors"
    let info = TrainerState(step: step, stateFile: stateFile, schedule: optimizer.schedule, progress: progress)
    do {
      try writeAtomically(
        SafeTensorsWriter.encode(values, metadata: ["format": TrainerStateFile.format, "step": "\(step)"]),
        to: directory.appendingPathComponent(stateFile))
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try writeAtomically(try encoder.encode(info), to: directory.appendingPathComponent(TrainerStateFile.name))
    } catch let e as EncoderError { throw .encoder(e) } catch {
      throw .invalidCheckpoint(file: directory.path, reason: "\(error)")
    }
    if let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
      for n in names where n.hasPrefix("state-") && n.hasSuffix(".safetensors") && n != stateFile {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(n))
      }
    }
  }

  /// A state without loop progress.
  public func saveState(to directory: URL) throws(AdapterError) {
    try saveState(to: directory, progress: [String: String]())
  }

  /// Restores tensors, moments, step and schedule written by ``saveState(to:progress:)``; returns its progress.
  @discardableResult
  public mutating func loadState<Progress: Codable>(
    from directory: URL, as _: Progress.Type = [String: String].self
  ) throws(AdapterError) -> Progress {
    let jsonURL = directory.appendingPathComponent(TrainerStateFile.name)
    let info: TrainerState<Progress>
    do { info = try JSONDecoder().decode(TrainerState<Progress>.self, from: Data(contentsOf: jsonURL)) } catch {
      throw .invalidCheckpoint(file: jsonURL.path, reason: "not a training state: \(error.localizedDescription)")
    }
    let file: SafeTensorsFile
    do { file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent(info.stateFile)) } catch {
      throw .encoder(error)
    }
    guard file.metadata["step"] == "\(info.step)" else {
      throw .invalidCheckpoint(file: file.path, reason: "state file does not belong to step \(info.step)")
    }
    var m: [String: [Scalar]] = [:], v: [String: [Scalar]] = [:]
    var failure: AdapterError? = nil
    var restored = model
    restored.updateEach { name, t in
      guard failure == nil else { return }
      do throws(EncoderError) {
        let (shape, values) = try file.doubles("param/" + name)
        guard shape == t.shape else {
          failure = .invalidCheckpoint(file: file.path, reason: "'\(name)' has shape \(shape), expected \(t.shape)")
          return
        }
        t = Tensor(shape: shape, scalars: values.map { Scalar($0) })
        if file.entries["adam.m/" + name] != nil {
          m[name] = try file.doubles("adam.m/" + name).scalars.map { Scalar($0) }
          v[name] = try file.doubles("adam.v/" + name).scalars.map { Scalar($0) }
        }
      } catch { failure = .encoder(error) }
    }
    if let failure { throw failure }
    model = restored
    optimizer.restore(firstMoments: m, secondMoments: v, stepCount: info.step, schedule: info.schedule)
    return info.progress
  }
}

/// The name and format tag of `trainer-state.json`.
public enum TrainerStateFile {
  public static let name = "trainer-state.json"
  static let format = "csmed-adapter-trainer-2"
}

/// The JSON of a training state (`trainer-state.json`): the optimizer's step and schedule, the
/// tensors' file, and the training loop's own typed progress.
struct TrainerState<Progress: Codable>: Codable {
  var format = TrainerStateFile.format
  var step: Int
  var stateFile: String
  var schedule: LinearWarmupSchedule
  var progress: Progress
}
