import CLIKit
import Corpus
import Evaluation
import Foundation
import Workflows

private enum Eval {
  static let runs = Option(repeated: "run", value: "file", help: "A ranking: csmed CSV, TREC run or CLEF TAR run (repeatable).")
  static let qrels = Option<URL?>(path: "qrels", value: "file", help: "TREC/CLEF qrels with the labels.")
  static let topics = Option<URL?>(path: "topics", value: "dir", help: "CLEF topic files that complete rels-only qrels.")
  static let stage = Shared.stage(help: "Labels of this stage from --db.")
  static let format = Option("format", help: "Output format.", default: ReportFormat.table)
  static let wssConvention = Option("wss-convention", help: "How WSS@r counts r·R.", default: EvaluationOptions().wssConvention)
  static let cutoffs = Option(
    "k", value: "list", help: "Rank cut-offs for recall@k (default \(shortList(EvaluationOptions().rankCutoffs))).",
    expects: "comma-separated whole numbers", parse: { numbers($0, Int.init) })
  static let recallTargets = Option(
    "recall", value: "list", help: "Recall targets for WSS, TNR, nPrecision (default \(shortList(EvaluationOptions().recallTargets))).",
    expects: "comma-separated numbers", parse: { numbers($0, Double.init) })
  static let plot = Option<URL?>(path: "plot", value: "file.svg", help: "Write the recall curves of all runs as SVG.")
  static let sideBySide = Option(
    list: "side-by-side", value: "metrics",
    help: "One row per run with these metrics (default with several runs: recall@k, wss@95, wss@100, tnr@95, last_rel, ap).")
  static let compare = Option(repeated: "compare", value: "A B", help: "Paired comparison of two runs (Wilcoxon and randomization).")
  static let skipUnlabelled = Flag("skip-unlabelled", help: "Skip reviews missing from the labels instead of failing.")
  static let seed = Option("seed", value: "n", help: "Seed of the randomization test.", default: PairedComparison.defaultSeed, in: 0...UInt64.max)
  static let output = Shared.output(help: "Write the report here instead of stdout.")

  /// "50,100,...,5000": a default list, its first two and its last.
  static func shortList(_ values: [some CustomStringConvertible]) -> String {
    let texts = values.map(\.description)
    return texts.count > 3 ? "\(texts[0]),\(texts[1]),...,\(texts[texts.count - 1])" : texts.joined(separator: ",")
  }

  /// Every comma-separated item of `text` parsed, nil when one does not parse.
  static func numbers<T>(_ text: String, _ parse: (String) -> T?) -> [T]? {
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let parsed = items.compactMap(parse)
    return parsed.count == items.count ? parsed : nil
  }
}

let evalCommand = Command(
  spec: CommandSpec(
    name: "csmed eval", abstract: "Evaluate rankings with the screening community's metrics.",
    options: [
      Eval.runs, Eval.qrels, Eval.topics, Shared.database, Eval.stage, Eval.format, Eval.wssConvention, Eval.cutoffs, Eval.recallTargets,
      Eval.plot, Eval.sideBySide, Eval.compare, Eval.skipUnlabelled, Eval.seed, Eval.output,
    ],
    discussion: """
      Labels come from --qrels (values 1 and 2 relevant, 3 and 4 ignored, as the CLEF scripts) or from the
      meta-dataset (--db, with run review ids such as sas2010/copd or CD010705).
      --format clef prints the lines of CLEF TAR 2018's tar_eval_2018.py for comparison with published tables.
      """),
  run: { arguments in
    let labels: EvaluateWorkflow.LabelSource
    if let qrels = try arguments[Eval.qrels] {
      labels = .qrels(qrels, topics: try arguments[Eval.topics])
    } else {
      labels = .database(try arguments[Shared.database], stage: try arguments[Eval.stage])
    }
    var evaluation = EvaluationOptions()
    evaluation.wssConvention = try arguments[Eval.wssConvention]
    if let k = try arguments[Eval.cutoffs] { evaluation.rankCutoffs = k }
    if let recall = try arguments[Eval.recallTargets] { evaluation.recallTargets = recall }
    if arguments[Eval.skipUnlabelled] { evaluation.unlabelledReviews = .skip }
    let seed = try arguments[Eval.seed]

    let text: String
    let compare = try arguments[Eval.compare]
    if !compare.isEmpty {
      guard compare.count == 2 else { throw UsageError("--compare takes exactly two run files", command: "csmed eval") }
      let report = try EvaluateWorkflow.compare(
        URL(fileURLWithPath: compare[0]), URL(fileURLWithPath: compare[1]), labels: labels, evaluation: evaluation, seed: seed)
      text = PairedComparison.table(report)
    } else {
      let format = try arguments[Eval.format]
      let reports = try EvaluateWorkflow.evaluate(
        EvaluateWorkflow.Options(runs: try arguments[Eval.runs].map { URL(fileURLWithPath: $0) }, labels: labels, evaluation: evaluation))
      let sideBySide = try arguments[Eval.sideBySide]
      if format == .table, reports.count > 1 || sideBySide != nil {
        // One row per run: the comparison a reader wants first.
        let metrics = sideBySide
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
      if let plot = try arguments[Eval.plot] {
        try OutputFile.write(EvaluateWorkflow.plot(reports, wssTarget: evaluation.recallTargets.first ?? 0.95), to: plot)
      }
    }
    try OutputFile.writeOrPrint(text, to: try arguments[Eval.output])
  })
