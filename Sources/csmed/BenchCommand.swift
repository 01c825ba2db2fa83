import Adapters
import CLIKit
import Corpus
import Foundation
import Tensor
import Workflows

private enum Bench {
  /// `bench simulate` times whole processes, so fewer runs than the in-process benchmarks.
  static let simulateRuns = 3
  static let runs = Option<Int?>(
    "runs", value: "n",
    help: "Timed runs after one warm-up; the median is reported (default \(WorkflowDefaults.bench.runs); simulate \(simulateRuns)).",
    in: 1...100)
  static let review = Shared.review(help: "Real abstracts for documents/s (default \(defaultReview), if in --db).")
  static let defaultReview = "clef_tar2017/CD009944"
  static let methods = Option(list: "adapters", value: "list", help: "Methods for `bench adapters` (default all ten).")
  static let input = Shared.input(help: "simulate: a labelled export (any reader format).")
  static let reviewTitle = Shared.reviewTitle(help: "simulate: the review's title (for --warm-start zero-shot).")
  static let models = Option(
    list: "models", value: "list",
    help: "simulate: models to time (default \(timedModels.map(\.rawValue).joined(separator: ","))).")
  static let timedModels: [SimulateWorkflow.SimulationModel] = [.tfidfNB, .tfidfSVM, .tfidfLR, .embedLR, .hybridLR]
  static let model = Option(
    "model", value: "name", help: "simulate-worker: the one model.", default: WorkflowDefaults.simulate.model)
  static let embeddingCache = Shared.embeddingCache(help: "simulate: embeddings kept between runs (run once first to fill it).")
  static let asreview = Option<String?>(
    "asreview", value: "path", help: "simulate: the asreview executable, timed on the same file (elas_u4; elas_u3 beside tfidf-nb).")
  static let freezeLayers = AdapterFlags.freezeLayers(default: WorkflowDefaults.adapter.freezeLayers)
  /// What an `adapter-worker` process needs besides the method.
  static let adapterSettings = AdapterFlags.settings + AdapterFlags.smtSettings + [freezeLayers]
}

let benchCommand = Command(
  spec: CommandSpec(
    name: "csmed bench", abstract: "Measure the encoder, the adapters' train steps and simulate's loop (use a release build).",
    options: [
      Shared.base, Shared.precision, Bench.runs, Shared.database, Bench.review, Bench.methods, Shared.tableFormat, Bench.input,
      Bench.reviewTitle,
      Bench.models, Bench.model, Bench.embeddingCache, Bench.asreview,
    ] + AdapterFlags.options(freezeLayers: Bench.freezeLayers),
    positionals: [PositionalSpec("target", help: "What to measure: encoder, adapters or simulate.")],
    discussion: """
      encoder: forward tokens/s at 32x256, full fine-tune train-step tokens/s at 16x256, documents/s on real
      abstracts with dynamic padding, peak RSS, and an sgemm baseline from the same process.
      adapters: the train step at 16x256 (classifier head, AdamW) per method, each in its own process so that
      peak RSS is per method; LoRA-family defaults r=8 on query,value.
      benchmarks/pytorch_reference.py measures the same figures with torch + transformers + peft.
      simulate: each model's `csmed simulate --input FILE` (ASReview's protocol: file order, no priors, stop at the
      last relevant record) --runs times, each in its own process: the whole process's wall time, the loop's time
      per query, WSS@95 and peak RSS; with --asreview, `asreview simulate` on the same file in the same sitting
      and the ratio of the two wall times.
      """),
  run: { arguments in
    let json = try arguments[Shared.tableFormat] == .json
    let runs = try arguments[Bench.runs]
    let base = try arguments[Shared.base]
    switch arguments.positionals.first {
    case "encoder": try benchEncoder(arguments, runs: runs ?? WorkflowDefaults.bench.runs, json: json)
    case "adapters": try benchAdapters(arguments, runs: runs ?? WorkflowDefaults.bench.runs, json: json)
    case "simulate": try benchSimulate(arguments, runs: runs ?? Bench.simulateRuns, json: json)
    case "simulate-worker":
      // One simulation in this process (spawned by `bench simulate`): prints one JSON object.
      var options = SimulateWorkflow.Options(
        source: .file(try arguments.required(Bench.input), title: try arguments[Bench.reviewTitle], criteria: nil),
        model: try arguments[Bench.model], coldStart: .fileOrder, base: base)
      options.embeddingCache = try arguments[Bench.embeddingCache]
      options.precision = try arguments[Shared.precision]
      Terminal.out(try Render.jsonLine(try BenchWorkflow.simulation(options)))
    case "adapter-worker":
      // One method in this process (spawned by `bench adapters`): prints one JSON object.
      let adapter = try AdapterFlags.configuration(arguments, seed: 0, freezeLayers: Bench.freezeLayers)
      Terminal.out(try Render.jsonLine(try BenchWorkflow.adapter(adapter, base: base, runs: runs ?? WorkflowDefaults.bench.runs)))
    default:
      throw UsageError("unknown benchmark '\(arguments.positionals.first ?? "")' (known: encoder, adapters, simulate)", command: "csmed bench")
    }
  })

func benchEncoder(_ arguments: ParsedArguments, runs: Int, json: Bool) throws {
  var documents: [String]?
  let database = try arguments[Shared.database]
  if FileManager.default.fileExists(atPath: database.path) {
    let key = try arguments[Bench.review] ?? Bench.defaultReview
    let review = try? ReviewSource.database(database, review: key, stage: .titleAbstract).load()
    documents = review.map { review in review.records.indices.map { review.text(of: $0, view: .titleAbstract) } }
  }
  let report = try BenchWorkflow.encoder(
    .init(base: try arguments[Shared.base], runs: runs, documents: documents, precision: try arguments[Shared.precision]),
    progress: ProgressBar().handler)
  if json {
    var object: [String: Double] = [
      "forward_tokens_per_s": report.figures[0].perSecond, "train_full_tokens_per_s": report.figures[1].perSecond,
      "peak_rss_mb": report.peakRSSMB, "sgemm_gflops": report.sgemmGFLOPS, "forward_gflops": report.forwardGFLOPS,
    ]
    if report.figures.count > 2 { object["docs_per_s"] = report.figures[2].perSecond }
    if let c = report.minimumCosineToFP32 { object["min_cosine_to_fp32"] = c }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    Terminal.out(String(decoding: data, as: UTF8.self) + "\n")
    return
  }
  var text = Render.table(
    ["measure", "median s", "runs (s)", "per second"],
    report.figures.map {
      [$0.name, String(format: "%.3f", $0.medianSeconds), $0.allSeconds.map { String(format: "%.2f", $0) }.joined(separator: " "),
       String(format: "%.0f %@", $0.perSecond, $0.unit)]
    })
  text += String(format: "\nforward: %.0f GFLOP/s effective; sgemm 8192x1536x384 alone: %.0f GFLOP/s (%.0f%%); peak RSS %.0f MB\n",
    report.forwardGFLOPS, report.sgemmGFLOPS, 100 * report.forwardGFLOPS / report.sgemmGFLOPS, report.peakRSSMB)
  if let c = report.minimumCosineToFP32 { text += String(format: "lowest cosine of a document's embedding to its fp32 one: %.6f\n", c) }
  Terminal.out(text)
}

/// Runs every method in a child process of this executable and collects their JSON lines.
func benchAdapters(_ arguments: ParsedArguments, runs: Int, json: Bool) throws {
  let methods = try (try arguments[Bench.methods] ?? AdapterMethod.allCases.map(\.rawValue)).map { name in
    guard let m = AdapterMethod(rawValue: name) else {
      throw UsageError("unknown adapter '\(name)' (known: \(AdapterMethod.allCases.map(\.rawValue).joined(separator: ", ")))", command: "csmed bench")
    }
    return m
  }
  var figures: [BenchWorkflow.AdapterFigure] = []
  let progress = ProgressBar().handler
  progress(.started("adapters", total: methods.count))
  for (i, method) in methods.enumerated() {
    let childArguments = ["bench", "adapter-worker", "--adapter", method.rawValue, "--runs", "\(runs)", "--base", try arguments[Shared.base].path]
      + arguments.forwarding(Bench.adapterSettings)
    figures.append(try runChild(childArguments, decoding: BenchWorkflow.AdapterFigure.self))
    progress(.advanced(done: i + 1))
  }
  progress(.finished("adapters"))
  if json {
    Terminal.out(try Render.jsonLine(figures))
    return
  }
  Terminal.out(
    "train step, classifier head, batch 16 x 256, median of \(runs) runs\n"
      + Render.table(
        ["adapter", "train tokens/s", "trainable params", "peak RSS MB"],
        figures.map {
          [$0.adapter, String(format: "%.0f", $0.trainTokensPerSecond), String($0.trainableParameters), String(format: "%.0f", $0.peakRSSMB)]
        }))
}

/// `bench simulate`: every model's whole `simulate` process, timed from here, beside `asreview
/// simulate` on the same file when its path is given.
func benchSimulate(_ arguments: ParsedArguments, runs: Int, json: Bool) throws {
  let input = try arguments.required(Bench.input).path
  guard FileManager.default.isReadableFile(atPath: input) else { throw WorkflowError.missingInput(path: input) }
  let models = try (try arguments[Bench.models]).map { names in
    try names.map { name in
      guard let model = SimulateWorkflow.SimulationModel(rawValue: name), Bench.timedModels.contains(model) else {
        let known = Bench.timedModels.map(\.rawValue).joined(separator: ", ")
        throw UsageError("--models: unknown or untimed model '\(name)' (known: \(known))", command: "csmed bench")
      }
      return model
    }
  } ?? Bench.timedModels
  let progress = ProgressBar().handler
  var asreview: [String: Double] = [:]
  if let path = try arguments[Bench.asreview] {
    var ais = ["elas_u4"]
    if models.contains(.tfidfNB) { ais.append("elas_u3") }
    progress(.started("asreview simulate", total: ais.count * runs))
    for (a, ai) in ais.enumerated() {
      asreview[ai] = BenchWorkflow.median(try (0..<runs).map { run in
        defer { progress(.advanced(done: a * runs + run + 1)) }
        return try timeASReview(path: path, input: input, ai: ai)
      })
    }
    progress(.finished("asreview simulate"))
  }
  struct Row: Encodable {
    var figure: BenchWorkflow.SimulationFigure
    var wholeSeconds: Double
    var allWholeSeconds: [Double]
    var asreviewSeconds: [String: Double]
  }
  var rows: [Row] = []
  progress(.started("csmed simulate", total: models.count * runs))
  for (m, model) in models.enumerated() {
    let childArguments = ["bench", "simulate-worker", "--input", input, "--model", model.rawValue, "--base", try arguments[Shared.base].path]
      + arguments.forwarding([Bench.embeddingCache, Bench.reviewTitle, Shared.precision])
    var whole: [Double] = []
    var figures: [BenchWorkflow.SimulationFigure] = []
    for run in 0..<runs {
      let start = DispatchTime.now().uptimeNanoseconds
      figures.append(try runChild(childArguments, decoding: BenchWorkflow.SimulationFigure.self))
      whole.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      progress(.advanced(done: m * runs + run + 1))
    }
    var figure = figures[0]
    figure.loopSeconds = BenchWorkflow.median(figures.map(\.loopSeconds))
    figure.peakRSSMB = figures.map(\.peakRSSMB).max() ?? 0
    var reference: [String: Double] = [:]
    if let u4 = asreview["elas_u4"] { reference["elas_u4"] = u4 }
    if model == .tfidfNB, let u3 = asreview["elas_u3"] { reference["elas_u3"] = u3 }
    rows.append(Row(figure: figure, wholeSeconds: BenchWorkflow.median(whole), allWholeSeconds: whole, asreviewSeconds: reference))
  }
  progress(.finished("csmed simulate"))
  if json {
    Terminal.out(try Render.jsonLine(rows))
    return
  }
  var text = "\(input): median of \(runs) runs, each a whole process; \(ComputePlatform.current)\n"
  text += Render.table(
    ["model", "whole s", "loop s", "ms/query", "queries", "wss@95", "peak RSS MB", "asreview s", "asreview / csmed"],
    rows.map { row in
      let f = row.figure
      let references = row.asreviewSeconds.sorted { $0.key > $1.key }
      return [
        f.model, String(format: "%.2f", row.wholeSeconds), String(format: "%.2f", f.loopSeconds),
        String(format: "%.2f", 1000 * f.loopSeconds / Double(max(f.modelQueries, 1))), String(f.modelQueries),
        String(format: "%.4f", f.wss95), String(format: "%.0f", f.peakRSSMB),
        references.isEmpty ? "-" : references.map { String(format: "%.1f (%@)", $0.value, $0.key) }.joined(separator: ", "),
        references.isEmpty ? "-" : references.map { String(format: "%.1fx", $0.value / row.wholeSeconds) }.joined(separator: ", "),
      ]
    })
  Terminal.out(text)
}

/// The wall time of `asreview simulate INPUT --ai AI` (its project file written to a scratch
/// directory and removed).
private func timeASReview(path: String, input: String, ai: String) throws -> Double {
  let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("csmed-bench-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: scratch) }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = ["simulate", input, "--ai", ai, "-o", scratch.appendingPathComponent("run.asreview").path]
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  let start = DispatchTime.now().uptimeNanoseconds
  do { try process.run() } catch {
    throw WorkflowError.io(path: path, reason: "cannot run asreview: \(error.localizedDescription)")
  }
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw WorkflowError.io(path: path, reason: "`asreview simulate \(input) --ai \(ai)` exited with \(process.terminationStatus)")
  }
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
