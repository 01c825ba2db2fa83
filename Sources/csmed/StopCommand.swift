import CLIKit
import Foundation
import HTMLPage
import Screening
import Workflows

let stopCommand = Command(
  spec: CommandSpec(
    name: "csmed stop", abstract: "Ask every stopping rule whether screening can stop now.",
    options: [
      OptionSpec("labels", value: "file", help: "CSV order,document_id,label[,score][,sample] of the screening so far."),
      OptionSpec("total", value: "n", help: "Records in the review (default: rows in the file)."),
      OptionSpec("rules", value: "list", help: "e.g. knee,budget,target:10,quant,quantci,hypergeometric,fraction:0.5,consecutive:100"),
      OptionSpec("target-recall", value: "r", help: "Recall the rules aim for (default 0.95)."),
      OptionSpec("format", value: "table|json", help: "Output format (default table)."),
      OptionSpec("html", value: "page", help: "Write the labels and the advice into this page of `csmed screen --html` (in place)."),
    ],
    discussion: """
      Rows without an order are records not yet screened (their scores feed Quant). Exit status 0 either way.
      The labels a screening page exports are such a file: the labelled records in rank order.
      """),
  run: { arguments in
    let targetRecall = try arguments.value("target-recall").map { text -> Double in
      guard let value = Double(text), value > 0, value <= 1 else {
        throw UsageError("--target-recall expects a number in (0, 1], got '\(text)'", command: "csmed stop")
      }
      return value
    } ?? 0.95
    let labelsFile = try arguments.require("labels")
    let answer = try StopWorkflow.decide(
      labels: URL(fileURLWithPath: labelsFile),
      total: arguments.value("total") == nil ? nil : try arguments.int("total", default: 0, in: 1...Int.max),
      rules: arguments.value("rules"), targetRecall: targetRecall)
    if try arguments.choice("format", default: StopFormat.table) == .json {
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
    if let path = arguments.value("html") {
      let url = URL(fileURLWithPath: path)
      let (page, unknown) = try PageWorkflow.feedBack(answer, labelsFile: labelsFile, into: url)
      // Written whole to a temporary file and renamed, so a failure leaves the page as it was.
      try OutputFile.stream(to: url) { sink in try page.write(to: sink) }
      if unknown > 0 { Terminal.err("warning: \(unknown) label(s) name records the page does not list; left out\n") }
      Terminal.err("advice written into \(path)\n")
    }
  })

enum StopFormat: String, CaseIterable { case table, json }
