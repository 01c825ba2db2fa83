import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct DelimitedReaderTests {
  func rows(_ text: String, delimiter: Character = ",") throws -> [([String], Int)] {
    var rows: [([String], Int)] = []
    try DelimitedReader(delimiter: delimiter, file: "t.csv").forEachRow(in: Data(text.utf8)) { rows.append(($0, $1)) }
    return rows
  }

  @Test("quoted fields with commas, doubled quotes and embedded newlines")
  func quoting() throws {
    let result = try rows("a,b,c\n1,\"x, \"\"y\"\"\",\"line1\nline2\"\n2,z,\n")
    #expect(result.map(\.0) == [["a", "b", "c"], ["1", "x, \"y\"", "line1\nline2"], ["2", "z", ""]])
    #expect(result.map(\.1) == [1, 2, 4])
  }

  @Test("BOM, CRLF, blank lines and no final newline")
  func bomAndLineEnds() throws {
    let result = try rows("\u{FEFF}title,year\r\n\r\nA,2001\r\nB,2002")
    #expect(result.map(\.0) == [["title", "year"], ["A", "2001"], ["B", "2002"]])
    #expect(result.map(\.1) == [1, 3, 4])
  }

  @Test("tab-separated")
  func tabs() throws {
    #expect(try rows("a\tb\n1\t2 3\n", delimiter: "\t").map(\.0) == [["a", "b"], ["1", "2 3"]])
  }

  @Test("an unterminated quote names the line where the field opened")
  func unterminated() throws {
    #expect(throws: IngestError.malformed(file: "t.csv", line: 2, expected: "a closing quote", found: "the end of the file")) {
      _ = try rows("a,b\n1,\"never closed\n3,4\n")
    }
  }

  @Test("text after a closing quote is an error")
  func textAfterQuote() throws {
    #expect(throws: IngestError.self) { _ = try rows("a\n\"x\"y\n") }
  }
}

@Suite struct TabularRecordReaderTests {
  @Test("ASReview column aliases map to record fields")
  func aliases() throws {
    let csv = """
      record_id,primary_title,notes_abstract,PubMed ID,doi,authors,publication_year,included
      7,A title,An abstract,PMID: 00123,https://doi.org/10.1000/ABC,Smith J; Doe A,2019,1
      8,Other,,,,,,0
      """
    let records = try TabularRecordReader.parse(Data(csv.utf8), file: "x.csv")
    #expect(records.count == 2)
    #expect(records[0] == Record(
      sourceID: "7", pmid: "123", doi: "10.1000/abc", title: "A title", abstract: "An abstract", year: 2019,
      authors: ["Smith J", "Doe A"], label: 1, line: 2))
    #expect(records[1].label == 0 && records[1].abstract == "" && records[1].pmid == nil)
  }

  @Test("a truncated file (short last row) is reported with its line")
  func truncated() throws {
    let csv = "title,abstract,label_included\nA,B,1\nC,\"D"
    #expect(throws: IngestError.self) { _ = try TabularRecordReader.parse(Data(csv.utf8), file: "x.csv") }
    let short = "title,abstract,label_included\nA,B,1\nC,D\n"
    #expect(throws: IngestError.malformed(file: "x.csv", line: 3, expected: "3 fields as in the header", found: "2")) {
      _ = try TabularRecordReader.parse(Data(short.utf8), file: "x.csv")
    }
  }

  @Test("a label that is not a label is an error")
  func badLabel() throws {
    #expect(throws: IngestError.malformed(file: "x.csv", line: 2, expected: "a label 0/1 (or yes/no, included/excluded)", found: "'maybe'")) {
      _ = try TabularRecordReader.parse(Data("title,label_included\nA,maybe\n".utf8), file: "x.csv")
    }
  }

  @Test("a file without any text or id column is refused")
  func noUsefulColumns() throws {
    #expect(throws: IngestError.missingColumn(file: "x.csv", column: "title (or pmid/doi)", available: ["foo", "bar"])) {
      _ = try TabularRecordReader.parse(Data("foo,bar\n1,2\n".utf8), file: "x.csv")
    }
  }

  @Test("CSVWriter output reads back to the same records")
  func roundTrip() throws {
    let records = [
      Record(sourceID: "1", pmid: "42", doi: "10.1/x", title: "Commas, \"quotes\"", abstract: "Two\nlines", year: 2001,
             authors: ["A B", "C D"], venue: "J", keywords: ["k1", "k2"], label: 1, line: 2),
      Record(sourceID: "2", title: "Plain", abstract: "", label: 0, line: 4),
    ]
    let text = CSVWriter.write(records)
    #expect(try TabularRecordReader.parse(Data(text.utf8), file: "round.csv") == records)
  }
}

@Suite struct IdentifiersTests {
  @Test(arguments: [
    ("123", "123"), ("PMID: 0456", "456"), ("https://pubmed.ncbi.nlm.nih.gov/25174419", "25174419"),
    ("https://www.ncbi.nlm.nih.gov/pubmed/99", "99"), ("", nil), ("abc", nil), ("0", nil),
  ] as [(String, String?)])
  func pmid(raw: String, expected: String?) {
    #expect(Identifiers.pmid(raw) == expected)
  }

  @Test(arguments: [
    ("10.1000/ABC", "10.1000/abc"), ("https://doi.org/10.1080/15226514.2013.828011", "10.1080/15226514.2013.828011"),
    ("doi:10.5/x", "10.5/x"), ("not a doi", nil), ("", nil),
  ] as [(String, String?)])
  func doi(raw: String, expected: String?) {
    #expect(Identifiers.doi(raw) == expected)
  }

  /// Rows (or the error) of `text` fed to the incremental reader in pieces of `size` bytes.
  static func pieces(_ text: String, size: Int) -> Result<[DelimitedText.Row], DelimitedText.SyntaxError> {
    let bytes = Array(text.utf8)
    var reader = DelimitedText.RowReader()
    var rows: [DelimitedText.Row] = []
    do {
      for start in stride(from: 0, to: bytes.count, by: size) {
        try reader.feed(bytes[start..<min(start + size, bytes.count)]) { rows.append($0) }
      }
      try reader.finish { rows.append($0) }
      return .success(rows)
    } catch let error as DelimitedText.SyntaxError {
      return .failure(error)
    } catch {
      Issue.record("unexpected \(error)")
      return .success([])
    }
  }

  @Test("fed in pieces of any size, the tokenizer gives the rows (and errors) of the whole text")
  func incremental() throws {
    let texts = [
      "\u{FEFF}a,b,c\r\n1,\"x, \"\"y\"\"\",\"line1\r\nline2\"\r\n\r\n2,z,\n3,\"\"\"\",end",
      "title,abstract\n\"quoted at the end\"",
      "\u{FEFF}",
      "a,\"never closed\n",
      "a,\"closed\"x,b\n",
      "x\ry\r\nz",
    ]
    for text in texts {
      let whole = Self.pieces(text, size: Int.max / 2)
      for size in 1...8 {
        let split = Self.pieces(text, size: size)
        switch (whole, split) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(text.debugDescription) in pieces of \(size)")
        case (.failure(let a), .failure(let b)): #expect(a == b, "\(text.debugDescription) in pieces of \(size)")
        default: Issue.record("\(text.debugDescription) in pieces of \(size): \(whole) vs \(split)")
        }
      }
    }
    // And the whole text gives what it always gave.
    #expect(try DelimitedText.rows(in: texts[0]).map(\.fields) == [["a", "b", "c"], ["1", "x, \"y\"", "line1\r\nline2"], ["2", "z", ""], ["3", "\"", "end"]])
  }

  @Test("a CSV file streamed record by record equals the same file parsed whole; a short row is named")
  func streamedFile() throws {
    var text = "record_id,title,abstract,label_included\n"
    for i in 1...3000 { text += "\(i),\"Title, \(i)\",\"Line one\nline \"\"two\"\" of \(i)\",\(i % 3 == 0 ? 1 : 0)\n" }
    let url = try fixtureFile(text, name: "big.csv")
    var streamed: [Record] = []
    try TabularRecordReader.forEachRecord(inFile: url) { streamed.append($0) }
    #expect(streamed.count == 3000)
    #expect(streamed == (try TabularRecordReader.parse(Data(text.utf8), file: url.path)))
    let short = try fixtureFile("title,abstract\nA,B\nC\n", name: "short.csv")
    let error = ingestError { try TabularRecordReader.forEachRecord(inFile: short) { _ in } }
    guard case .malformed(_, let line, _, _) = error else { Issue.record("expected .malformed, got \(String(describing: error))"); return }
    #expect(line == 3)
    let empty = try fixtureFile("", name: "empty.csv")
    #expect(ingestError { try TabularRecordReader.forEachRecord(inFile: empty) { _ in } } != nil)
  }

  @Test("fields are trimmed of Unicode whitespace at their ends, and only there")
  func trimming() throws {
    let records = try TabularRecordReader.parse(
      Data("title,abstract\n  Spaced title\u{00A0},\u{2003}inner  spaces kept\t\nplain,\u{00A0}\n".utf8), file: "t.csv")
    #expect(records.map(\.title) == ["Spaced title", "plain"])
    #expect(records.map(\.abstract) == ["inner  spaces kept", ""])
  }
}
