import Corpus
import Evaluation
import Foundation
import Testing
import TestSupport

@testable import Workflows

@Suite struct EvaluateWorkflowTests {
  @Test("labels from the meta-dataset match runs that name documents by PMID or source id")
  func databaseLabels() throws {
    let fixture = try FixtureMirror()
    _ = try BuildWorkflow.run(fixture.options())
    // ADHD (full text): 101 included; "3" has no PMID and is named by its source id.
    let run = try TestSupport.write(
      "review_id,document_id,rank,score\ncohen2006/ADHD,102,1,0.9\ncohen2006/ADHD,101,2,0.8\ncohen2006/ADHD,3,3,0.1\n",
      to: "run.csv", in: fixture.root)
    let reports = try EvaluateWorkflow.evaluate(.init(runs: [run], labels: .database(fixture.database, stage: .fullText)))
    let review = try #require(reports.first?.reviews.first)
    #expect(review.ranking.relevantCount == 1 && review.ranking.candidateCount == 3)
    #expect(reports[0].mean(named: "last_rel") == 2)
    // Title/abstract labels: 101 and 102 included, so the first two ranks hold both.
    let ta = try EvaluateWorkflow.evaluate(.init(runs: [run], labels: .database(fixture.database, stage: .titleAbstract)))
    #expect(ta[0].mean(named: "wss@100").map { abs($0 - 1.0 / 3) < 1e-12 } == true)
  }

  @Test("rels-only qrels are completed from a folder of CLEF topic files")
  func topics() throws {
    let folder = try TestSupport.temporaryDirectory()
    let qrels = try TestSupport.write("CD1 0 11 1\r\n", to: "qrels", in: folder)
    try TestSupport.write("Topic: CD1\n\nTitle: T\n\nPids:\n    10\n    11\n    12\n    13\n", to: "topics/CD1", in: folder)
    let run = try TestSupport.write("CD1 Q0 10 1 4 r\nCD1 Q0 11 2 3 r\nCD1 Q0 12 3 2 r\nCD1 Q0 13 4 1 r\n", to: "run.trec", in: folder)
    let reports = try EvaluateWorkflow.evaluate(.init(runs: [run], labels: .qrels(qrels, topics: folder.appendingPathComponent("topics"))))
    #expect(reports[0].reviews.first?.ranking.candidateCount == 4)
    #expect(reports[0].mean(named: "last_rel") == 2)
  }

  @Test("two runs compare with paired tests; a missing run file is a missing input")
  func compareAndErrors() throws {
    let folder = try TestSupport.temporaryDirectory()
    var qrels = "", good = "", bad = ""
    for topic in 1...6 {
      for document in 1...10 {
        qrels += "T\(topic) 0 d\(document) \(document <= 2 ? 1 : 0)\n"
        good += "T\(topic) Q0 d\(document) \(document) \(100 - document) good\n"
        bad += "T\(topic) Q0 d\(document) \(document) \(document) bad\n"
      }
    }
    let labels = EvaluateWorkflow.LabelSource.qrels(try TestSupport.write(qrels, to: "q", in: folder), topics: nil)
    let report = try EvaluateWorkflow.compare(
      try TestSupport.write(good, to: "good.trec", in: folder), try TestSupport.write(bad, to: "bad.trec", in: folder),
      labels: labels, evaluation: EvaluationOptions(), seed: 7)
    let ap = try #require(report.metrics.first { $0.name == "ap" })
    #expect(ap.meanA == 1 && ap.meanDifference > 0 && ap.reviewCount == 6)
    #expect(throws: WorkflowError.missingInput(path: folder.appendingPathComponent("none.trec").path)) {
      _ = try EvaluateWorkflow.evaluate(.init(runs: [folder.appendingPathComponent("none.trec")], labels: labels))
    }
  }
}
