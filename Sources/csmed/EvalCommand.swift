import CLIKit
import Corpus
import Evaluation
import Foundation
import Workflows

let evalCommand = Command(
  spec: CommandSpec(
    name: "csmed eval", abstract: "Evaluate rankings with the screening community's metrics.",
    options: [
      OptionSpec("run", value: "file", help: "A ranking: csmed CSV, TREC run or CLEF TAR run (repeatable).", repeated: true),
      OptionSpec("qrels", value: "file", help: "TREC/CLEF qrels with the labels."),
      OptionSpec("topics", value: "dir", help: "CLEF topic files that complete rels-only qrels."),
      Defaults.databaseOption,
      OptionSpec("stage", value: "ta|ft", help: "Labels of this stage from --db (default ta)."),
      OptionSpec("format", value: "table|json|csv|clef", help: "Output format (default table)."),
      OptionSpec("wss-convention", value: "clef|asreview|cohen", help: "How WSS@r counts r·R (default clef)."),
      OptionSpec("k", value: "list", help: "Rank cut-offs for recall@k (default 50,100,...,5000)."),
      OptionSpec("recall", value: "list", help: "Recall targets for WSS, TNR, nPrecision (default 0.95,1.0)."),
      OptionSpec("plot", value: "file.svg", help: "Write the recall curves of all runs as SVG."),
      OptionSpec("side-by-side", value: "metrics", help: "One row per run with these metrics (default with several runs: recall@k, wss@95, wss@100, tnr@95, last_rel, ap)."),
      OptionSpec("compare", value: "A B", help: "Paired comparison of two runs (Wilcoxon and randomization).", repeated: true),
      OptionSpec("skip-unlabelled", help: "Skip reviews missing from the labels instead of failing."),
      OptionSpec("seed", value: "n", help: "Seed of the randomization test (default 20240126)."),
      OptionSpec("output", value: "file", help: "Write the report here instead of stdout.", short: "o"),
    ],
    discussion: """
      Labels come from --qrels (values 1 and 2 relevant, 3 and 4 ignored, as the CLEF scripts) or from the
      meta-dataset (--db, with run review ids such as sas2010/copd or CD010705).
      --format clef prints the lines of CLEF TAR 2018's tar_eval_2018.py for comparison with published tables.
      """),
  run: { arguments in
    let labels: EvaluateWorkflow.LabelSource
    if let qrels = arguments.value("qrels") {
      labels = .qrels(URL(fileURLWithPath: qrels), topics: arguments.value("topics").map { URL(fileURLWithPath: $0) })
    } else {
      labels = .database(Defaults.database(arguments), stage: try arguments.choice("stage", default: Stage.titleAbstract))
    }
    var evaluation = EvaluationOptions()
    evaluation.wssConvention = try arguments.choice("wss-convention", default: WSSConvention.clef)
    if let k = arguments.list("k") { evaluation.rankCutoffs = try k.map { try number($0, "k", Int.init) } }
    if let recall = arguments.list("recall") { evaluation.recallTargets = try recall.map { try number($0, "recall", Double.init) } }
    if arguments.flag("skip-unlabelled") { evaluation.unlabelledReviews = .skip }
    let seed = UInt64(try arguments.int("seed", default: 20_240_126, in: 0...Int.max))

    let text: String
    let compare = arguments.values("compare")
    if !compare.isEmpty {
      guard compare.count == 2 else { throw UsageError("--compare takes exactly two run files", command: "csmed eval") }
      let report = try EvaluateWorkflow.compare(
        URL(fileURLWithPath: compare[0]), URL(fileURLWithPath: compare[1]), labels: labels, evaluation: evaluation, seed: seed)
      text = PairedComparison.table(report)
    } else {
      let format = try arguments.choice("format", default: ReportFormat.table)
      let reports = try EvaluateWorkflow.evaluate(
        EvaluateWorkflow.Options(runs: arguments.values("run").map { URL(fileURLWithPath: $0) }, labels: labels, evaluation: evaluation))
      if format == .table, reports.count > 1 || arguments.value("side-by-side") != nil {
        // One row per run: the comparison a reader wants first.
        let metrics = arguments.list("side-by-side")
          ?? evaluation.rankCutoffs.map { "recall@\($0)" } + ["recall@10%", "wss@95", "wss@100", "tnr@95", "last_rel", "ap"]
        let rows = reports.map { report in
          [report.runName, String(report.reviews.count)]
            + metrics.map { name in
              report.summary.first { $0.name == name }?.mean.map { String(format: name == "last_rel" ? "%.1f" : "%.4f", $0) } ?? "-"
            }
        }
        text = Render.table(["run", "reviews"] + metrics, rows)
      } else {
        text = reports.map { ReportRenderer.render($0, as: format) }.joined(separator: format == .table ? "\n" : "")
      }
      for report in reports {
        for warning in report.warnings { Terminal.err("warning: \(warning)\n") }
      }
      if let plot = arguments.value("plot") {
        try OutputFile.write(EvaluateWorkflow.plot(reports, wssTarget: evaluation.recallTargets.first ?? 0.95), to: URL(fileURLWithPath: plot))
      }
    }
    if let output = arguments.value("output") {
      try OutputFile.write(text, to: URL(fileURLWithPath: output))
    } else {
      Terminal.out(text)
    }
  })

private func number<T>(_ text: String, _ option: String, _ parse: (String) -> T?) throws -> T {
  guard let value = parse(text) else { throw UsageError("--\(option): '\(text)' is not a number", command: "csmed eval") }
  return value
}
