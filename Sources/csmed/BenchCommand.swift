import CLIKit
import Corpus
import Foundation
import Workflows

let benchCommand = Command(
  spec: CommandSpec(
    name: "csmed bench", abstract: "Measure the encoder: forward, train step and documents/s (use a release build).",
    options: [
      Defaults.baseOption, OptionSpec("runs", value: "n", help: "Timed runs after one warm-up; the median is reported (default 5)."),
      Defaults.databaseOption,
      OptionSpec("review", value: "id", help: "Real abstracts for documents/s (default clef_tar2017/CD009944, if in --db)."),
    ],
    positionals: [PositionalSpec("target", help: "What to measure: encoder.")],
    discussion: "PyTorch on the same 2 cores (platform probe): forward 32x256 ~3,900 tokens/s, full fine-tune step 16x256\n~1,250 tokens/s, 19.6 documents/s on CD009944. scripts/pytorch_forward_bench.py measures it beside csmed."),
  run: { arguments in
    guard arguments.positionals.first == "encoder" else {
      throw UsageError("unknown benchmark '\(arguments.positionals.first ?? "")' (known: encoder)", command: "csmed bench")
    }
    var documents: [String]?
    let database = Defaults.database(arguments)
    if FileManager.default.fileExists(atPath: database.path) {
      let review = try? ReviewSource.database(database, review: arguments.value("review") ?? "clef_tar2017/CD009944", stage: .titleAbstract).load()
      documents = review.map { review in review.records.indices.map(review.text(of:)) }
    }
    let report = try BenchWorkflow.encoder(
      .init(base: Defaults.base(arguments), runs: try arguments.int("runs", default: 5, in: 1...100), documents: documents),
      progress: ProgressBar().handler)
    var text = Render.table(
      ["measure", "median s", "runs (s)", "per second"],
      report.figures.map {
        [$0.name, String(format: "%.3f", $0.medianSeconds), $0.allSeconds.map { String(format: "%.2f", $0) }.joined(separator: " "),
         String(format: "%.0f %@", $0.perSecond, $0.unit)]
      })
    text += String(format: "\nforward: %.0f GFLOP/s effective; sgemm 8192x1536x384 alone: %.0f GFLOP/s (%.0f%%)\n",
      report.forwardGFLOPS, report.sgemmGFLOPS, 100 * report.forwardGFLOPS / report.sgemmGFLOPS)
    Terminal.out(text)
  })
