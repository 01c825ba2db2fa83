import Corpus
import Foundation
import Tensor
import Testing

@testable import Adapters
@testable import Encoder

@Suite struct AdapterTrainerTests {
  /// 16 labelled sequences of the tiny vocabulary: label 1 when token 7 occurs.
  static func examples() throws -> [LabelledBatch] {
    var rng = SplitMix64(seed: 4)
    var batches: [LabelledBatch] = []
    for _ in 0..<4 {
      var ids: [Int32] = [], labels: [Int] = []
      for _ in 0..<4 {
        let positive = Bool.random(using: &rng)
        var seq: [Int32] = [2] + (0..<4).map { _ in Int32.random(in: 8..<40, using: &rng) }
        if positive { seq[Int.random(in: 1..<5, using: &rng)] = 7 }
        ids += seq
        labels.append(positive ? 1 : 0)
      }
      batches.append(LabelledBatch(batch: try TokenBatch(batchSize: 4, sequenceLength: 5, inputIDs: ids), labels: labels))
    }
    return batches
  }

  static func trainer(_ config: AdapterConfiguration, lr: Double = 1e-2, steps: Int = 60) throws -> AdapterTrainer<Double> {
    let bert = try tinyBert()
    var rng = SplitMix64(seed: 8)
    let encoder = try AdaptedEncoder<Double>(configuration: config, bert: bert, base: tinyWeights(bert))
    let head = ClassificationHead<Double>.random(hiddenSize: 16, classCount: 2, dropoutProbability: 0, using: &rng)
    return AdapterTrainer(
      model: AdapterModel(encoder: encoder, head: head),
      schedule: LinearWarmupSchedule(peak: lr, warmupSteps: 0, totalSteps: steps),
      hyperparameters: AdamWHyperparameters(weightDecay: 0), workers: 1)
  }

  @Test(arguments: [AdapterMethod.lora, .dora, .pissa, .sorsa, .goat, .s2ft, .adalink, .full])
  func overfitsSixteenExamples(_ method: AdapterMethod) throws {
    let config =
      method == .goat
      ? AdapterConfiguration(method: .goat, rank: 4, experts: 2, topK: 1)
      : AdapterConfiguration(method: method, rank: 4, targets: method == .s2ft ? nil : AdapterConfiguration.defaultTargets(method), s2ftHeads: 4, s2ftChannels: 16)
    var t = try Self.trainer(config, steps: 200)
    let data = try Self.examples()
    var rng = SplitMix64(seed: 1)
    let first = try t.classificationGradients(data, using: &rng).loss
    var last = first
    // Routing and embedding-only adaptation need more steps on this toy task.
    for _ in 0..<([.goat, .adalink].contains(method) ? 200 : 60) {
      let (loss, g) = try t.classificationGradients(data, using: &rng)
      last = loss
      t.step(g)
    }
    #expect(last < 0.05, "\(method): loss \(first) -> \(last)")
  }

  @Test func frozenTensorsStayBitIdentical() throws {
    var t = try Self.trainer(AdapterConfiguration(method: .lora, rank: 2))
    let before = t.model
    var rng = SplitMix64(seed: 1)
    for _ in 0..<3 { t.step(try t.classificationGradients(try Self.examples(), using: &rng).gradients) }
    #expect(t.model.encoder.base == before.encoder.base)
    for ((name, a), (_, b)) in zip(t.model.namedTensors, before.namedTensors) {
      #expect(a != b, "\(name) did not change")
    }
  }

  @Test func sameSeedSameWeightsAndResumeIsExact() throws {
    let config = AdapterConfiguration(method: .lora, rank: 2, dropout: 0.1)
    func run(_ steps: Int, from start: AdapterTrainer<Double>? = nil, seed: UInt64 = 3) throws -> AdapterTrainer<Double> {
      var t = try start ?? Self.trainer(config)
      var rng = SplitMix64(seed: seed)
      for _ in 0..<steps { t.step(try t.classificationGradients(try Self.examples(), using: &rng).gradients) }
      return t
    }
    let a = try run(4), b = try run(4)
    #expect(a.model.namedTensors.map(\.tensor) == b.model.namedTensors.map(\.tensor))
    // Save after 2 steps, restore into a fresh trainer, continue: same as 2 + 2 uninterrupted.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-state-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let twice = try run(2)
    try twice.saveState(to: dir, progress: ["epoch": "1"])
    var fresh = try Self.trainer(config)
    #expect(try fresh.loadState(from: dir) == ["epoch": "1"])
    #expect(fresh.optimizer.stepCount == 2)
    let resumed = try run(2, from: fresh, seed: 9)
    let straight = try run(2, from: twice, seed: 9)
    #expect(resumed.model.namedTensors.map(\.tensor) == straight.model.namedTensors.map(\.tensor))
  }

  @Test func corruptStateIsRefused() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-state-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let t = try Self.trainer(AdapterConfiguration(method: .lora, rank: 2))
    try t.saveState(to: dir)
    var other = try Self.trainer(AdapterConfiguration(method: .lora, rank: 3))
    #expect(throws: AdapterError.self) { try other.loadState(from: dir) }
    try Data("{".utf8).write(to: dir.appendingPathComponent("trainer-state.json"))
    var same = try Self.trainer(AdapterConfiguration(method: .lora, rank: 2))
    #expect(throws: AdapterError.self) { try same.loadState(from: dir) }
  }

  @Test func contrastiveLossFalls() throws {
    var t = try Self.trainer(AdapterConfiguration(method: .lora, rank: 4), lr: 1e-2, steps: 100)
    t.model.head = nil
    let queries = try TokenBatch(batchSize: 3, sequenceLength: 2, inputIDs: [2, 10, 2, 20, 2, 30])
    let docs = try TokenBatch(
      batchSize: 4, sequenceLength: 3, inputIDs: [11, 12, 10, 21, 22, 20, 31, 32, 30, 5, 6, 9])
    var rng = SplitMix64(seed: 2)
    let first = try t.contrastiveGradients(queries: queries, documents: docs, temperature: 0.05, using: &rng).loss
    var last = first
    for _ in 0..<100 {
      let (l, g) = try t.contrastiveGradients(queries: queries, documents: docs, temperature: 0.05, using: &rng)
      last = l
      t.step(g)
    }
    #expect(last < first * 0.2, "contrastive loss \(first) -> \(last)")
  }
}

@Suite struct LowerLayerCacheTests {
  /// With the lowest layer frozen, gradients from cached lower-layer outputs equal those of the
  /// full forward pass, and a second pass answers from the cache.
  @Test func cachedLowerLayersGiveTheSameGradients() throws {
    let bert = try tinyBert()
    let config = AdapterConfiguration(method: .lora, rank: 2, targets: [.query, .value, .output], freezeLayers: 1)
    var plain = try AdaptedEncoder<Double>(configuration: config, bert: bert, base: tinyWeights(bert))
    var rng = SplitMix64(seed: 3)
    plain.updateEach { _, t in t = t.adding(normal(t.shape, std: 0.2, using: &rng)) }
    var cached = plain
    let cache = LowerLayerCache<Double>(maxBytes: 1 << 20)
    cached.lowerLayerCache = cache
    let batch = try tinyBatch()
    // Padding rows are not cached (their values never reach a real token or the pooled output),
    // so the loss reads real tokens only.
    var c = normal([2, 5, bert.hiddenSize], using: &rng)
    c.withUnsafeMutableBufferPointer { p in for i in (8 * 16)..<(10 * 16) { p[i] = 0 } }
    var r1 = SplitMix64(seed: 1), r2 = SplitMix64(seed: 1)
    let a = try plain.forwardTraining(batch, using: &r1, workers: 1)
    let b = try cached.forwardTraining(batch, using: &r2, workers: 1)
    let real = (0..<(8 * 16))
    #expect(real.map { abs(a.activations.output.scalars[$0] - b.activations.output.scalars[$0]) }.max()! < 1e-10)
    let ga = plain.backward(a, outputGradient: c, workers: 1)
    let gb = cached.backward(b, outputGradient: c, workers: 1)
    for (x, y) in zip(ga.tensors, gb.tensors) { #expect(x.maxAbsDifference(y) < 1e-10) }
    #expect(cache.misses == 2 && cache.hits == 0)
    var r3 = SplitMix64(seed: 1)
    _ = try cached.forwardTraining(batch, using: &r3, workers: 1)
    #expect(cache.hits == 2)
  }
}
