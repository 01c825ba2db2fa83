import Corpus
import Foundation
import Testing
import TestSupport

@testable import Ingest

/// Characters Swift's `isNewline` takes for line ends. Every line-oriented reader keeps them
/// inside their line (`Lines`): only LF, or CRLF, ends one.
let inLineBreaks = ["\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\r"]

/// One test per reader that splits lines: each puts the characters where a line split would
/// change what is read (a tag after them, a field after them, a later error's line number).
@Suite struct LineEndTests {
  @Test("RIS: text after the character stays in its field, streamed from a file too", arguments: inLineBreaks)
  func ris(character: String) throws {
    let text = "TY  - JOUR\r\nAB  - first part\(character)TI  - not a title\r\nTI  - real title\r\nER  - \r\n"
    let parsed = try RISReader.parse(text, file: "x.ris")
    let file = try fixtureFile(text, name: "lines.ris")
    var streamed: [Record] = []
    try RISReader.forEachRecord(inFile: file) { streamed.append($0) }
    for records in [parsed, streamed] {
      #expect(records.count == 1)
      #expect(records.first?.title == "real title")
      #expect(records.first?.abstract.contains("not a title") == true, "\(records)")
    }
  }

  @Test("RIS files decode line by line: a Latin-1 line beside UTF-8 ones")
  func risLatin1() throws {
    let bytes = Array("TY  - JOUR\nTI  - caf".utf8) + [0xE9] + Array("\nAB  - na\u{00EF}ve\nER  - \n".utf8)
    let records = try RISReader.read(contentsOf: fixtureFile(Data(bytes), name: "latin1.ris"))
    #expect(records.map(\.title) == ["café"])
    #expect(records.map(\.abstract) == ["naïve"])
  }

  @Test("MEDLINE: text after the character stays in its field", arguments: inLineBreaks)
  func medline(character: String) throws {
    let text = "PMID- 1\nAB  - first part\(character)TI  - not a title\nTI  - real title\n\nPMID- 2\nTI  - second\n"
    let records = try MEDLINEReader.parse(text, file: "x.nbib")
    #expect(records.map(\.title) == ["real title", "second"])
    #expect(records.first?.abstract.contains("not a title") == true)
  }

  @Test("JSON Lines: one object per LF-ended line, the characters raw inside strings, CRLF accepted",
        arguments: inLineBreaks.filter { $0.unicodeScalars.first!.value >= 0x20 })  // JSON strings cannot hold raw control characters
  func jsonLines(character: String) throws {
    let valid = "{\"id\": \"1\", \"title\": \"a\(character)b\"}\r\n{\"id\": \"2\", \"title\": \"c\"}\n"
    #expect(try JSONLinesReader.parse(Data(valid.utf8), file: "x.jsonl").map(\.title) == ["a\(character)b", "c"])
    // An object cut short on line 3 is reported there.
    let error = ingestError { _ = try JSONLinesReader.parse(Data((valid + "{\"id\": \"3\"\n").utf8), file: "x.jsonl") }
    guard case .malformed(_, let line, _, _) = error else {
      Issue.record("expected a malformed-line error, got \(String(describing: error))")
      return
    }
    #expect(line == 3)
  }

  @Test("CLEF topic: a 'Query:' after the character is part of the title", arguments: inLineBreaks)
  func clefTopic(character: String) throws {
    let topic = try CLEFTopicReader.parse("Topic: CD1\r\nTitle: a\(character)Query: x\r\nPids:\r\n  12\r\n", file: "t")
    #expect(topic.title == "a\(character)Query: x")
    #expect(topic.query == "")
    #expect(topic.pids == ["12"])
  }

  @Test("TREC qrels: a later error names its LF-counted line", arguments: inLineBreaks)
  func qrels(character: String) throws {
    #expect(
      throws: IngestError.malformed(file: "q", line: 2, expected: "4 fields 'topic 0 document relevance'", found: "3 fields")
    ) {
      _ = try QrelsReader.parse("t 0 d1 1 \(character)\r\nt 0 d2\n", file: "q")
    }
  }

  @Test("SAS2010 labels: text after the character is the same line's remainder", arguments: inLineBreaks)
  func sas2010(character: String) throws {
    let file = try fixtureFile("1 1 \(character)rest\r\n2 -1\n3 -1", name: "labels")
    #expect(try SAS2010Reader.labels(contentsOf: file) == ["1": "1", "2": "-1", "3": "-1"])
  }

  @Test("SR-updates lists: keywords keep the character; a bad PMID names its line", arguments: inLineBreaks)
  func srUpdates(character: String) throws {
    let folder = try TestSupport.temporaryDirectory("sr-lines-\(character.unicodeScalars.first!.value)")
    let files: [(String, String)] = [
      ("title", "CD1 A review\r\n"), ("keywords", "Humans\(character)Adult\r\n\r\nChild\n"),
      ("included_abstract", "11\n\n22\n"), ("included_content", "22"),
    ]
    var sources: [String] = []
    var urls: CollectionLoader.Files = [:]
    for (role, text) in files {
      urls["CD1.\(role)"] = try TestSupport.write(text, to: "CD1.\(role).txt", in: folder)
      sources.append(
        """
        {"id": "CD1.\(role)", "review": "CD1", "reader": "sr-updates", "path": "sr/CD1.\(role).txt",
         "url": "https://e/\(role)", "kind": "file", "sha256": "\(String(repeating: "a", count: 64))", "options": {"role": "\(role)"}}
        """)
    }
    let manifest = try Manifest.load(
      from: TestSupport.write(
        """
        {"id": "sr_updates", "name": "SR", "citation": "C", "license": "none", "domain": "d", "homepage": "h",
         "known_reviews": ["CD1"], "labels": {"ta": {"1": 1, "0": 0}, "ft": {"1": 1, "0": 0}},
         "sources": [\(sources.joined(separator: ","))]}
        """, to: "sr_updates.json", in: folder))
    let loaded = try CollectionLoader.load(manifest, files: urls)
    let review = try #require(loaded.reviews.first)
    #expect(review.title == "A review")
    #expect(review.criteria.first?.text == "Humans\(character)Adult; Child")
    #expect(review.candidates.map(\.record.pmid) == ["11", "22"])

    let bad = try TestSupport.write("11\n\n22\(character)x\n", to: "bad.txt", in: folder)
    urls["CD1.included_abstract"] = bad
    #expect(
      ingestError { _ = try CollectionLoader.load(manifest, files: urls) }
        == .malformed(file: bad.path, line: 3, expected: "a PMID", found: "'22\(character)x'"))
  }
}
