import Corpus
import Foundation
import Testing
import TestSupport

@testable import Ingest

@Suite struct QrelsReaderTests {
  @Test("padded whitespace, CRLF and all relevance grades")
  func parse() throws {
    let text = "CD009263     0  2537501      1  \r\nCD009263\t0\t12931322\t0\r\n\nT 0 D 4\n"
    let judgements = try QrelsReader.parse(text, file: "q")
    #expect(judgements.map(\.document) == ["2537501", "12931322", "D"])
    #expect(judgements.map(\.relevance) == [1, 0, 4])
    #expect(judgements.map(\.line) == [1, 2, 4])
  }

  @Test("wrong field count and non-numeric relevance")
  func errors() throws {
    #expect(throws: IngestError.malformed(file: "q", line: 2, expected: "4 fields 'topic 0 document relevance'", found: "3 fields")) {
      _ = try QrelsReader.parse("a 0 b 1\na 0 b\n", file: "q")
    }
    #expect(throws: IngestError.malformed(file: "q", line: 1, expected: "an integer relevance", found: "'x'")) {
      _ = try QrelsReader.parse("a 0 b x\n", file: "q")
    }
  }
}

@Suite struct CLEFTopicReaderTests {
  @Test("the official text layout with a multi-line query and indented PIDs")
  func official() throws {
    let text = """
      Topic: CD008760 \r
      \r
      Title: Capsule endoscopy for varices \r
      \r
      Query: \r
      (esophag* varic*).mp.\r
      2 or 1\r
      \r
      Pids: \r
          23593613 \r
          23029720 \r
      """
    let topic = try CLEFTopicReader.parse(text, file: "t")
    #expect(topic == CLEFTopic(id: "CD008760", title: "Capsule endoscopy for varices", query: "(esophag* varic*).mp.\n2 or 1", pids: ["23593613", "23029720"]))
  }

  @Test("missing topic line and a non-PMID in the Pids section")
  func errors() throws {
    #expect(throws: IngestError.malformed(file: "t", line: 1, expected: "a 'Topic: <id>' line", found: "none")) {
      _ = try CLEFTopicReader.parse("Title: x\n", file: "t")
    }
    #expect(throws: IngestError.malformed(file: "t", line: 3, expected: "a PMID (digits) in the Pids section", found: "'rev 12'")) {
      _ = try CLEFTopicReader.parse("Topic: X\nPids:\n rev 12\n", file: "t")
    }
  }

  @Test("the auto-stop-tar JSON topic")
  func json() throws {
    let topic = try CLEFTopicReader.parseJSON(Data(#"{"id": "CD1", "title": "T\u00ae", "query": "q"}"#.utf8), file: "j")
    #expect(topic == CLEFTopic(id: "CD1", title: "T®", query: "q", pids: []))
    #expect(throws: IngestError.self) { _ = try CLEFTopicReader.parseJSON(Data("{".utf8), file: "j") }
  }
}

@Suite struct JSONLinesReaderTests {
  @Test("content repeating the title becomes the abstract")
  func content() throws {
    let text = """
      {"id": "24429319", "title": "Performance of MTBDRsl.", "content": "Performance of MTBDRsl. The country..."}

      {"id": 5, "title": "Only a title", "content": "Only a title"}
      """
    let records = try JSONLinesReader.parse(Data(text.utf8), file: "d")
    #expect(records.map(\.abstract) == ["The country...", ""])
    #expect(records.map(\.pmid) == ["24429319", "5"])
    #expect(records.map(\.line) == [1, 3])
  }

  @Test("invalid JSON and a missing id name the line")
  func errors() throws {
    #expect(throws: IngestError.self) { _ = try JSONLinesReader.parse(Data("{\"id\": 1}\n{oops\n".utf8), file: "d") }
    #expect(throws: IngestError.malformed(file: "d", line: 1, expected: "an 'id' field", found: "none")) {
      _ = try JSONLinesReader.parse(Data("{\"title\": \"x\"}\n".utf8), file: "d")
    }
  }
}

@Suite struct SAS2010ReaderTests {
  @Test("label lines and per-document text files")
  func layout() throws {
    let folder = try TestSupport.temporaryDirectory()
    let labels = try TestSupport.write("1 -1 ? 11:1 12:1\n2 1 ? 0:1\n", to: "labels", in: folder)
    try TestSupport.write("First title", to: "Titles/1", in: folder)
    try TestSupport.write("  Second title\n", to: "Titles/2", in: folder)
    #expect(try SAS2010Reader.labels(contentsOf: labels) == ["1": "-1", "2": "1"])
    #expect(try SAS2010Reader.texts(in: folder.appendingPathComponent("Titles")) == ["1": "First title", "2": "Second title"])
    let bad = try TestSupport.write("1 -1\nx 2\n", to: "bad", in: folder)
    #expect(throws: IngestError.malformed(file: bad.path, line: 2, expected: "'<doc id> <1|-1> ...'", found: "'x 2'")) {
      _ = try SAS2010Reader.labels(contentsOf: bad)
    }
  }
}

@Suite struct ReviewProtocolTests {
  @Test("invalid JSON with raw newlines is repaired with a warning, criteria extracted")
  func repair() throws {
    let folder = try TestSupport.temporaryDirectory()
    let raw = "{\"title\": \"T\", \"abstract\": \"line1\nline2\", \"criteria\": \"{'inclusion': [{'ic_id': '1', 'criteria': 'Deals with X.'}], 'exclusion': [{'ec_id': '1', 'criteria': \\\"Not X's\\\"}]}\"}"
    let url = try TestSupport.write(raw, to: "p.json", in: folder)
    let (parsed, warning) = ReviewProtocol.read(contentsOf: url)
    #expect(parsed.title == "T")
    #expect(parsed.abstract == "line1\nline2")
    #expect(parsed.criteria == [Criterion(heading: "inclusion", text: "Deals with X."), Criterion(heading: "exclusion", text: "Not X's")])
    #expect(warning?.contains("read after escaping") == true)
    let hopeless = try TestSupport.write("{nope", to: "h.json", in: folder)
    let (empty, warning2) = ReviewProtocol.read(contentsOf: hopeless)
    #expect(empty.title == nil && warning2?.contains("without its protocol") == true)
  }

  @Test("questions and criteria as JSON lists of objects (the pinned files' shape) are read, not dropped")
  func structured() throws {
    let raw = """
      {"title": "T", "research question": [{"rq_id": "1", "question": "Where is X used?"}, {"rq_id": "2", "question": " How? "}],
       "criteria": {"inclusion": [{"ic_id": "1", "criteria": "Deals with X."}, {"ic_id": "2", "criteria": "Is in English."}],
                    "exclusion": [{"ec_id": "1", "criteria": "Is a summary."}]},
       "research query": "X AND Y"}
      """
    let url = try TestSupport.write(raw, to: "p.json", in: try TestSupport.temporaryDirectory())
    let (parsed, warning) = ReviewProtocol.read(contentsOf: url)
    #expect(warning == nil && parsed.query == "X AND Y")
    #expect(parsed.criteria == [
      Criterion(heading: "research questions", text: "Where is X used?\nHow?"),
      Criterion(heading: "inclusion", text: "Deals with X.\nIs in English."),
      Criterion(heading: "exclusion", text: "Is a summary."),
    ])
  }
}

@Suite struct SHA256Tests {
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
  ])
  func vectors(input: String, digest: String) {
    #expect(SHA256.hex(of: Data(input.utf8)) == digest)
    var bytewise = SHA256()
    bytewise.update(Array(input.utf8))
    #expect(bytewise.hexDigest() == digest)
  }

  @Test("a million 'a's fed in uneven chunks")
  func chunks() {
    var hasher = SHA256()
    var left = 1_000_000
    var size = 1
    while left > 0 {
      let take = min(size, left)
      hasher.update(Data(repeating: UInt8(ascii: "a"), count: take))
      left -= take
      size = size * 3 % 1000 + 1
    }
    #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}
