import Adapters
import CLIKit
import Corpus
import Foundation
import Tensor
import Workflows

let benchCommand = Command(
  spec: CommandSpec(
    name: "csmed bench", abstract: "Measure the encoder, the adapters' train steps and simulate's loop (use a release build).",
    options: [
      Defaults.baseOption, OptionSpec("runs", value: "n", help: "Timed runs after one warm-up; the median is reported (default 5)."),
      Defaults.databaseOption,
      OptionSpec("review", value: "id", help: "Real abstracts for documents/s (default clef_tar2017/CD009944, if in --db)."),
      OptionSpec("adapters", value: "list", help: "Methods for `bench adapters` (default all ten)."),
      OptionSpec("format", value: "table|json", help: "Output format (default table)."),
      OptionSpec("input", value: "file", help: "simulate: a labelled export (any reader format)."),
      OptionSpec("review-title", value: "text", help: "simulate: the review's title (for --warm-start zero-shot)."),
      OptionSpec("models", value: "list", help: "simulate: models to time (default tfidf-nb,tfidf-svm,tfidf-lr,embed-lr,tfidf-embed-lr)."),
      OptionSpec("model", value: "name", help: "simulate-worker: the one model."),
      OptionSpec("embedding-cache", value: "dir", help: "simulate: embeddings kept between runs (run once first to fill it)."),
      OptionSpec("asreview", value: "path", help: "simulate: the asreview executable, timed on the same file (elas_u4; elas_u3 beside tfidf-nb)."),
    ] + AdapterFlags.options,
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
      and the ratio of the two wall times. Default --runs here 3.
      """),
  run: { arguments in
    let format = arguments.value("format") ?? "table"
    guard ["table", "json"].contains(format) else {
      throw UsageError("--format expects table or json, got '\(format)'", command: "csmed bench")
    }
    let runs = try arguments.int("runs", default: 5, in: 1...100)
    switch arguments.positionals.first {
    case "encoder": try benchEncoder(arguments, runs: runs, json: format == "json")
    case "adapters": try benchAdapters(arguments, runs: runs, json: format == "json")
    case "simulate": try benchSimulate(arguments, runs: try arguments.int("runs", default: 3, in: 1...100), json: format == "json")
    case "simulate-worker":
      // One simulation in this process (spawned by `bench simulate`): prints one JSON object.
      let model = try arguments.choice("model", default: SimulateWorkflow.SimulationModel.tfidfSVM)
      var options = SimulateWorkflow.Options(
        source: .file(URL(fileURLWithPath: try arguments.require("input")), title: arguments.value("review-title"), criteria: nil),
        model: model, coldStart: .fileOrder, base: Defaults.base(arguments))
      options.embeddingCache = arguments.value("embedding-cache").map { URL(fileURLWithPath: $0) }
      let figure = try BenchWorkflow.simulation(options)
      Terminal.out(String(decoding: try JSONEncoder().encode(figure), as: UTF8.self) + "\n")
    case "adapter-worker":
      // One method in this process (spawned by `bench adapters`): prints one JSON object.
      let adapter = try AdapterFlags.configuration(arguments, command: "csmed bench", seed: 0)
      let figure = try BenchWorkflow.adapter(adapter, base: Defaults.base(arguments), runs: runs)
      Terminal.out(String(decoding: try JSONEncoder().encode(figure), as: UTF8.self) + "\n")
    default:
      throw UsageError("unknown benchmark '\(arguments.positionals.first ?? "")' (known: encoder, adapters, simulate)", command: "csmed bench")
    }
  })

func benchEncoder(_ arguments: ParsedArguments, runs: Int, json: Bool) throws {
  var documents: [String]?
  let database = Defaults.database(arguments)
  if FileManager.default.fileExists(atPath: database.path) {
    let review = try? ReviewSource.database(database, review: arguments.value("review") ?? "clef_tar2017/CD009944", stage: .titleAbstract).load()
    documents = review.map { review in review.records.indices.map { review.text(of: $0, view: .titleAbstract) } }
  }
  let report = try BenchWorkflow.encoder(
    .init(base: Defaults.base(arguments), runs: runs, documents: documents), progress: ProgressBar().handler)
  if json {
    var object: [String: Double] = [
      "forward_tokens_per_s": report.figures[0].perSecond, "train_full_tokens_per_s": report.figures[1].perSecond,
      "peak_rss_mb": report.peakRSSMB, "sgemm_gflops": report.sgemmGFLOPS, "forward_gflops": report.forwardGFLOPS,
    ]
    if report.figures.count > 2 { object["docs_per_s"] = report.figures[2].perSecond }
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
  Terminal.out(text)
}

/// Runs every method in a child process of this executable and collects their JSON lines.
func benchAdapters(_ arguments: ParsedArguments, runs: Int, json: Bool) throws {
  let methods = try (arguments.list("adapters") ?? AdapterMethod.allCases.map(\.rawValue)).map { name in
    guard let m = AdapterMethod(rawValue: name) else {
      throw UsageError("unknown adapter '\(name)' (known: \(AdapterMethod.allCases.map(\.rawValue).joined(separator: ", ")))", command: "csmed bench")
    }
    return m
  }
  var figures: [BenchWorkflow.AdapterFigure] = []
  let progress = ProgressBar().handler
  progress(.started("adapters", total: methods.count))
  for (i, method) in methods.enumerated() {
    var childArguments = ["bench", "adapter-worker", "--adapter", method.rawValue, "--runs", "\(runs)", "--base", Defaults.base(arguments).path]
    for option in AdapterFlags.options.map(\.name) where option != "adapter" {
      if let v = arguments.value(option) { childArguments += ["--\(option)", v] }
    }
    if method == .goat, arguments.value("rank") == nil { childArguments += ["--rank", "8", "--experts", "4"] }
    figures.append(try runChild(childArguments, decoding: BenchWorkflow.AdapterFigure.self))
    progress(.advanced(done: i + 1))
  }
  progress(.finished("adapters"))
  if json {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    Terminal.out(String(decoding: try encoder.encode(figures), as: UTF8.self) + "\n")
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
  let input = try arguments.require("input")
  guard FileManager.default.isReadableFile(atPath: input) else { throw WorkflowError.missingInput(path: input) }
  let models = try (arguments.list("models") ?? ["tfidf-nb", "tfidf-svm", "tfidf-lr", "embed-lr", "tfidf-embed-lr"]).map { name in
    guard let model = SimulateWorkflow.SimulationModel(rawValue: name), model != .biEncoder else {
      throw UsageError("--models: unknown or untimed model '\(name)' (known: tfidf-nb, tfidf-svm, tfidf-lr, embed-lr, tfidf-embed-lr)", command: "csmed bench")
    }
    return model
  }
  let progress = ProgressBar().handler
  var asreview: [String: Double] = [:]
  if let path = arguments.value("asreview") {
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
    var childArguments = ["bench", "simulate-worker", "--input", input, "--model", model.rawValue, "--base", Defaults.base(arguments).path]
    for option in ["embedding-cache", "review-title"] { if let v = arguments.value(option) { childArguments += ["--\(option)", v] } }
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
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    Terminal.out(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
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
