import Adapters
import Corpus
import Encoder
import Foundation
import Tensor
import Text

/// `csmed bench encoder`: the encoder's three throughput figures on the real model, each the
/// median of several timed runs after a warm-up, beside an sgemm baseline measured in the same
/// process (so a busy machine shows in both).
public enum BenchWorkflow {
  public struct Options: Sendable {
    public var base: URL
    public var runs: Int
    /// Real abstracts for the documents/s figure (title + abstract per line); nil skips it.
    public var documents: [String]?
    /// The arithmetic of the forward and embedding figures (the train step is always fp32).
    public var precision = Precision.fp32

    public init(base: URL, runs: Int = 5, documents: [String]? = nil, precision: Precision = .fp32) {
      self.base = base
      self.runs = runs
      self.documents = documents
      self.precision = precision
    }
  }

  public struct Figure: Sendable {
    public var name: String
    public var medianSeconds: Double
    public var allSeconds: [Double]
    public var unit: String
    public var perSecond: Double
  }

  public struct Report: Sendable {
    public var figures: [Figure]
    /// GFLOP/s of one sgemm of the FFN shape (8192 x 1536 x 384), median of the same runs.
    public var sgemmGFLOPS: Double
    /// GFLOP/s the forward pass reached, for the ratio against sgemm.
    public var forwardGFLOPS: Double
    /// Peak resident memory of the process.
    public var peakRSSMB: Double
    /// At int8: the lowest cosine between a document's int8 and fp32 embeddings.
    public var minimumCosineToFP32: Double?
  }

  /// The median (the mean of the middle two for an even count).
  public static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  }

  static func time(_ runs: Int, _ body: () throws -> Void) rethrows -> [Double] {
    try body()  // warm-up
    return try (0..<runs).map { _ in
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
  }

  public static func encoder(_ options: Options, progress: ProgressHandler = { _ in }) throws -> Report {
    guard options.runs >= 1 else { throw WorkflowError.usage("--runs must be at least 1") }
    let model = try BertModel<Float>.load(directory: options.base)
    let configuration = model.configuration
    let tokenizer = try BertTokenizer(vocabularyURL: options.base.appendingPathComponent("vocab.txt"))
    var embedder = try SentenceEmbedder(tokenizer: tokenizer, model: model)
    try embedder.setPrecision(options.precision)
    var generator = SplitMix64(seed: 7)
    func randomBatch(_ batchSize: Int, _ length: Int) throws -> TokenBatch {
      let ids = (0..<batchSize * length).map { index in
        index % length == 0 ? Int32(101) : Int32.random(in: 1000..<30000, using: &generator)
      }
      return try TokenBatch(batchSize: batchSize, sequenceLength: length, inputIDs: ids)
    }
    var figures: [Figure] = []

    progress(.started("forward 32x256", total: 0))
    let forwardBatch = try randomBatch(32, 256)
    let inference = embedder.model
    let forward = try time(options.runs) { _ = try inference.forward(forwardBatch) }
    figures.append(figure("forward (\(options.precision.rawValue)), batch 32 x 256", forward, count: 32 * 256, unit: "tokens"))

    progress(.started("train step 16x256", total: 0))
    let train = try trainStepSeconds(AdapterConfiguration(method: .full), model: model, runs: options.runs)
    figures.append(figure("full fine-tune train step (AdamW), batch 16 x 256", train, count: 16 * 256, unit: "tokens"))

    var minimumCosine: Double?
    if let documents = options.documents, !documents.isEmpty {
      progress(.started("embed documents", total: 0))
      var vectors: [[Float]] = []
      let embed = try time(max(1, min(options.runs, 3))) { vectors = try embedder.embed(documents) }
      figures.append(
        figure(
          "embed real abstracts (\(options.precision.rawValue), dynamic padding, max 256)", embed, count: documents.count,
          unit: "documents"))
      if options.precision != .fp32 {
        let reference = try SentenceEmbedder(tokenizer: tokenizer, model: model).embed(documents)
        minimumCosine = zip(vectors, reference).map { cosine($0, $1) }.min()
      }
    }

    progress(.started("sgemm baseline", total: 0))
    // The forward pass runs one-thread sgemm on each core at once (OpenBLAS's own 2-thread mode is
    // erratic on this VM), so the baseline does the same: each core multiplies half of the rows.
    let (m, n, k) = (8192, 1536, 384)
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let rows = m / cores
    let halves = (0..<cores).map { part in
      Tensor<Float>(shape: [rows, k], scalars: (0..<(rows * k)).map { Float(($0 + part) % 17) * 0.01 })
    }
    let b = Tensor<Float>(shape: [n, k], scalars: (0..<(n * k)).map { Float($0 % 13) * 0.01 })
    let threads = BLASThreads.count
    BLASThreads.set(1)
    let sgemm = time(options.runs) {
      DispatchQueue.concurrentPerform(iterations: cores) { part in _ = Tensor.matmul(halves[part], b, transposeB: true) }
    }
    BLASThreads.set(threads)
    progress(.finished("bench"))
    let flopsPerToken = Double(configuration.layerCount) * 2
      * (Double(4 * configuration.hiddenSize * configuration.hiddenSize + 2 * configuration.hiddenSize * configuration.intermediateSize)
        + Double(2 * 256 * configuration.hiddenSize))
    return Report(
      figures: figures, sgemmGFLOPS: 2 * Double(rows * cores * n * k) / median(sgemm) / 1e9,
      forwardGFLOPS: flopsPerToken * Double(32 * 256) / median(forward) / 1e9, peakRSSMB: peakResidentMegabytes(),
      minimumCosineToFP32: minimumCosine)
  }

  /// The cosine of two vectors, in Double.
  static func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var (dot, aa, bb) = (0.0, 0.0, 0.0)
    for (x, y) in zip(a, b) {
      (dot, aa, bb) = (dot + Double(x) * Double(y), aa + Double(x) * Double(x), bb + Double(y) * Double(y))
    }
    return dot / max((aa * bb).squareRoot(), 1e-300)
  }

  /// Seconds of one classifier train step (forward, loss, backward, AdamW) at 16 x 256 tokens
  /// with an adapter, median of `runs` after a warm-up.
  public static func trainStepSeconds(
    _ adapter: AdapterConfiguration, model: BertModel<Float>, runs: Int, batchSize: Int = 16, length: Int = 256
  ) throws -> [Double] {
    let c = model.configuration
    var generator = SplitMix64(seed: 11)
    let ids = (0..<batchSize * length).map { i in i % length == 0 ? Int32(101) : Int32.random(in: 1000..<30000, using: &generator) }
    let batch = try TokenBatch(batchSize: batchSize, sequenceLength: length, inputIDs: ids)
    let labels = (0..<batchSize).map { $0 % 4 == 0 ? 1 : 0 }
    // The count is what matters for speed; place SMT's blocks on the first targets.
    let blocks: [LinearSite: [SMTBlocks<Float>.Block]] =
      adapter.method == .smt ? SMTSelection.leading(adapter, bert: c) : [:]
    let encoder = try AdaptedEncoder(configuration: adapter, bert: c, base: model.weights, smtBlocks: blocks)
    let head = ClassificationHead<Float>.random(hiddenSize: c.hiddenSize, classCount: 2, using: &generator)
    var trainer = AdapterTrainer(
      model: AdapterModel(encoder: encoder, head: head), schedule: LinearWarmupSchedule(peak: 2e-5, warmupSteps: 0, totalSteps: 1_000))
    return try time(runs) {
      let (_, g) = try trainer.classificationGradients([LabelledBatch(batch: batch, labels: labels)], using: &generator)
      trainer.step(g)
    }
  }

  /// One method's train-step figure for `csmed bench adapters`.
  public struct AdapterFigure: Sendable, Codable {
    public var adapter: String
    public var trainTokensPerSecond: Double
    public var trainableParameters: Int
    public var peakRSSMB: Double
    public var medianSeconds: Double

    enum CodingKeys: String, CodingKey {
      case adapter
      case trainTokensPerSecond = "train_tokens_per_s"
      case trainableParameters = "trainable_params"
      case peakRSSMB = "peak_rss_mb"
      case medianSeconds = "median_s"
    }
  }

  /// The train step of one adapter method on the real model (run each method in its own
  /// process for a per-method peak RSS).
  public static func adapter(_ adapter: AdapterConfiguration, base: URL, runs: Int) throws -> AdapterFigure {
    let model = try BertModel<Float>.load(directory: base)
    let seconds = try trainStepSeconds(adapter, model: model, runs: runs)
    let plan = try TrainWorkflow.plan(adapter: adapter, base: base, kind: .biEncoder)
    return AdapterFigure(
      adapter: adapter.method.rawValue, trainTokensPerSecond: Double(16 * 256) / median(seconds),
      trainableParameters: plan.total, peakRSSMB: peakResidentMegabytes(), medianSeconds: median(seconds))
  }

  /// The process's peak resident set (`VmHWM` of /proc/self/status), in MB; 0 where unavailable.
  public static func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
      return kb / 1024
    }
    return 0
  }

  static func figure(_ name: String, _ seconds: [Double], count: Int, unit: String) -> Figure {
    Figure(name: name, medianSeconds: median(seconds), allSeconds: seconds, unit: unit, perSecond: Double(count) / median(seconds))
  }
}

extension BenchWorkflow {
  /// One `simulate` run, measured inside its process for `csmed bench simulate`: the parent times
  /// the whole process (start-up, reading, features, embeddings from the cache), this the loop.
  public struct SimulationFigure: Sendable, Codable {
    public var model: String
    /// Retraining, querying and the metrics of one seed.
    public var loopSeconds: Double
    /// Records labelled by the model's queries (the loop's iterations).
    public var modelQueries: Int
    /// Records screened before the loop stopped at the last relevant one.
    public var screened: Int
    public var wss95: Double
    public var peakRSSMB: Double

    enum CodingKeys: String, CodingKey {
      case model
      case loopSeconds = "loop_s"
      case modelQueries = "model_queries"
      case screened
      case wss95 = "wss_95"
      case peakRSSMB = "peak_rss_mb"
    }
  }

  /// Runs one simulation (its first seed) and reports its figures.
  public static func simulation(_ options: SimulateWorkflow.Options) throws -> SimulationFigure {
    let result = try SimulateWorkflow.run(options)
    guard let run = result.runs.first else { throw WorkflowError.usage("bench simulate: the simulation ran no seed") }
    let steps = run.steps.filter { $0.source != .tail }
    return SimulationFigure(
      model: options.model.rawValue, loopSeconds: run.seconds, modelQueries: steps.count(where: { $0.source == .model }),
      screened: steps.count, wss95: run.evaluation.mean(named: "wss@95") ?? .nan, peakRSSMB: peakResidentMegabytes())
  }
}
