import Corpus
import Foundation
import Testing

@testable import Ingest

/// The streamed readers hand over each record as soon as it is complete, and give the same
/// records as reading the file whole.
@Suite struct StreamingReaderTests {
  struct Stop: Error {}

  static func ris(_ count: Int) -> String {
    (1...count).map { "TY  - JOUR\nID  - r\($0)\nTI  - Title \($0)\nAB  - Abstract \($0)\nER  - \n" }.joined(separator: "\n")
  }

  @Test("RIS: same records as read(contentsOf:), each delivered before the rest of the file is parsed")
  func ris() throws {
    let url = try fixtureFile(Self.ris(3) + "\nTY  - JOUR\nTI  - never closed\n", name: "list.ris")
    var seen: [Record] = []
    // The file is malformed at its end; the complete records before it still arrive first.
    let error = ingestError { try RISReader.forEachRecord(inFile: url) { seen.append($0) } }
    #expect(seen.map(\.sourceID) == ["r1", "r2", "r3"])
    guard case .malformed(_, let line, _, _) = error else { Issue.record("expected .malformed, got \(String(describing: error))"); return }
    #expect(line == 19)
    let good = try fixtureFile(Self.ris(3), name: "good.ris")
    var streamed: [Record] = []
    try RecordFileReader.forEachRecord(contentsOf: good) { streamed.append($0) }
    let whole = try RISReader.read(contentsOf: good)
    #expect(streamed == whole)
    #expect(try RecordFileReader.isStreamed(good))
  }

  @Test("an error thrown by the caller stops the stream at that record")
  func callerStops() throws {
    let url = try fixtureFile(Self.ris(5), name: "five.ris")
    var calls = 0
    #expect(throws: Stop.self) {
      try RISReader.forEachRecord(inFile: url) { _ in
        calls += 1
        if calls == 2 { throw Stop() }
      }
    }
    #expect(calls == 2)
  }

  @Test("MEDLINE and PubMed XML stream the same records as they read")
  func medlineAndXML() throws {
    let medline = try fixtureFile(MEDLINEReaderTests.sample + "\n" + MEDLINEReaderTests.sample, name: "a.nbib")
    var records: [Record] = []
    try RecordFileReader.forEachRecord(contentsOf: medline) { records.append($0) }
    let whole = try MEDLINEReader.read(contentsOf: medline)
    let once = try MEDLINEReader.parse(MEDLINEReaderTests.sample, file: "a")
    #expect(!once.isEmpty && records.count == 2 * once.count && records == whole)
    let xml = try fixtureFile(PubMedXMLReaderTests.sample, name: "a.xml")
    records = []
    try RecordFileReader.forEachRecord(contentsOf: xml) { records.append($0) }
    let wholeXML = try PubMedXMLReader.read(contentsOf: xml)
    #expect(records.count == 3 && records == wholeXML)
  }

  @Test("the format of a file without a known extension is read from its first bytes")
  func sniffing() throws {
    #expect(try RecordFileReader.format(of: fixtureFile(Self.ris(1), name: "export.txt")) == .ris)
    #expect(try RecordFileReader.format(of: fixtureFile("PMID- 1\nTI  - x\n", name: "export")) == .medline)
    #expect(try RecordFileReader.format(of: fixtureFile("title,abstract\nx,y\n", name: "export.dat")) == .tabular)
    #expect(try RecordFileReader.isStreamed(fixtureFile("title,abstract\nx,y\n", name: "e.csv")))
    #expect(try !RecordFileReader.isStreamed(fixtureFile("@article{a, title={x}}\n", name: "e.bib")))
    #expect(ingestError { _ = try RecordFileReader.format(of: URL(fileURLWithPath: "/nonexistent/export")) } != nil)
  }
}
