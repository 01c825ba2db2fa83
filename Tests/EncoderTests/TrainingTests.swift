import Corpus
import Foundation
import Tensor
import Testing
import Text

@testable import Encoder

/// `count` labelled sequences of lengths 3...8 with ids in 5..<40 (CLS 2 ... SEP 3), split into
/// micro-batches of `microBatchSize`; `positives` of them (spread out) have label 1.
func labelledBatches(count: Int = 16, microBatchSize: Int = 8, positives: Int = 4, seed: UInt64 = 7) throws
  -> [LabelledBatch]
{
  var rng = SplitMix64(seed: seed)
  var encodings: [Encoding] = []
  for _ in 0..<count {
    let n = Int.random(in: 1...6, using: &rng)
    let ids = [Int32(2)] + (0..<n).map { _ in Int32.random(in: 5..<40, using: &rng) } + [Int32(3)]
    encodings.append(Encoding(inputIDs: ids, tokenTypeIDs: [Int32](repeating: 0, count: ids.count)))
  }
  let labels = (0..<count).map { $0 % (count / max(1, positives)) == 0 ? 1 : 0 }
  return try stride(from: 0, to: count, by: microBatchSize).map { start in
    let r = start..<min(count, start + microBatchSize)
    return LabelledBatch(
      batch: try TokenBatch(encodings: Array(encodings[r]), paddingID: 0), labels: Array(labels[r]))
  }
}

func tinyTrainer<S: BLASScalar>(
  _: S.Type = S.self, seed: UInt64 = 1, dropout: Double = 0.1, classCount: Int = 2, peak: Double = 3e-3,
  warmup: Int = 5, total: Int = 200, classWeights: [Double]? = nil,
  group: @escaping @Sendable (String) -> ParameterGroup = ParameterGroup.standard
) throws -> Trainer<S> {
  var rng = SplitMix64(seed: seed)
  let c = try tinyConfiguration()
  let encoder = BertWeights<Double>.random(configuration: c, using: &rng).converted(to: S.self)
  let head = ClassificationHead<S>.random(
    hiddenSize: c.hiddenSize, classCount: classCount, dropoutProbability: dropout, standardDeviation: 0.2, using: &rng)
  return try Trainer(
    configuration: c, parameters: ClassifierParameters(encoder: encoder, head: head),
    optimizer: AdamW(
      hyperparameters: AdamWHyperparameters(weightDecay: 0.01, maxGradientNorm: 1),
      schedule: LinearWarmupSchedule(peak: peak, warmupSteps: warmup, totalSteps: total), group: group),
    classWeights: classWeights, workers: 1)
}

@Suite("Head and losses: finite-difference checks in Double")
struct HeadLossGradientTests {
  @Test("classification head: weight, bias and hidden states, with dropout", arguments: Pooling.allCases)
  func head(pooling: Pooling) {
    var rng = SplitMix64(seed: 41)
    let (b, t, h, c) = (3, 5, 6, 4)
    let lengths = [5, 2, 3]
    let hidden = randomArray(b * t * h, &rng)
    let g = randomArray(b * c, &rng)
    var head = ClassificationHead<Double>.random(
      hiddenSize: h, classCount: c, pooling: pooling, dropoutProbability: 0.3, standardDeviation: 1, using: &rng)
    head.bias = Tensor(shape: [c], scalars: randomArray(c, &rng))

    func loss(_ head: ClassificationHead<Double>, _ hidden: [Double]) -> Double {
      var r = SplitMix64(seed: 99)  // the same dropout mask every time
      let a = head.forward(
        hidden: Tensor(shape: [b, t, h], scalars: hidden), lengths: lengths, training: true, using: &r)
      return zip(a.logits.scalars, g).map(*).reduce(0, +)
    }
    var r = SplitMix64(seed: 99)
    let a = head.forward(
      hidden: Tensor(shape: [b, t, h], scalars: hidden), lengths: lengths, training: true, using: &r)
    #expect(a.mask?.contains(0) == true, "the seed should drop something")
    let (pg, dHidden) = head.backward(a, logitsGradient: Tensor(shape: [b, c], scalars: g))

    let nw = numericGradient(head.weight.scalars, coordinates: Array(0..<c * h)) { v in
      var m = head
      m.weight = Tensor(shape: [c, h], scalars: v)
      return loss(m, hidden)
    }
    let nb = numericGradient(head.bias.scalars, coordinates: Array(0..<c)) { v in
      var m = head
      m.bias = Tensor(shape: [c], scalars: v)
      return loss(m, hidden)
    }
    let nh = numericGradient(hidden, coordinates: Array(0..<b * t * h)) { loss(head, $0) }
    #expect(relativeError(pg.weight.scalars, nw) < 1e-6)
    #expect(relativeError(pg.bias.scalars, nb) < 1e-6)
    #expect(relativeError(dHidden.scalars, nh) < 1e-6)
    #expect(dHidden.scalars.contains { $0 != 0 })
  }

  @Test("class-weighted cross-entropy: value and gradient")
  func crossEntropy() {
    var rng = SplitMix64(seed: 42)
    let (b, c) = (6, 3)
    let z = randomArray(b * c, &rng, scale: 3)
    let labels = [0, 2, 1, 1, 0, 2]
    let w = [0.5, 2.0, 1.25]
    let (value, grad) = Loss.weightedCrossEntropy(
      logits: Tensor(shape: [b, c], scalars: z), labels: labels, classWeights: w)
    // By hand: Σ w_y (−log softmax_y) / Σ w_y.
    var num = 0.0, den = 0.0
    for i in 0..<b {
      let row = z[i * c..<(i + 1) * c]
      let lse = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
      num += w[labels[i]] * (lse - z[i * c + labels[i]])
      den += w[labels[i]]
    }
    #expect(abs(value - num / den) < 1e-14)
    let numeric = numericGradient(z, coordinates: Array(0..<b * c)) { v in
      Loss.weightedCrossEntropy(logits: Tensor(shape: [b, c], scalars: v), labels: labels, classWeights: w).loss
    }
    #expect(relativeError(grad.scalars, numeric) < 1e-6)
    #expect(Loss.inverseFrequencyWeights(labels: [0, 0, 0, 1], classCount: 2) == [4.0 / 6, 2])
  }

  @Test("InfoNCE over cosine similarities: both inputs")
  func infoNCE() {
    var rng = SplitMix64(seed: 43)
    let (b, d) = (4, 6)
    let x = randomArray(b * d, &rng), y = randomArray(b * d, &rng)
    let tau = 0.1
    func loss(_ x: [Double], _ y: [Double]) -> Double {
      Loss.infoNCE(
        anchors: Tensor(shape: [b, d], scalars: x), positives: Tensor(shape: [b, d], scalars: y), temperature: tau
      ).loss
    }
    let r = Loss.infoNCE(
      anchors: Tensor(shape: [b, d], scalars: x), positives: Tensor(shape: [b, d], scalars: y), temperature: tau)
    let nx = numericGradient(x, coordinates: Array(0..<b * d)) { loss($0, y) }
    let ny = numericGradient(y, coordinates: Array(0..<b * d)) { loss(x, $0) }
    #expect(relativeError(r.anchorGradient.scalars, nx) < 1e-6)
    #expect(relativeError(r.positiveGradient.scalars, ny) < 1e-6)
    // Identical pairs that are mutually orthogonal: loss = log(1 + (B−1) e^{−1/τ}).
    let eye = Tensor<Double>(shape: [b, b], scalars: (0..<b * b).map { $0 % (b + 1) == 0 ? 2 : 0 })
    let l = Loss.infoNCE(anchors: eye, positives: eye, temperature: tau).loss
    #expect(abs(l - Foundation.log(1 + Double(b - 1) * Foundation.exp(-1 / tau))) < 1e-14)
  }

  @Test("encoder + head + weighted loss + accumulation over two micro-batches: sampled coordinates")
  func wholeClassifier() throws {
    let batches = try labelledBatches(count: 6, microBatchSize: 3, positives: 2)
    let trainer = try tinyTrainer(Double.self, seed: 44, dropout: 0.2, classWeights: [0.75, 1.5])
    var rng = SplitMix64(seed: 5)
    let (_, grads) = try trainer.gradients(batches, using: &rng)
    let analyticByName = Dictionary(uniqueKeysWithValues: grads.namedTensors.map { ($0.name, $0.tensor) })
    let usedIDs = Set(batches.flatMap(\.batch.inputIDs)).sorted()
    var checked = 0
    for (name, tensor) in trainer.parameters.namedTensors {
      var candidates = Array(0..<tensor.count)
      if name == "encoder.embeddings.word" { candidates = usedIDs.flatMap { id in (0..<16).map { Int(id) * 16 + $0 } } }
      if name == "encoder.embeddings.position" { candidates = Array(0..<8 * 16) }
      if name == "encoder.embeddings.type" { candidates = Array(0..<16) }
      var pick = SplitMix64(seed: UInt64(name.utf8.count))
      let coordinates = Array(candidates.shuffled(using: &pick).prefix(6))
      let analytic = coordinates.map { analyticByName[name]!.scalars[$0] }
      let numeric = numericGradient(tensor.scalars, coordinates: coordinates, h: 1e-5) { values in
        var t = trainer
        t.parameters.updateEach { n, x in if n == name { x = Tensor(shape: x.shape, scalars: values) } }
        var r = SplitMix64(seed: 5)
        return (try? t.gradients(batches, using: &r).loss) ?? .nan
      }
      let err = relativeError(analytic, numeric)
      if ProcessInfo.processInfo.environment["SHOW_GRAD_ERRORS"] != nil {
        print("classifier grad check \(name): \(err)")
      }
      #expect(err < 1e-6, "\(name): relative error \(err)")
      #expect(analytic.contains { $0 != 0 }, "\(name): all-zero gradient sample")
      checked += 1
    }
    #expect(checked == 5 + 12 * 2 + 2)
  }

  @Test("accumulated micro-batch gradients equal the full-batch gradient")
  func accumulation() throws {
    let split = try labelledBatches(count: 8, microBatchSize: 4)
    let whole = try labelledBatches(count: 8, microBatchSize: 8)
    let trainer = try tinyTrainer(Double.self, seed: 45, dropout: 0.3, classWeights: [1, 3])
    var r1 = SplitMix64(seed: 6), r2 = SplitMix64(seed: 6)
    let (l1, g1) = try trainer.gradients(split, using: &r1)
    let (l2, g2) = try trainer.gradients(whole, using: &r2)
    #expect(abs(l1 - l2) < 1e-12)
    for ((n, a), (_, b)) in zip(g1.namedTensors, g2.namedTensors) {
      #expect(relativeError(a.scalars, b.scalars) < 1e-12, "\(n)")
    }
  }
}

@Suite("AdamW, schedule, parameter groups, dropout")
struct OptimizerTests {
  static func head(_ w: [Double], _ b: [Double]) -> ClassificationHead<Double> {
    ClassificationHead(
      weight: Tensor(shape: [1, w.count], scalars: w), bias: Tensor(shape: [1], scalars: b), dropoutProbability: 0)
  }

  @Test("one and two AdamW steps equal the hand-computed values (decay on weight, none on bias)")
  func adamWSteps() {
    var p = Self.head([1.0, -2.0], [0.5])
    let g1 = Self.head([0.5, 0.1], [-0.2])
    var opt = AdamW<Double>(
      hyperparameters: AdamWHyperparameters(weightDecay: 0.01, maxGradientNorm: nil),
      schedule: LinearWarmupSchedule(peak: 0.1, warmupSteps: 0, totalSteps: 10))
    let r = opt.step(&p, gradients: g1)
    #expect(r.learningRate == 0.1 && r.clipScale == 1)
    // Step 1: m = 0.1 g, v = 0.001 g², m̂ = g, √v̂ = |g| → θ ← θ(1 − lr λ) − lr g / (|g| + ε).
    let eps = 1e-8
    func first(_ theta: Double, _ g: Double, decay: Bool) -> Double {
      (decay ? theta * (1 - 0.1 * 0.01) : theta) - (0.1 / (1 - 0.9)) * (0.1 * g)
        / ((0.001 * g * g).squareRoot() / (1 - 0.999).squareRoot() + eps)
    }
    #expect(abs(p.weight.scalars[0] - 0.8990000019999999) < 1e-15)
    #expect(abs(p.weight.scalars[0] - first(1.0, 0.5, decay: true)) < 1e-15)
    #expect(abs(p.weight.scalars[1] - first(-2.0, 0.1, decay: true)) < 1e-15)
    #expect(abs(p.bias.scalars[0] - first(0.5, -0.2, decay: false)) < 1e-15)
    // Step 2 with lr(1) = 0.1 · 9/10 = 0.09.
    let before = p
    let g2 = Self.head([-0.3, 0.2], [0.4])
    let r2 = opt.step(&p, gradients: g2)
    #expect(abs(r2.learningRate - 0.09) < 1e-15)
    func second(_ theta: Double, _ ga: Double, _ gb: Double, decay: Bool) -> Double {
      let m = 0.9 * (0.1 * ga) + 0.1 * gb
      let v = 0.999 * (0.001 * ga * ga) + 0.001 * gb * gb
      let lr = 0.09
      let bc1 = 1 - 0.9 * 0.9, bc2 = 1 - 0.999 * 0.999
      return (decay ? theta * (1 - lr * 0.01) : theta) - lr / bc1 * m / (v.squareRoot() / bc2.squareRoot() + eps)
    }
    #expect(abs(p.weight.scalars[0] - second(before.weight.scalars[0], 0.5, -0.3, decay: true)) < 1e-15)
    #expect(abs(p.weight.scalars[1] - second(before.weight.scalars[1], 0.1, 0.2, decay: true)) < 1e-15)
    #expect(abs(p.bias.scalars[0] - second(before.bias.scalars[0], -0.2, 0.4, decay: false)) < 1e-15)
    #expect(opt.stepCount == 2)
  }

  @Test("clipping by global norm scales the gradients (clip_grad_norm_)")
  func clipping() {
    var p = Self.head([1, 1], [0])
    let g = Self.head([3, 0], [4])  // ‖g‖ = 5
    var opt = AdamW<Double>(
      hyperparameters: AdamWHyperparameters(maxGradientNorm: 1),
      schedule: LinearWarmupSchedule(peak: 0.1, warmupSteps: 0, totalSteps: 10))
    let r = opt.step(&p, gradients: g)
    #expect(r.gradientNorm == 5)
    #expect(abs(r.clipScale - 1 / (5 + 1e-6)) < 1e-16)
    #expect(abs(opt.firstMoments["weight"]![0] - 0.1 * 3 * r.clipScale) < 1e-16)
    #expect(abs(opt.firstMoments["bias"]![0] - 0.1 * 4 * r.clipScale) < 1e-16)
  }

  @Test("schedule: warm-up, peak, middle of the decay, end, beyond")
  func schedule() {
    let s = LinearWarmupSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
    #expect(s.learningRate(step: 0) == 0)
    #expect(abs(s.learningRate(step: 5) - 5e-4) < 1e-18)
    #expect(s.learningRate(step: 10) == 1e-3)
    #expect(abs(s.learningRate(step: 60) - 5e-4) < 1e-18)
    #expect(abs(s.learningRate(step: 109) - 1e-5) < 1e-18)
    #expect(s.learningRate(step: 110) == 0)
    #expect(s.learningRate(step: 500) == 0)
    #expect(LinearWarmupSchedule(peak: 2, warmupSteps: 0, totalSteps: 4).learningRate(step: 0) == 2)
  }

  @Test("groups: standard rule; frozen tensors bit-identical with no state; zero-gradient no-decay unchanged")
  func groups() throws {
    #expect(ParameterGroup.standard("encoder.layer0.qkv.bias") == .noDecay)
    #expect(ParameterGroup.standard("encoder.layer1.norm2.weight") == .noDecay)
    #expect(ParameterGroup.standard("encoder.embeddings.norm.weight") == .noDecay)
    #expect(ParameterGroup.standard("encoder.layer0.ffn.up.weight") == .decay)
    #expect(ParameterGroup.standard("head.weight") == .decay)

    // Zero gradient: the no-decay bias stays, the decayed weight only shrinks by (1 − lr λ).
    var p = Self.head([2, -4], [3])
    var opt = AdamW<Double>(
      hyperparameters: AdamWHyperparameters(weightDecay: 0.1),
      schedule: LinearWarmupSchedule(peak: 0.5, warmupSteps: 0, totalSteps: 10))
    opt.step(&p, gradients: Self.head([0, 0], [0]))
    #expect(p.bias.scalars == [3])
    let shrink: Double = 1 - 0.5 * 0.1
    let expected: [Double] = [2 * shrink, -4 * shrink]
    #expect(p.weight.scalars == expected)

    // A frozen encoder: bit-identical after steps, head updated, no moments for the encoder.
    var trainer = try tinyTrainer(
      Double.self, warmup: 0,
      group: { $0.hasPrefix("encoder.") ? .frozen : ParameterGroup.standard($0) })
    let before = trainer.parameters
    var rng = SplitMix64(seed: 3)
    for b in try labelledBatches() { try trainer.trainStep(b.batch, labels: b.labels, using: &rng) }
    #expect(trainer.parameters.encoder == before.encoder)
    #expect(trainer.parameters.head != before.head)
    #expect(trainer.optimizer.firstMoments.keys.sorted() == ["head.bias", "head.weight"])
  }

  @Test("dropout only in training mode")
  func dropoutMode() throws {
    var rng = SplitMix64(seed: 8)
    let head = ClassificationHead<Double>.random(
      hiddenSize: 8, classCount: 3, dropoutProbability: 0.5, standardDeviation: 1, using: &rng)
    let hidden = Tensor<Double>(shape: [4, 3, 8], scalars: randomArray(96, &rng))
    let lengths = [3, 1, 2, 3]
    var r = SplitMix64(seed: 9)
    let eval = head.forward(hidden: hidden, lengths: lengths, training: false, using: &r)
    var fresh = SplitMix64(seed: 9)
    #expect(r.next() == fresh.next(), "eval must not draw random numbers")
    r = SplitMix64(seed: 9)
    #expect(eval.logits == head.logits(hidden: hidden, lengths: lengths))
    #expect(eval.logits == head.forward(hidden: hidden, lengths: lengths, training: false, using: &r).logits)
    let train = head.forward(hidden: hidden, lengths: lengths, training: true, using: &r)
    #expect(train.logits != eval.logits)
    #expect(Set(train.mask ?? []).isSubset(of: [0, 2]) && train.mask?.contains(0) == true)
    // The same seed gives the same mask.
    var r1 = SplitMix64(seed: 10), r2 = SplitMix64(seed: 10)
    let m1: [Float] = Dropout.mask(count: 100, probability: 0.1, using: &r1)
    let m2: [Float] = Dropout.mask(count: 100, probability: 0.1, using: &r2)
    #expect(m1 == m2)
    // Trainer evaluation is deterministic (no dropout).
    let trainer = try tinyTrainer(Double.self, dropout: 0.5)
    let batch = try labelledBatches()[0].batch
    #expect(try trainer.logits(batch) == trainer.logits(batch))
  }
}

@Suite("Training loop and checkpoints")
struct TrainerTests {
  @Test("overfits 16 labelled examples (tiny config: 2 layers, hidden 16) to near-zero loss")
  func overfit() throws {
    let batches = try labelledBatches(count: 16, microBatchSize: 8, positives: 4)
    let weights = Loss.inverseFrequencyWeights(labels: batches.flatMap(\.labels), classCount: 2)
    let steps = 150
    var trainer = try tinyTrainer(
      Double.self, seed: 11, dropout: 0.1, peak: 1e-2, warmup: 10, total: steps, classWeights: weights)
    let initial = try trainer.evaluationLoss(batches)
    var rng = SplitMix64(seed: 12)
    var last = 0.0
    for _ in 0..<steps { last = try trainer.trainStep(batches, using: &rng).loss }
    let final = try trainer.evaluationLoss(batches)
    if ProcessInfo.processInfo.environment["SHOW_TRAINING"] != nil {
      print("overfit: initial \(initial), last training loss \(last), final eval loss \(final)")
    }
    #expect(initial > 0.3)
    #expect(final < 1e-2, "final loss \(final)")
    for b in batches {
      let z = try trainer.logits(b.batch)
      for i in 0..<b.labels.count { #expect((z[i, 1] > z[i, 0] ? 1 : 0) == b.labels[i]) }
    }
  }

  @Test("two runs with the same seed at one BLAS thread give bitwise identical weights (Float)")
  func reproducible() throws {
    BLASThreads.set(1)
    func run() throws -> Trainer<Float> {
      var trainer = try tinyTrainer(Float.self, seed: 21, dropout: 0.1, peak: 1e-2, warmup: 2, total: 10)
      var rng = SplitMix64(seed: 22)
      let batches = try labelledBatches(count: 8, microBatchSize: 4)
      for _ in 0..<5 { try trainer.trainStep(batches, using: &rng) }
      return trainer
    }
    let (a, b) = (try run(), try run())
    #expect(a.parameters == b.parameters)
    #expect(a.optimizer.firstMoments == b.optimizer.firstMoments)
    #expect(a.optimizer.secondMoments == b.optimizer.secondMoments)
    #expect(a.parameters != (try tinyTrainer(Float.self, seed: 21)).parameters)
    // The encoder's kernels do not depend on the worker count, so neither does training.
    var c = try tinyTrainer(Float.self, seed: 21, dropout: 0.1, peak: 1e-2, warmup: 2, total: 10)
    c.workers = 2
    var rng = SplitMix64(seed: 22)
    let batches = try labelledBatches(count: 8, microBatchSize: 4)
    for _ in 0..<5 { try c.trainStep(batches, using: &rng) }
    #expect(c.parameters == a.parameters)
  }

  func roundTrip<S: BLASScalar>(_: S.Type) throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let batches = try labelledBatches(count: 8, microBatchSize: 4)
    var trainer = try tinyTrainer(S.self, seed: 31, peak: 1e-2, warmup: 1, total: 20, classWeights: [1, 3])
    var rng = SplitMix64(seed: 32)
    for _ in 0..<2 { try trainer.trainStep(batches, using: &rng) }
    try trainer.saveCheckpoint(to: dir)
    try trainer.trainStep(batches, using: &rng)
    try trainer.saveCheckpoint(to: dir)  // replaces the first; the old state file is removed
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(files == ["state-3.safetensors", "trainer.json"])

    var restored = try tinyTrainer(S.self, seed: 99, dropout: 0.4)  // different init, same shapes
    try restored.loadCheckpoint(from: dir)
    #expect(restored.parameters == trainer.parameters)
    #expect(restored.optimizer.firstMoments == trainer.optimizer.firstMoments)
    #expect(restored.optimizer.secondMoments == trainer.optimizer.secondMoments)
    #expect(restored.optimizer.stepCount == 3)
    #expect(restored.optimizer.schedule == trainer.optimizer.schedule)
    #expect(restored.classWeights == [1, 3])
    // Continuing from the checkpoint equals continuing in memory.
    var r1 = rng, r2 = rng
    try trainer.trainStep(batches, using: &r1)
    try restored.trainStep(batches, using: &r2)
    #expect(restored.parameters == trainer.parameters)
  }

  @Test("checkpoint round trip, Double (F64) and Float (F32)")
  func checkpoint() throws {
    try roundTrip(Double.self)
    try roundTrip(Float.self)
  }

  @Test("checkpoint errors: missing directory, wrong class count, state file of another step")
  func checkpointErrors() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var trainer = try tinyTrainer(Double.self)
    #expect(throws: EncoderError.self) { try trainer.loadCheckpoint(from: dir.appendingPathComponent("none")) }
    try trainer.saveCheckpoint(to: dir)
    var three = try tinyTrainer(Double.self, classCount: 3)
    #expect(throws: EncoderError.self) { try three.loadCheckpoint(from: dir) }
    // A JSON that names a state file from a different step is rejected.
    let json = dir.appendingPathComponent("trainer.json")
    let text = try String(contentsOf: json, encoding: .utf8).replacingOccurrences(
      of: "\"step\" : 0", with: "\"step\" : 7")
    try Data(text.utf8).write(to: json)
    #expect(throws: EncoderError.self) { try trainer.loadCheckpoint(from: dir) }
  }
}

@Suite struct LengthBucketingTests {
  @Test func everyExampleOnceWithLessPadding() {
    var rng = SplitMix64(seed: 3)
    let lengths = (0..<1000).map { _ in Int.random(in: 10...256, using: &rng) }
    var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
    let batches = LengthBucketing.batches(lengths: lengths, batchSize: 16, windowBatches: 20, using: &a)
    #expect(batches == LengthBucketing.batches(lengths: lengths, batchSize: 16, windowBatches: 20, using: &b))
    #expect(batches.flatMap { $0 }.sorted() == Array(0..<1000))
    #expect(batches.allSatisfy { $0.count <= 16 })
    // Random batches of the same size pad far more.
    var c = SplitMix64(seed: 9)
    let shuffled = Array(0..<1000).shuffled(using: &c)
    let random = stride(from: 0, to: 1000, by: 16).map { Array(shuffled[$0..<min($0 + 16, 1000)]) }
    let bucketed = LengthBucketing.paddedTokens(batches, lengths: lengths)
    let plain = LengthBucketing.paddedTokens(random, lengths: lengths)
    #expect(Double(bucketed) < 0.75 * Double(plain), "bucketed \(bucketed) vs random \(plain)")
    #expect(bucketed >= lengths.reduce(0, +))
  }
}
