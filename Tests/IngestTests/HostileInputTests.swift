import Corpus
import Foundation
import Testing
import TestSupport

@testable import Ingest

/// Inputs found while fuzzing the readers (scripts/fuzz.sh) or auditing them for it: each once
/// crashed, hung or was read two ways, and now gets a value or the reader's clear error.
@Suite struct HostileInputTests {
  @Test("BibTeX: accents nested 20,000 deep decode to a value (the nesting beyond 32 kept as written), not a stack overflow")
  func deepLaTeXAccents() throws {
    let depth = 20_000
    let title = String(repeating: "\\'{", count: depth) + "e" + String(repeating: "}", count: depth)
    let records = try BibTeXReader.parse("@article{k, title = {\(title)}}", file: "deep.bib")
    let decoded = try #require(records.first?.title)
    #expect(decoded.hasPrefix("e\u{301}") || decoded.contains("\\'"), "\(decoded.prefix(40))")
    #expect(decoded.unicodeScalars.count < title.unicodeScalars.count)
  }

  @Test("PubMed XML: elements nested 5,000 deep are refused with their line, streamed and in memory")
  func deepPubMedXML() throws {
    let depth = 5_000
    let xml = "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>\n"
      + String(repeating: "<i>", count: depth) + "x" + String(repeating: "</i>", count: depth)
      + "</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    let expected = "elements nested at most 256 deep"
    let inMemory = ingestError { _ = try PubMedXMLReader.parse(Data(xml.utf8), file: "deep.xml") }
    let streamed = ingestError {
      try PubMedXMLReader.forEachRecord(inFile: try fixtureFile(xml, name: "deep.xml")) { _ in }
    }
    for error in [inMemory, streamed] {
      guard case .malformed(_, let line, let what, let found)? = error else {
        Issue.record("expected a malformed-nesting error, got \(String(describing: error))")
        continue
      }
      #expect(what == expected && found == "deeper nesting" && line == 2, "\(String(describing: error))")
    }
    // A real article's depth is far from the limit.
    let shallow = xml.replacingOccurrences(of: String(repeating: "<i>", count: depth), with: "<i><b>")
      .replacingOccurrences(of: String(repeating: "</i>", count: depth), with: "</b></i>")
    #expect(try PubMedXMLReader.parse(Data(shallow.utf8), file: "ok.xml").map(\.title) == ["x"])
  }

  @Test("TEI/JATS full text: sections nested 5,000 deep are refused, not a stack overflow")
  func deepFullText() {
    let depth = 5_000
    let xml = "<article><body>" + String(repeating: "<sec>", count: depth) + "<p>x</p>" + String(repeating: "</sec>", count: depth)
      + "</body></article>"
    guard case .malformed(_, _, let expected, _)? = ingestError({ _ = try FullTextReader.parse(Data(xml.utf8), file: "deep.xml") }) else {
      Issue.record("expected a malformed-nesting error")
      return
    }
    #expect(expected == "elements nested at most 256 deep")
  }

  @Test("RIS and MEDLINE: a byte-order mark inside the file is text, read the same streamed and in memory")
  func byteOrderMarkInside() throws {
    let ris = "TY  - JOUR\nTI  - t\n\u{FEFF}ER  - \n"
    let risFile = try fixtureFile(ris, name: "bom.ris")
    let risParsed = ingestError { _ = try RISReader.parse(ris, file: risFile.path) }
    let risStreamed = ingestError { try RISReader.forEachRecord(inFile: risFile) { _ in } }
    // The marked line is no ER tag, so the record never closes: both readings refuse it at its TY.
    #expect(risParsed == risStreamed && risParsed != nil, "\(String(describing: risParsed)) vs \(String(describing: risStreamed))")

    let medline = "PMID- 1\n\u{FEFF}TI  - x\n"
    let medlineFile = try fixtureFile(medline, name: "bom.nbib")
    var streamed: [Record] = []
    let streamedError: IngestError?
    do {
      try MEDLINEReader.forEachRecord(inFile: medlineFile) { streamed.append($0) }
      streamedError = nil
    } catch let error as IngestError { streamedError = error }
    let parsedError: IngestError?
    var parsed: [Record] = []
    do {
      parsed = try MEDLINEReader.parse(medline, file: medlineFile.path)
      parsedError = nil
    } catch let error as IngestError { parsedError = error }
    #expect(streamedError == parsedError && streamed == parsed)
  }

  @Test("PubMed XML: a file of only whitespace, longer than 4 KiB, is blank both streamed and in memory")
  func longBlankXML() throws {
    let blank = String(repeating: " \n\t", count: 3_000)
    #expect(try PubMedXMLReader.parse(Data(blank.utf8), file: "blank.xml").isEmpty)
    var count = 0
    try PubMedXMLReader.forEachRecord(inFile: try fixtureFile(blank, name: "blank.xml")) { _ in count += 1 }
    #expect(count == 0)
  }

  @Test("a DOI scan over 100,000 characters of '10.' runs once through them and finds the DOI after")
  func doiRuns() {
    let run = String(repeating: "10.", count: 33_000)
    #expect(TextScan.doi(in: run) == nil)
    #expect(TextScan.doi(in: run + " doi:10.1234/abc.") == "10.1234/abc")
  }

  @Test("manifest: full-width hex digits are not a sha256")
  func fullWidthChecksum() throws {
    let fullWidth = String(repeating: "\u{FF41}", count: 64)  // 'ａ'
    let json = """
      {"id": "demo", "name": "Demo", "citation": "C", "license": "MIT", "domain": "d", "homepage": "h",
       "known_reviews": ["r1"], "labels": {"ta": {"1": 1, "0": 0}},
       "sources": [{"id": "r1", "review": "r1", "reader": "csv", "path": "x/a.csv", "url": "https://e/a.csv",
                    "kind": "file", "sha256": "\(fullWidth)"}]}
      """
    guard case .invalidManifest(_, let reason)? = ingestError({ _ = try Manifest.parse(Data(json.utf8), file: "demo.json") }) else {
      Issue.record("a full-width checksum was accepted")
      return
    }
    #expect(reason.contains("sha256"))
  }

  @Test("CLEF topic: a value on the Pids: line itself must be a PMID too")
  func pidsOnTheKeyLine() {
    #expect(
      ingestError { _ = try CLEFTopicReader.parse("Topic: CD1\nPids: 12 and more\n", file: "t") }
        == .malformed(file: "t", line: 2, expected: "a PMID (digits) in the Pids section", found: "'12 and more'"))
  }
}

@Suite struct XMLEncodingTests {
  @Test("PubMed XML declaring an encoding libxml2 only reaches through iconv (UTF-7) is refused, streamed and in memory, as fuzzing found them to disagree")
  func iconvEncodings() throws {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    let bytes = Data(xml.utf8) + Data([0x85])
    let expected = IngestError.malformed(file: "x.xml", line: 1, expected: "an XML document in UTF-8, UTF-16 or ISO-8859-1", found: "encoding \"UTF-7\"")
    #expect(ingestError { _ = try PubMedXMLReader.parse(bytes, file: "x.xml") } == expected)
    let url = try fixtureFile(bytes, name: "x.xml")
    guard case .malformed(_, 1, _, "encoding \"UTF-7\"")? = ingestError({ try PubMedXMLReader.forEachRecord(inFile: url) { _ in } }) else {
      Issue.record("the streamed reader accepted UTF-7")
      return
    }
    // Declared UTF-8 or Latin-1 (any case, single quotes) still reads.
    for declaration in ["encoding=\"UTF-8\"", "encoding='iso-8859-1'", "encoding = \"utf-8\""] {
      let text = "<?xml version=\"1.0\" \(declaration)?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle></PubmedArticleSet>"
      #expect(try PubMedXMLReader.parse(Data(text.utf8), file: "ok.xml").map(\.pmid) == ["1"], "\(declaration)")
    }
  }
}
