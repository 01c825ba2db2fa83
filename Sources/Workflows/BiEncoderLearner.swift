import Adapters
import Corpus
import Encoder
import Foundation
import Screening
import Tensor
import Text

/// `simulate --model bi-encoder`: the encoder itself learns inside the screening loop. The
/// review's question and every candidate are embedded by MiniLM carrying an adapter; at each
/// retraining the adapter takes a few contrastive steps (the question should lie closer to a
/// relevant record than to the irrelevant ones labelled so far), then every candidate is
/// embedded again and scored by cosine to the question. Before any step it is the zero-shot
/// ranker. The lowest `freezeLayers` layers keep their base weights, so their outputs are
/// computed once per candidate and cached: a retraining re-runs only the layers above.
public struct BiEncoderLearner: ScreeningLearner {
  public struct Settings: Sendable {
    /// Optimizer steps per retraining.
    public var steps = 8
    /// Irrelevant labelled records beside the one relevant record of each step.
    public var negatives = 7
    /// Measured on CD008760: 5e-5 / 2e-4 / 1e-3 / 3e-3 gave WSS@95 0.31 / 0.38 / 0.44 / 0.48.
    public var learningRate = 1e-3
    public var temperature = 0.05
    /// Tokens per candidate and for the question.
    public var maxLength = 128
    public var queryMaxLength = 64

    public init() {}
  }

  private var trainer: AdapterTrainer<Float>
  private let question: TokenBatch
  private let documents: [Encoding]
  /// Candidate indices in batches of similar length, for embedding all of them.
  private let batches: [[Int]]
  private let paddingID: Int32
  /// Records with neither title nor abstract, scored as the average record (as in the other
  /// embedding models), not by the embedding of an empty string.
  private let withoutText: [Bool]
  private let settings: Settings
  private var generator: SplitMix64
  /// Optimizer steps taken so far.
  var stepCount: Int { trainer.optimizer.stepCount }

  /// `lowerLayers`: the frozen layers' outputs to share with other learners on the same base
  /// model and the same `freezeLayers` (nil: a cache of this learner's own).
  init(
    base: URL, adapter: AdapterConfiguration, question text: String, texts: [String], settings: Settings, seed: UInt64,
    lowerLayers: LowerLayerCache<Float>? = nil
  ) throws {
    guard adapter.method != .smt else {
      throw WorkflowError.usage("bi-encoder+smt needs SMT's gradient warm-up, which the screening loop does not run; pick another adapter")
    }
    let bert = try BertModel<Float>.load(directory: base)
    let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
    var encoder = try AdaptedEncoder(configuration: adapter, bert: bert.configuration, base: bert.weights)
    if adapter.freezeLayers > 0, adapter.method != .full {
      // Room for the frozen layers' output of ~15,000 candidates at 128 tokens.
      encoder.lowerLayerCache = lowerLayers ?? LowerLayerCache(maxBytes: 3 << 30)
    }
    // A near-constant learning rate: the loop has no known end.
    trainer = AdapterTrainer(
      model: AdapterModel(encoder: encoder),
      schedule: LinearWarmupSchedule(peak: settings.learningRate, warmupSteps: 0, totalSteps: 100_000_000),
      hyperparameters: AdamWHyperparameters(weightDecay: 0.01), workers: Parallel.defaultWorkerCount)
    paddingID = tokenizer.paddingID
    question = try TokenBatch(
      encodings: [try tokenizer.encode(text, maxLength: settings.queryMaxLength)], paddingID: tokenizer.paddingID)
    let encoded = try texts.map { try tokenizer.encode($0, maxLength: settings.maxLength) }
    documents = encoded
    withoutText = SimulateWorkflow.withoutText(texts)
    // Sorted by length so that a batch pads little; ties by index, so the order is fixed.
    let order = encoded.indices.sorted { (encoded[$0].count, $0) < (encoded[$1].count, $1) }
    batches = stride(from: 0, to: order.count, by: 32).map { Array(order[$0..<min($0 + 32, order.count)]) }
    self.settings = settings
    generator = SplitMix64(seed: seed)
  }

  public mutating func retrain(on records: [Int], labels: [Bool]) throws -> [Double] {
    try tune(on: records, labels: labels, steps: settings.steps)
    return try scores()
  }

  /// `steps` contrastive steps, each the question against one relevant record and up to
  /// `negatives` irrelevant ones drawn from `records`.
  mutating func tune(on records: [Int], labels: [Bool], steps: Int) throws {
    let relevant = zip(records, labels).filter(\.1).map(\.0)
    let irrelevant = zip(records, labels).filter { !$0.1 }.map(\.0)
    for _ in 0..<steps {
      guard let positive = relevant.randomElement(using: &generator) else { break }
      let negatives = Array(irrelevant.shuffled(using: &generator).prefix(settings.negatives))
      let batch = try TokenBatch(encodings: ([positive] + negatives).map { documents[$0] }, paddingID: paddingID)
      var stepGenerator = SplitMix64(seed: generator.next())
      let (_, gradients) = try trainer.contrastiveGradients(
        queries: question, documents: batch, temperature: settings.temperature, using: &stepGenerator)
      trainer.step(gradients)
    }
  }

  /// Cosine of every candidate to the question under the current adapter.
  func scores() throws -> [Double] {
    let q = try embed(question).scalars
    let cosines = try embeddings().map { Double(ScreenWorkflow.dot($0, q)) }
    return SimulateWorkflow.meanFilled(cosines, where: withoutText)
  }

  /// Every candidate's unit-length embedding under the current adapter, in candidate order.
  func embeddings() throws -> [[Float]] {
    var out = [[Float]](repeating: [], count: documents.count)
    for batch in batches {
      let vectors = try embed(TokenBatch(encodings: batch.map { documents[$0] }, paddingID: paddingID))
      let width = vectors.shape[1]
      for (row, candidate) in batch.enumerated() { out[candidate] = Array(vectors.scalars[row * width..<(row + 1) * width]) }
    }
    return out
  }

  /// The adapter's trainable parameters.
  var trainableParameterCount: Int { trainer.model.encoder.trainableParameterCount }

  /// Unit-length mean-pooled embeddings; the training forward pass (without dropout) is the
  /// one that starts from the cached frozen layers.
  private func embed(_ batch: TokenBatch) throws -> Tensor<Float> {
    var unused = SplitMix64(seed: 0)
    let tape = try trainer.model.encoder.forwardTraining(batch, dropout: nil, using: &unused)
    return Pool.l2Normalized(Pool.apply(.mean, tape.activations.output, lengths: batch.lengths))
  }
}
