import Adapters
import Corpus
import Encoder
import Foundation
import Tensor
import Text

/// A classification head over (review query, record), trained through one adapter on some of a
/// review's records with balanced batches, then scoring others by the logit margin. Used by
/// `experiment adapters` and by `experiment within`'s `cross-encoder+METHOD`.
struct CrossEncoderRun {
  var query: String
  var texts: [String]
  /// 1 included, 0 excluded, per record.
  var labels: [Int]
  var adapter: AdapterConfiguration
  var learningRate: Double
  var steps = 60
  /// Pairs per step, alternately an include and an exclude.
  var batchSize = 16
  var maxLength = 128
  var base: URL
  /// The frozen lower layers' outputs, shared with other runs on the same base model and the
  /// same `freezeLayers` (nil: every step computes them).
  var lowerLayers: LowerLayerCache<Float>?

  init(query: String, texts: [String], labels: [Int], adapter: AdapterConfiguration, learningRate: Double, base: URL) {
    self.query = query
    self.texts = texts
    self.labels = labels
    self.adapter = adapter
    self.learningRate = learningRate
    self.base = base
  }

  struct Result {
    /// The margins of the scored records, in their order.
    var scores: [Double]
    var trainableParameters: Int
    var trainSeconds: Double
  }

  func train(on trainIdx: [Int], thenScore testIdx: [Int], seed: UInt64, progress: ProgressHandler) throws -> Result {
    let positives = trainIdx.filter { labels[$0] == 1 }, negatives = trainIdx.filter { labels[$0] == 0 }
    guard let firstPositive = positives.first, let firstNegative = negatives.first else {
      throw WorkflowError.usage("the cross-encoder needs included and excluded records with text to train on")
    }
    var rng = SplitMix64(seed: seed)
    let bert = try BertModel<Float>.load(directory: base)
    let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
    func batch(_ ids: [Int]) throws -> TokenBatch {
      try TokenBatch(
        encodings: try ids.map { try tokenizer.encode(query, pair: texts[$0], maxLength: maxLength) },
        paddingID: tokenizer.paddingID)
    }
    func balanced(_ r: inout SplitMix64) -> [Int] {
      (0..<batchSize).map { i in
        i % 2 == 0 ? positives.randomElement(using: &r) ?? firstPositive : negatives.randomElement(using: &r) ?? firstNegative
      }
    }
    func labelled(_ ids: [Int]) throws -> [LabelledBatch] {
      [LabelledBatch(batch: try batch(ids), labels: ids.map { labels[$0] })]
    }
    let started = Date()
    var blocks: [LinearSite: [SMTBlocks<Float>.Block]] = [:]
    if adapter.method == .smt {
      // Warm-up gradients of full fine-tuning place the blocks (no update).
      var full = adapter
      full.method = .full
      let encoder = try AdaptedEncoder(configuration: full, bert: bert.configuration, base: bert.weights)
      let head = ClassificationHead<Float>.random(hiddenSize: bert.configuration.hiddenSize, classCount: 2, using: &rng)
      let warm = AdapterTrainer(
        model: AdapterModel(encoder: encoder, head: head), schedule: LinearWarmupSchedule(peak: 0, warmupSteps: 0, totalSteps: 1))
      blocks = try SMTSelection.warmedUp(adapter, bert: bert.configuration, steps: adapter.smtWarmupSteps) { _ in
        try warm.classificationGradients(try labelled(balanced(&rng)), using: &rng).gradients
      }
    }
    var encoder = try AdaptedEncoder(configuration: adapter, bert: bert.configuration, base: bert.weights, smtBlocks: blocks)
    if adapter.freezeLayers > 0, adapter.method != .full, let lowerLayers { encoder.lowerLayerCache = lowerLayers }
    let head = ClassificationHead<Float>.random(hiddenSize: bert.configuration.hiddenSize, classCount: 2, using: &rng)
    var trainer = AdapterTrainer(
      model: AdapterModel(encoder: encoder, head: head),
      schedule: LinearWarmupSchedule(peak: learningRate, warmupSteps: steps / 10, totalSteps: steps),
      hyperparameters: AdamWHyperparameters(weightDecay: 0.01))
    trainer.encoderDropout = (0.1, 0.1)
    progress(.started("\(adapter.method.rawValue) cross-encoder", total: steps))
    for step in 0..<steps {
      let (loss, g) = try trainer.classificationGradients(try labelled(balanced(&rng)), using: &rng)
      trainer.step(g)
      progress(.advanced(done: step + 1))
      progress(.status(String(format: "loss %.4f", loss)))
    }
    progress(.finished("\(adapter.method.rawValue) cross-encoder"))
    let trainSeconds = Date().timeIntervalSince(started)
    // Longest first, in batches of 32, so that a batch pads little.
    var margins = [Int: Double]()
    let order = testIdx.sorted { texts[$0].count > texts[$1].count }
    for start in stride(from: 0, to: order.count, by: 32) {
      let ids = Array(order[start..<min(start + 32, order.count)])
      let tokens = try batch(ids)
      let logits: Tensor<Float>
      if let head = trainer.model.head, encoder.lowerLayerCache != nil {
        // The training pass without dropout starts from the cached frozen layers.
        var unused = SplitMix64(seed: 0)
        let tape = try trainer.model.encoder.forwardTraining(tokens, dropout: nil, using: &unused)
        logits = head.logits(hidden: tape.activations.output, lengths: tokens.lengths)
      } else {
        logits = try trainer.model.logits(tokens)
      }
      for (row, i) in ids.enumerated() { margins[i] = Double(logits.scalars[row * 2 + 1] - logits.scalars[row * 2]) }
    }
    return Result(
      scores: testIdx.map { margins[$0] ?? 0 },
      trainableParameters: trainer.model.encoder.trainableParameterCount + 2 * bert.configuration.hiddenSize + 2,
      trainSeconds: trainSeconds)
  }
}
