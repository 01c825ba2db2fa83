import Foundation
import Testing

@testable import Evaluation

/// Bad input: each case throws (or warns) with the file and line, and nothing crashes.
@Suite("Bad input")
struct BadInputTests {
  func error(_ body: () throws -> Void) -> EvaluationError? {
    do {
      try body()
      return nil
    } catch {
      return error as? EvaluationError
    }
  }

  @Test("a run line with the wrong number of fields")
  func wrongFieldCount() {
    let e = error { _ = try RunReader.read("T 0 a 1 0.5 x\nT 0 b 2 0.4\n", file: "run.txt") }
    #expect(e == .wrongFieldCount(file: "run.txt", line: 2, expected: 6, found: 5))
    #expect(e?.description == "run.txt:2: expected 6 whitespace-separated fields, found 5")
  }

  @Test("a non-numeric score")
  func nonNumericScore() {
    let e = error { _ = try RunReader.read("T Q0 a 1 high tag\n", file: "run.trec") }
    #expect(e == .invalidNumber(file: "run.trec", line: 1, field: "score", found: "high"))
    #expect(e?.description == "run.trec:1: expected a number in field 'score', found 'high'")
    let csv = error {
      _ = try RunReader.read("review_id,document_id,rank,score\nR,a,1,abc\n", file: "r.csv")
    }
    #expect(csv == .invalidNumber(file: "r.csv", line: 2, field: "score", found: "abc"))
  }

  @Test("an action outside 0, 1, AF, NF, NS")
  func badAction() {
    let e = error { _ = try RunReader.read("T 0 a 1 1 x\nT 2 b 2 1 x\n", file: "run.txt") }
    #expect(e?.description == "run.txt:2: expected 0, 1, AF, NF or NS in field 'action', found '2'")
  }

  @Test("a topic absent from the labels")
  func topicAbsent() throws {
    let run = try RunReader.read("T1 0 a 1 1 x\nT9 0 b 1 1 x\n", file: "run.txt")
    let labels = try QrelsReader.read("T1 0 a 1\n", file: "qrels.txt")
    let e = error { _ = try Evaluator.evaluate(run, labels: labels) }
    #expect(e == .reviewNotInLabels(file: "run.txt", line: 2, reviewID: "T9", labelsFile: "qrels.txt"))
    #expect(
      e?.description
        == "run.txt:2: review 'T9' has no labels in qrels.txt: expected every review of the run to be labelled")
    // With the CLEF policy the topic is skipped with a note instead.
    let report = try Evaluator.evaluate(
      run, labels: labels, options: EvaluationOptions(unlabelledReviews: .skip))
    #expect(report.reviews.count == 1)
    #expect(report.notes.contains { $0.contains("'T9' skipped") })
  }

  @Test("duplicate documents are ignored with a warning naming both lines")
  func duplicates() throws {
    let run = try RunReader.read("T 0 a 1 1 x\nT 0 b 2 1 x\nT 0 a 3 1 x\n", file: "run.txt")
    let labels = try QrelsReader.read("T 0 a 0\nT 0 b 1\n", file: "qrels.txt")
    let report = try Evaluator.evaluate(run, labels: labels)
    let review = try #require(report.reviews.first)
    #expect(review.ranking.relevance == [false, true])
    #expect(review.duplicateDocumentIDs == ["a"])
    #expect(
      report.warnings == [
        "run.txt:3: review 'T': document 'a' ranked again (first at line 1); ignored, as the CLEF script does"
      ])
  }

  @Test("an empty run")
  func emptyRun() {
    for contents in ["", "\n  \n"] {
      let e = error { _ = try RunReader.read(contents, file: "empty.txt") }
      #expect(e == .emptyInput(file: "empty.txt", expected: "a run with at least one ranked document"))
    }
    let header = error { _ = try RunReader.read("review_id,document_id,rank,score\n", file: "e.csv") }
    #expect(header?.description.hasPrefix("e.csv:1: empty input") == true)
    #expect(error { _ = try RunReader.read("", file: "e.trec", format: .trec) } != nil)
  }

  @Test("malformed CSV and missing columns")
  func malformedCSV() {
    let missing = error { _ = try RunReader.read("review_id,document_id,score\nR,a,1\n", file: "r.csv") }
    #expect(
      missing?.description
        == "r.csv:1: expected a column 'rank' in the header, found columns 'review_id', 'document_id', 'score'")
    let quote = error {
      _ = try RunReader.read("review_id,document_id,rank,score\nR,\"a,1,1\n", file: "r.csv")
    }
    #expect(quote == .malformedCSV(file: "r.csv", line: 2, reason: "expected a closing quote, found the end of the file"))
    let width = error { _ = try RunReader.read("review_id,document_id,rank,score\nR,a,1\n", file: "r.csv") }
    #expect(width?.description == "r.csv:2: malformed CSV: expected 4 fields like the header, found 3")
  }

  @Test("an unrecognisable run, malformed qrels, bad options")
  func otherErrors() {
    let unknown = error { _ = try RunReader.read("hello world\n", file: "x.txt") }
    #expect(unknown?.description.hasPrefix("x.txt:1: cannot detect the run format") == true)
    let qrels = error { _ = try QrelsReader.read("T 0 a\n", file: "q.txt") }
    #expect(qrels == .wrongFieldCount(file: "q.txt", line: 1, expected: 4, found: 3))
    let grade = error { _ = try QrelsReader.read("T 0 a yes\n", file: "q.txt") }
    #expect(grade == .invalidNumber(file: "q.txt", line: 1, field: "relevance", found: "yes"))
    let option = error { try EvaluationOptions(recallTargets: [1.5]).validate() }
    #expect(option == .invalidOption(name: "recall", expected: "values in (0, 1]", found: "1.5"))
  }
}
