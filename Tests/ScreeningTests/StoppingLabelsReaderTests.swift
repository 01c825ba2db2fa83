import Foundation
import Testing

@testable import Screening

@Suite struct StoppingLabelsReaderTests {
  @Test("a minimal log: order, document id, label; rows may come in any order")
  func minimal() throws {
    let log = try StoppingLabelsReader.parse("order,document_id,label\n2,b,0\n1,a,1\r\n3,\"c,1\",0\n", file: "log.csv")
    #expect(log.screened.map(\.documentID) == ["a", "b", "c,1"])
    let state = try log.progress(total: 10)
    #expect(state.labels == [true, false, false])
    #expect(state.total == 10)
    #expect(state.scores == nil)
    #expect(state.randomlyDrawn == nil)
    #expect(state.targetSample == nil)
    #expect(try log.progress().total == 3)
  }

  @Test("scores for every record, random draws and a target sample")
  func full() throws {
    let text = """
      \u{FEFF}Order,Document_ID,Label,Score,Sample
      1,a,1,0.9,
      2,b,0,0.6,model
      3,c,1,0.2,target
      4,d,0,0.1,random
      ,e,,0.05,
      ,f,1,0.3,target
      ,g,0,0.01,target
      """
    let log = try StoppingLabelsReader.parse(text, file: "log.csv")
    let state = try log.progress()
    #expect(state.labels == [true, false, true, false])
    #expect(state.total == 7)
    #expect(state.scores == [0.9, 0.6, 0.2, 0.1])
    #expect(state.unscreenedScores == [0.05, 0.3, 0.01])
    #expect(state.randomlyDrawn == [false, false, false, true])
    #expect(state.targetSample == TargetSample(size: 3, relevantCount: 2, screenedCount: 1, relevantScreenedCount: 1))
    // Scores of the unscreened records are only used when they cover all N − n.
    #expect(try log.progress(total: 8).unscreenedScores == nil)
    #expect(throws: StoppingError.self) { try log.progress(total: 6) }
  }

  struct BadCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var error: StoppingError
    var testDescription: String { name }
  }

  static let badCases: [BadCase] = [
    BadCase(
      name: "empty file", text: "",
      error: .emptyInput(file: "f.csv", expected: "a header 'order,document_id,label[,score]' and records")),
    BadCase(
      name: "header only", text: "order,document_id,label\n",
      error: .emptyInput(file: "f.csv", expected: "at least one record after the header")),
    BadCase(
      name: "missing label column", text: "order,document_id,score\n1,a,0.5\n",
      error: .missingColumn(file: "f.csv", line: 1, column: "label", header: ["order", "document_id", "score"])),
    BadCase(
      name: "wrong field count", text: "order,document_id,label\n1,a,1\n2,b\n",
      error: .malformedCSV(file: "f.csv", line: 3, reason: "expected 3 fields as in the header, found 2")),
    BadCase(
      name: "label not 0 or 1", text: "order,document_id,label\n1,a,yes\n",
      error: .invalidValue(
        file: "f.csv", line: 2, field: "label", expected: "0 or 1 (or empty for an unscreened record)", found: "yes")),
    BadCase(
      name: "screened record without label", text: "order,document_id,label\n1,a,\n",
      error: .invalidValue(
        file: "f.csv", line: 2, field: "label", expected: "0 or 1 for a screened record (order 1)", found: "")),
    BadCase(
      name: "order not a positive integer", text: "order,document_id,label\n0,a,1\n",
      error: .invalidValue(
        file: "f.csv", line: 2, field: "order", expected: "a positive integer (or empty for an unscreened record)",
        found: "0")),
    BadCase(
      name: "duplicate order", text: "order,document_id,label\n1,a,1\n1,b,0\n",
      error: .duplicateValue(file: "f.csv", line: 3, field: "order", value: "1", firstLine: 2)),
    BadCase(
      name: "duplicate document id", text: "order,document_id,label\n1,a,1\n2,a,0\n",
      error: .duplicateValue(file: "f.csv", line: 3, field: "document_id", value: "a", firstLine: 2)),
    BadCase(
      name: "gap in the orders", text: "order,document_id,label\n1,a,1\n3,b,0\n",
      error: .gapInOrder(file: "f.csv", expected: 2, found: 3, line: 3)),
    BadCase(
      name: "score not a number", text: "order,document_id,label,score\n1,a,1,high\n",
      error: .invalidValue(file: "f.csv", line: 2, field: "score", expected: "a finite number", found: "high")),
    BadCase(
      name: "unknown sample", text: "order,document_id,label,sample\n1,a,1,lucky\n",
      error: .invalidValue(
        file: "f.csv", line: 2, field: "sample", expected: "empty, 'model', 'random' or 'target'", found: "lucky")),
    BadCase(
      name: "labelled record without order", text: "order,document_id,label\n1,a,1\n,b,0\n",
      error: .invalidValue(
        file: "f.csv", line: 3, field: "order",
        expected: "an order for a labelled record (only target-sample records may be labelled without one)", found: "")),
    BadCase(
      name: "unterminated quote", text: "order,document_id,label\n1,\"a,1\n",
      error: .malformedCSV(file: "f.csv", line: 2, reason: "expected a closing quote, found the end of the file")),
    BadCase(
      name: "quote inside a field", text: "order,document_id,label\n1,a\"b,1\n",
      error: .malformedCSV(
        file: "f.csv", line: 2, reason: "expected a quote only at the start of a field, found one inside")),
  ]

  @Test("bad input names the file, line and problem", arguments: badCases)
  func bad(_ c: BadCase) {
    #expect(throws: c.error) { try StoppingLabelsReader.parse(c.text, file: "f.csv") }
  }

  @Test("messages read as file:line: expected …, found …")
  func messages() {
    #expect(
      StoppingError.invalidValue(file: "f.csv", line: 2, field: "label", expected: "0 or 1", found: "yes").description
        == "f.csv:2: expected 0 or 1 in field 'label', found 'yes'")
    #expect(
      StoppingError.gapInOrder(file: "f.csv", expected: 2, found: 3, line: 3).description
        == "f.csv:3: expected the screened records to have orders 1, 2, 3, … without gaps, found order 3 where 2 was expected"
    )
  }

  @Test("reading a file from disk, and a missing file")
  func disk() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "stopping-\(UInt64.random(in: 0...UInt64.max)).csv")
    try "order,document_id,label\n1,a,1\n".write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(try StoppingLabelsReader.read(contentsOf: url.path).entries.count == 1)
    #expect(throws: StoppingError.self) { try StoppingLabelsReader.read(contentsOf: url.path + ".missing") }
  }
}
