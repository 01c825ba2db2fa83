import Foundation
import Testing

@testable import Evaluation

@Suite("Evaluator and ReportRenderer")
struct EvaluatorTests {
  /// Two reviews: R1 = `1010000100` (N 10, R 3), R2 = `0001000` (N 7, R 1), R0 has no relevant.
  func report(options: EvaluationOptions = EvaluationOptions()) throws -> EvaluationReport {
    var runLines: [String] = []
    var qrelLines: [String] = []
    for (review, pattern) in [("R1", "1010000100"), ("R0", "00000"), ("R2", "0001000")] {
      for (index, flag) in pattern.enumerated() {
        runLines.append("\(review) Q0 \(review)-\(index) \(index + 1) \(100 - index) tag")
        qrelLines.append("\(review) 0 \(review)-\(index) \(flag)")
      }
    }
    let run = try RunReader.read(runLines.joined(separator: "\n"), file: "run.trec")
    let labels = try QrelsReader.read(qrelLines.joined(separator: "\n"), file: "qrels.txt")
    return try Evaluator.evaluate(run, labels: labels, options: options)
  }

  @Test("reviews with zero relevant are skipped with a note, as CLEF does")
  func zeroRelevantSkipped() throws {
    let report = try report()
    #expect(report.reviews.map(\.reviewID) == ["R1", "R2"])
    #expect(report.outcomes.count == 3)
    #expect(
      report.notes == [
        "review 'R0' skipped: no relevant documents (grade 1 or 2) in the labels, as the CLEF script skips it"
      ])
    #expect(ReportRenderer.clef(report).contains("Skipping topic: R0\n"))
  }

  @Test("macro averages over reviews; undefined values are left out, not zero")
  func macroAverages() throws {
    let report = try report(options: EvaluationOptions(rankCutoffs: [5], recallTargets: [0.95, 0.5]))
    expectClose(report.mean(named: "ap"), ((1 + 2.0 / 3 + 3.0 / 8) / 3 + 0.25) / 2)
    expectClose(report.mean(named: "wss@95"), (0.15 + (3.0 / 7 - 0.05)) / 2)
    expectClose(report.mean(named: "recall@5"), (2.0 / 3 + 1) / 2)
    expectClose(report.mean(named: "tnr@95"), (2.0 / 7 + 0.5) / 2)
    expectClose(report.mean(named: "mrr"), (1 + 0.25) / 2)
    #expect(report.summary.first { $0.name == "tnr@95" }?.reviewCount == 2)
    // Truncate R2 so that it never reaches 95% recall: TNR skips it, WSS counts it as 0.
    let truncated = JudgedRanking(pattern: "000", candidateCount: 7, relevantCount: 1)
    let results = [
      report.reviews[0],
      Evaluator.result(for: truncated, reviewID: "R2", options: report.options),
    ]
    let summary = Evaluator.summarize(results)
    #expect(summary.first { $0.name == "tnr@95" }?.reviewCount == 1)
    expectClose(summary.first { $0.name == "tnr@95" }?.mean, 2.0 / 7)
    expectClose(summary.first { $0.name == "wss@95" }?.mean, 0.15 / 2)  // CLEF: unreached = 0
  }

  @Test("the WSS convention is an option and is named in the output")
  func convention() throws {
    let report = try report(options: EvaluationOptions(wssConvention: .asreview))
    expectClose(report.reviews[0].wss[0.95], 0.3)
    #expect(ReportRenderer.table(report).contains("WSS convention: asreview"))
    #expect(ReportRenderer.json(report).contains("\"wss_convention\" : \"asreview\""))
  }

  @Test("table, JSON and CSV renderings")
  func renderings() throws {
    let report = try report(options: EvaluationOptions(rankCutoffs: [5], percentages: [50]))
    let table = ReportRenderer.table(report)
    #expect(table.contains("reviews: 2 evaluated, 1 skipped"))
    #expect(table.contains("recall@5"))
    let csv = ReportRenderer.csv(report)
    let lines = csv.split(separator: "\n")
    #expect(lines.count == 4)
    #expect(lines[0].hasPrefix("review_id,num_docs,num_rels,rels_found,recall@5,precision@5,f1@5,recall@50%"))
    #expect(lines[1].hasPrefix("R1,10,3,3,0.6666666666666666,0.4,0.5,"))
    #expect(lines[3].hasPrefix("ALL,"))
    let json = ReportRenderer.json(report)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect((object["reviews"] as? [Any])?.count == 2)
    #expect((object["skipped"] as? [Any])?.count == 1)
    let summary = try #require(object["summary"] as? [String: Any])
    let ap = try #require(summary["ap"] as? [String: Any])
    #expect(ap["reviews"] as? Int == 2)
  }

  @Test("documents not in the labels count as non-relevant and grow N, with one warning")
  func unlistedDocuments() throws {
    let run = try RunReader.read("T 0 a 1 1 x\nT 0 zz 2 1 x\nT 0 b 3 1 x\n", file: "run.txt")
    let labels = try QrelsReader.read("T 0 a 0\nT 0 b 1\n", file: "q.txt")
    let report = try Evaluator.evaluate(run, labels: labels)
    let review = try #require(report.reviews.first)
    #expect(review.ranking.relevance == [false, false, true])
    #expect(review.ranking.effectiveCount == 3)
    #expect(report.warnings.first?.hasPrefix("run.txt:2: review 'T': 1 ranked document(s) not in the labels") == true)
  }
}
