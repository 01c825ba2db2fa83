import Adapters
import CLIKit
import Corpus
import Foundation
import Workflows

let benchCommand = Command(
  spec: CommandSpec(
    name: "csmed bench", abstract: "Measure the encoder and the adapters' train steps (use a release build).",
    options: [
      Defaults.baseOption, OptionSpec("runs", value: "n", help: "Timed runs after one warm-up; the median is reported (default 5)."),
      Defaults.databaseOption,
      OptionSpec("review", value: "id", help: "Real abstracts for documents/s (default clef_tar2017/CD009944, if in --db)."),
      OptionSpec("adapters", value: "list", help: "Methods for `bench adapters` (default all ten)."),
      OptionSpec("format", value: "table|json", help: "Output format (default table)."),
    ] + AdapterFlags.options,
    positionals: [PositionalSpec("target", help: "What to measure: encoder or adapters.")],
    discussion: """
      encoder: forward tokens/s at 32x256, full fine-tune train-step tokens/s at 16x256, documents/s on real
      abstracts with dynamic padding, peak RSS, and an sgemm baseline from the same process.
      adapters: the train step at 16x256 (classifier head, AdamW) per method, each in its own process so that
      peak RSS is per method; LoRA-family defaults r=8 on query,value.
      benchmarks/pytorch_reference.py measures the same figures with torch + transformers + peft.
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
    case "adapter-worker":
      // One method in this process (spawned by `bench adapters`): prints one JSON object.
      let adapter = try AdapterFlags.configuration(arguments, command: "csmed bench", seed: 0)
      let figure = try BenchWorkflow.adapter(adapter, base: Defaults.base(arguments), runs: runs)
      Terminal.out(String(decoding: try JSONEncoder().encode(figure), as: UTF8.self) + "\n")
    default:
      throw UsageError("unknown benchmark '\(arguments.positionals.first ?? "")' (known: encoder, adapters)", command: "csmed bench")
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
