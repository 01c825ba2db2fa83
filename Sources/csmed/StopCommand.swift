import CLIKit
import Foundation
import HTMLPage
import Screening
import Workflows

private enum Stop {
  static let labels = Option<String?>("labels", value: "file", help: "CSV order,document_id,label[,score][,sample] of the screening so far.")
  static let total = Option<Int?>("total", value: "n", help: "Records in the review (default: rows in the file).", in: 1...Int.max)
  static let rules = Shared.rules(help: "e.g. knee,budget,target:10,quant,quantci,hypergeometric,fraction:0.5,consecutive:100")
  static let targetRecall = Shared.targetRecall(
    help: "Recall the rules aim for.", default: WorkflowDefaults.simulate.targetRecall)
  static let html = Option<URL?>(
    path: "html", value: "page", help: "Write the labels and the advice into this page of `csmed screen --html` (in place).")
}

let stopCommand = Command(
  spec: CommandSpec(
    name: "csmed stop", abstract: "Ask every stopping rule whether screening can stop now.",
    options: [Stop.labels, Stop.total, Stop.rules, Stop.targetRecall, Shared.tableFormat, Stop.html],
    discussion: """
      Rows without an order are records not yet screened (their scores feed Quant). Exit status 0 either way.
      The labels a screening page exports are such a file: the labelled records in rank order.
      """),
  run: { arguments in
    let labelsFile = try arguments.required(Stop.labels)
    let answer = try StopWorkflow.decide(
      labels: URL(fileURLWithPath: labelsFile), total: try arguments[Stop.total], rules: try arguments[Stop.rules],
      targetRecall: try arguments[Stop.targetRecall])
    if try arguments[Shared.tableFormat] == .json {
      struct Row: Encodable { var rule: String; var verdict: String; var reason: String }
      struct Output: Encodable { var screened: Int; var relevantFound: Int; var total: Int; var rules: [Row] }
      Terminal.out(try Render.json(Output(
        screened: answer.screened, relevantFound: answer.relevantFound, total: answer.total,
        rules: answer.decisions.map { Row(rule: $0.rule, verdict: $0.decision.verdict.rawValue, reason: $0.decision.reason) })))
    } else {
      var text = "screened \(answer.screened) of \(answer.total), \(answer.relevantFound) relevant found\n\n"
      text += Render.table(["rule", "verdict", "why"], answer.decisions.map { [$0.rule, $0.decision.verdict.rawValue, $0.decision.reason] })
      Terminal.out(text)
    }
    if let url = try arguments[Stop.html] {
      let (page, unknown) = try PageWorkflow.feedBack(answer, labelsFile: labelsFile, into: url)
      // Written whole to a temporary file and renamed, so a failure leaves the page as it was.
      try OutputFile.stream(to: url) { sink in try page.write(to: sink) }
      if unknown > 0 { Terminal.err("warning: \(unknown) label(s) name records the page does not list; left out\n") }
      Terminal.err("advice written into \(url.path)\n")
    }
  })
