import Foundation
import Tensor

@testable import Encoder


/// The tests' reference trainer: full fine-tuning of the encoder with a classification head,
/// written directly on Encoder's forward and backward (csmed itself trains through
/// `AdapterTrainer`, method `full`); the finite-difference, overfit and determinism tests of the
/// training maths run through it.

/// The trainable state of a sequence classifier: encoder weights and head. Tensor names are
/// `encoder.<BertWeights name>` and `head.weight` / `head.bias`.
public struct ClassifierParameters<Scalar: BLASScalar>: TrainableParameters, Equatable {
  public var encoder: BertWeights<Scalar>
  public var head: ClassificationHead<Scalar>

  public init(encoder: BertWeights<Scalar>, head: ClassificationHead<Scalar>) {
    self.encoder = encoder
    self.head = head
  }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    encoder.namedTensors.map { ("encoder." + $0.name, $0.tensor) }
      + head.namedTensors.map { ("head." + $0.name, $0.tensor) }
  }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    encoder.updateEach { body("encoder." + $0, &$1) }
    head.updateEach { body("head." + $0, &$1) }
  }

  /// All-zero parameters of the same shapes (a gradient accumulator).
  public func zeros() -> ClassifierParameters {
    var z = self
    z.updateEach { _, t in t = Tensor(shape: t.shape) }
    return z
  }

  /// `self += other`, tensor by tensor (same names and shapes).
  public mutating func add(_ other: ClassifierParameters) {
    var byName: [String: Tensor<Scalar>] = [:]
    for (n, t) in other.namedTensors { byName[n] = t }
    updateEach { name, t in
      guard let o = byName[name], o.shape == t.shape else { preconditionFailure("no matching tensor for '\(name)'") }
      t.withUnsafeMutableBufferPointer { tp in
        o.withUnsafeBufferPointer { op in for i in 0..<tp.count { tp[i] += op[i] } }
      }
    }
  }
}

/// Fine-tunes a BERT encoder plus ``ClassificationHead`` with class-weighted cross-entropy and
/// ``AdamW``: forward (training mode, head dropout), loss, backward, gradient accumulation over
/// micro-batches, clipping and the update. Deterministic for a given generator state; with
/// `workers` > 1 results do not change (the encoder's kernels are worker-independent), but the
/// tests pin one BLAS thread.
public struct Trainer<Scalar: BLASScalar>: Sendable {
  public let configuration: BertConfiguration
  public var parameters: ClassifierParameters<Scalar>
  public var optimizer: AdamW<Scalar>
  /// `C` class weights for the loss (e.g. ``Loss/inverseFrequencyWeights(labels:classCount:)``), nil for none.
  public var classWeights: [Double]?
  /// Threads for the encoder's forward and backward.
  public var workers: Int

  /// - Throws: ``EncoderError`` when the encoder weights do not match `configuration` or the
  ///   head's hidden size differs from it.
  public init(
    configuration: BertConfiguration, parameters: ClassifierParameters<Scalar>, optimizer: AdamW<Scalar>,
    classWeights: [Double]? = nil, workers: Int = Parallel.defaultWorkerCount
  ) throws(EncoderError) {
    try parameters.encoder.validate(against: configuration)
    guard parameters.head.hiddenSize == configuration.hiddenSize else {
      throw .invalidInput(
        reason: "head hidden size \(parameters.head.hiddenSize) vs encoder \(configuration.hiddenSize)")
    }
    if let w = classWeights, w.count != parameters.head.classCount {
      throw .invalidInput(reason: "\(w.count) class weights for \(parameters.head.classCount) classes")
    }
    self.configuration = configuration
    self.parameters = parameters
    self.optimizer = optimizer
    self.classWeights = classWeights
    self.workers = workers
  }

  /// The encoder with the current weights.
  public func model() throws(EncoderError) -> BertModel<Scalar> {
    try BertModel(configuration: configuration, weights: parameters.encoder)
  }

  /// Evaluation-mode logits `[B, C]` (no dropout).
  public func logits(_ batch: TokenBatch) throws(EncoderError) -> Tensor<Scalar> {
    let hidden = try model().forward(batch, workers: workers)
    return parameters.head.logits(hidden: hidden, lengths: batch.lengths)
  }

  /// Evaluation-mode loss over `batches` (weighted mean over all examples).
  public func evaluationLoss(_ batches: [LabelledBatch]) throws(EncoderError) -> Double {
    let total = Loss.weightTotal(labels: batches.flatMap(\.labels), classWeights: classWeights)
    var loss = 0.0
    for b in batches {
      loss +=
        Loss.weightedCrossEntropy(
          logits: try logits(b.batch), labels: b.labels, classWeights: classWeights, normalizer: total
        ).loss
    }
    return loss
  }

  /// The training-mode loss over all `microBatches` (normalised as one batch) and its gradient
  /// with respect to every parameter, accumulated micro-batch by micro-batch. The encoder's
  /// forward and backward are skipped when every encoder tensor is frozen.
  public func gradients(_ microBatches: [LabelledBatch], using rng: inout some RandomNumberGenerator)
    throws(EncoderError) -> (loss: Double, gradients: ClassifierParameters<Scalar>)
  {
    guard !microBatches.isEmpty else { throw .invalidInput(reason: "no micro-batches") }
    let model = try model()
    let total = Loss.weightTotal(labels: microBatches.flatMap(\.labels), classWeights: classWeights)
    guard total > 0 else { throw .invalidInput(reason: "the labels have zero total class weight") }
    let encoderFrozen = parameters.encoder.namedTensors.allSatisfy { optimizer.group("encoder." + $0.name) == .frozen }
    var grads: ClassifierParameters<Scalar>? = nil
    var loss = 0.0
    for mb in microBatches {
      guard mb.labels.allSatisfy({ (0..<parameters.head.classCount).contains($0) }) else {
        throw .invalidInput(reason: "labels must be in 0..<\(parameters.head.classCount)")
      }
      let activations: BertActivations<Scalar>?
      let hidden: Tensor<Scalar>
      if encoderFrozen {
        activations = nil
        hidden = try model.forward(mb.batch, workers: workers)
      } else {
        let a = try model.forwardTraining(mb.batch, workers: workers)
        activations = a
        hidden = a.output
      }
      let headActivations = parameters.head.forward(
        hidden: hidden, lengths: mb.batch.lengths, training: true, using: &rng)
      let (l, dLogits) = Loss.weightedCrossEntropy(
        logits: headActivations.logits, labels: mb.labels, classWeights: classWeights, normalizer: total)
      loss += l
      let (headGrad, dHidden) = parameters.head.backward(headActivations, logitsGradient: dLogits)
      let encoderGrad =
        if let a = activations { model.backward(a, outputGradient: dHidden, workers: workers) } else {
          BertWeights<Scalar>.zeros(configuration: configuration)
        }
      let g = ClassifierParameters(encoder: encoderGrad, head: headGrad)
      if var sum = grads {
        grads = nil  // keep `sum` uniquely referenced
        sum.add(g)
        grads = sum
      } else {
        grads = g
      }
    }
    guard let grads else { throw .invalidInput(reason: "no micro-batches") }
    return (loss, grads)
  }

  /// One optimizer step over one batch; returns the (training-mode) loss before the update.
  @discardableResult
  public mutating func trainStep(_ batch: TokenBatch, labels: [Int], using rng: inout some RandomNumberGenerator)
    throws(EncoderError) -> Double
  {
    guard labels.count == batch.batchSize else {
      throw .invalidInput(reason: "\(labels.count) labels for batch of \(batch.batchSize)")
    }
    return try trainStep([LabelledBatch(batch: batch, labels: labels)], using: &rng).loss
  }

  /// One optimizer step with gradient accumulation over `microBatches`: the loss before the
  /// update and what the optimizer did.
  @discardableResult
  public mutating func trainStep(_ microBatches: [LabelledBatch], using rng: inout some RandomNumberGenerator)
    throws(EncoderError) -> (loss: Double, report: AdamW<Scalar>.StepReport)
  {
    let (loss, grads) = try gradients(microBatches, using: &rng)
    let report = optimizer.step(&parameters, gradients: grads)
    return (loss, report)
  }
}

// MARK: - Checkpoints

/// The JSON half of a training checkpoint (`trainer.json`).
public struct TrainerCheckpointInfo: Sendable, Equatable, Codable {
  public static let currentFormat = "csmed-trainer-checkpoint-1"
  public var format: String
  /// Completed optimizer steps.
  public var step: Int
  /// The safetensors file in the same directory with `param/<name>`, `adam.m/<name>`, `adam.v/<name>`.
  public var stateFile: String
  /// `F32` or `F64`.
  public var dtype: String
  public var schedule: LinearWarmupSchedule
  public var hyperparameters: AdamWHyperparameters
  public var pooling: String
  public var classCount: Int
  public var dropoutProbability: Double
  public var classWeights: [Double]?
}

extension Trainer {
  /// Writes `state-<step>.safetensors` (trainable tensors and AdamW moments, F32 for `Float`,
  /// F64 for `Double`) and then `trainer.json` into `directory` (created if needed), each through
  /// a temporary file that is synced and renamed into place. `trainer.json` names the state
  /// file, so a crash at any point leaves the previous checkpoint readable; older state files
  /// are removed after the JSON is committed.
  public func saveCheckpoint(to directory: URL) throws(EncoderError) {
    let fm = FileManager.default
    do { try fm.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
      throw .io(path: directory.path, reason: error.localizedDescription)
    }
    let isDouble = MemoryLayout<Scalar>.size == 8
    func value(_ name: String, _ shape: [Int], _ s: [Scalar]) -> SafeTensorsValue {
      isDouble ? .float64(name, shape: shape, s.map { Double($0) }) : .float(name, shape: shape, s.map { Float($0) })
    }
    var values: [SafeTensorsValue] = []
    for (name, t) in parameters.namedTensors {
      values.append(value("param/" + name, t.shape, t.scalars))
      if let m = optimizer.firstMoments[name], let v = optimizer.secondMoments[name] {
        values.append(value("adam.m/" + name, t.shape, m))
        values.append(value("adam.v/" + name, t.shape, v))
      }
    }
    let step = optimizer.stepCount
    let stateFile = "state-\(step).safetensors"
    let data = try SafeTensorsWriter.encode(
      values, metadata: ["format": TrainerCheckpointInfo.currentFormat, "step": "\(step)"])
    try writeAtomically(data, to: directory.appendingPathComponent(stateFile))
    let info = TrainerCheckpointInfo(
      format: TrainerCheckpointInfo.currentFormat, step: step, stateFile: stateFile, dtype: isDouble ? "F64" : "F32",
      schedule: optimizer.schedule, hyperparameters: optimizer.hyperparameters,
      pooling: parameters.head.pooling.rawValue, classCount: parameters.head.classCount,
      dropoutProbability: parameters.head.dropoutProbability, classWeights: classWeights)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let json: Data
    do { json = try encoder.encode(info) } catch {
      throw .invalidInput(reason: "cannot encode checkpoint info: \(error)")
    }
    try writeAtomically(json, to: directory.appendingPathComponent("trainer.json"))
    // Remove state files the committed JSON no longer names.
    if let names = try? fm.contentsOfDirectory(atPath: directory.path) {
      for n in names where n.hasPrefix("state-") && n.hasSuffix(".safetensors") && n != stateFile {
        try? fm.removeItem(at: directory.appendingPathComponent(n))
      }
    }
  }

  /// Restores parameters, optimizer moments, step count, schedule, hyperparameters, head
  /// pooling/dropout and class weights from a checkpoint written by ``saveCheckpoint(to:)``. The
  /// parameter group rule and worker count are kept from `self`.
  /// - Throws: ``EncoderError`` for a missing or inconsistent checkpoint (names, shapes, dtype).
  public mutating func loadCheckpoint(from directory: URL) throws(EncoderError) {
    let jsonURL = directory.appendingPathComponent("trainer.json")
    guard FileManager.default.fileExists(atPath: jsonURL.path) else { throw .fileNotFound(path: jsonURL.path) }
    let info: TrainerCheckpointInfo
    do { info = try JSONDecoder().decode(TrainerCheckpointInfo.self, from: Data(contentsOf: jsonURL)) } catch {
      throw .invalidConfig(file: jsonURL.path, key: "", reason: "not a trainer checkpoint: \(error)")
    }
    guard info.format == TrainerCheckpointInfo.currentFormat else {
      throw .invalidConfig(file: jsonURL.path, key: "format", reason: "unknown format '\(info.format)'")
    }
    guard let pooling = Pooling(rawValue: info.pooling) else {
      throw .invalidConfig(file: jsonURL.path, key: "pooling", reason: "unknown pooling '\(info.pooling)'")
    }
    guard info.classCount == parameters.head.classCount else {
      throw .invalidConfig(
        file: jsonURL.path, key: "classCount", reason: "\(info.classCount), trainer has \(parameters.head.classCount)")
    }
    let file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent(info.stateFile))
    guard file.metadata["step"] == "\(info.step)" else {
      throw .invalidConfig(file: file.path, key: "step", reason: "state file does not belong to step \(info.step)")
    }
    func load(_ name: String, _ shape: [Int]) throws(EncoderError) -> [Scalar] {
      let (s, v) = try file.doubles(name)
      guard s == shape else { throw .shapeMismatch(file: file.path, tensor: name, expected: shape, found: s) }
      return v.map { Scalar($0) }
    }
    var params = parameters
    var m: [String: [Scalar]] = [:], v: [String: [Scalar]] = [:]
    var failure: EncoderError? = nil
    params.updateEach { name, t in
      guard failure == nil else { return }
      do throws(EncoderError) {
        t = Tensor(shape: t.shape, scalars: try load("param/" + name, t.shape))
        if file.entries["adam.m/" + name] != nil {
          m[name] = try load("adam.m/" + name, t.shape)
          v[name] = try load("adam.v/" + name, t.shape)
        }
      } catch { failure = error }
    }
    if let failure { throw failure }
    params.head.pooling = pooling
    params.head.dropoutProbability = info.dropoutProbability
    parameters = params
    optimizer.firstMoments = m
    optimizer.secondMoments = v
    optimizer.stepCount = info.step
    optimizer.schedule = info.schedule
    optimizer.hyperparameters = info.hyperparameters
    classWeights = info.classWeights
  }
}

