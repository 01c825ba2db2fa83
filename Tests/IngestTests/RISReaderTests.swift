import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct RISReaderTests {
  @Test("reads the common tags of a plain record")
  func basicRecord() throws {
    let text = """
      TY  - JOUR
      ID  - rec1
      TI  - Thromboelastography for trauma-induced coagulopathy
      AU  - Smith, John
      AU  - Doe, Jane
      PY  - 2019
      T2  - Injury
      DO  - 10.1016/j.injury.2019.01.001
      AB  - Background: something.
      KW  - trauma
      KW  - coagulopathy
      N1  - ASReview_relevant
      ER  - 

      """
    let records = try RISReader.parse(text, file: "a.ris")
    #expect(records.count == 1)
    let record = try #require(records.first)
    #expect(record.sourceID == "rec1")
    #expect(record.title == "Thromboelastography for trauma-induced coagulopathy")
    #expect(record.authors == ["Smith, John", "Doe, Jane"])
    #expect(record.year == 2019)
    #expect(record.venue == "Injury")
    #expect(record.doi == "10.1016/j.injury.2019.01.001")
    #expect(record.abstract == "Background: something.")
    #expect(record.keywords == ["trauma", "coagulopathy"])
    #expect(record.label == 1)
    #expect(record.line == 1)
  }

  @Test("EndNote quirks: BOM, CRLF, padded tags, ER without space, multi-line KW, N2, A1, Y1")
  func endNoteQuirks() throws {
    let lines = [
      "\u{FEFF}TY  - JOUR  ",
      "A1  - Kim, S.",
      "T1  - First title",
      "N2  - Line one of the abstract",
      "line two of the abstract",
      "Y1  - 2008//",
      "JO  - J Clin Epidemiol",
      "KW  - randomized controlled trials",
      "systematic reviews",
      "meta-analysis",
      "AN  - 18329123",
      "ER  -",
      "",
      "TY  - CONF",
      "T1  - Second",
      "ER  -",
    ]
    let text = lines.joined(separator: "\r\n") + "\r\n"
    let records = try RISReader.parse(text, file: "endnote.txt")
    #expect(records.count == 2)
    let first = try #require(records.first)
    #expect(first.title == "First title")
    #expect(first.authors == ["Kim, S."])
    #expect(first.abstract == "Line one of the abstract\nline two of the abstract")
    #expect(first.year == 2008)
    #expect(first.venue == "J Clin Epidemiol")
    #expect(first.keywords == ["randomized controlled trials", "systematic reviews", "meta-analysis"])
    #expect(first.pmid == "18329123")
    #expect(records[1].title == "Second")
    #expect(records[1].line == 14)
  }

  @Test("Zotero quirks: DA date, T2 and J2, DOI URL, HTML notes, blank lines between records")
  func zoteroQuirks() throws {
    let text = """
      TY  - JOUR
      TI  - Active learning for screening
      AU  - van de Schoot, Rens
      T2  - Nature Machine Intelligence
      J2  - Nat Mach Intell
      DA  - 2021/02/01/
      DO  - https://doi.org/10.1038/s42256-020-00287-7
      L2  - https://www.nature.com/articles/s42256-020-00287-7
      N1  - <p>Imported; see PMID: 33795991</p>
      UR  - https://pubmed.ncbi.nlm.nih.gov/33795991/
      ER  - 



      TY  - JOUR
      TI  - No year here
      ER  - 
      """
    let records = try RISReader.parse(text, file: "zotero.ris")
    #expect(records.count == 2)
    let record = try #require(records.first)
    #expect(record.venue == "Nature Machine Intelligence")
    #expect(record.year == 2021)
    #expect(record.doi == "10.1038/s42256-020-00287-7")
    #expect(record.pmid == "33795991")
    #expect(record.authors == ["van de Schoot, Rens"])
    #expect(records[1].year == nil)
    #expect(records[1].line == 15)
  }

  @Test(
    "DOIs from UR, M3 and N1, and PubMed URLs",
    arguments: [
      ("UR  - https://doi.org/10.1000/xyz123.", "10.1000/xyz123", nil as String?),
      ("UR  - http://dx.doi.org/10.1000/ABC(12)", "10.1000/ABC(12)", nil),
      ("M3  - 10.1000/m3doi", "10.1000/m3doi", nil),
      ("N1  - doi: 10.1000/n1doi; PMID: 1234567", "10.1000/n1doi", "1234567"),
      ("UR  - https://www.ncbi.nlm.nih.gov/pubmed/7654321", nil, "7654321"),
      ("UR  - https://example.org/10.1000/not-marked", nil, nil),
    ])
  func identifiersInOtherTags(line: String, doi: String?, pmid: String?) throws {
    let text = "TY  - JOUR\nTI  - x\n\(line)\nER  - \n"
    let record = try #require(try RISReader.parse(text, file: "ids.ris").first)
    #expect(record.doi == doi)
    #expect(record.pmid == pmid)
  }

  @Test("AN that is not a PubMed number is not a PMID")
  func nonPubMedAccession() throws {
    let text = "TY  - JOUR\nAN  - WOS:000123456700001\nER  - \n"
    let record = try #require(try RISReader.parse(text, file: "wos.ris").first)
    #expect(record.pmid == nil)
  }

  @Test("ASReview labels from LB and N1")
  func labels() throws {
    let text = """
      TY  - JOUR
      LB  - 1
      ER  - 
      TY  - JOUR
      LB  - 0
      ER  - 
      TY  - JOUR
      N1  - Some note
      ASReview_irrelevant
      ER  - 
      TY  - JOUR
      N1  - ASReview_not_seen
      ER  - 
      TY  - JOUR
      LB  - Group A
      N1  - ASReview_relevant
      ER  - 
      """
    let labels = try RISReader.parse(text, file: "labels.ris").map(\.label)
    #expect(labels == [1, 0, 0, nil, 1])
  }

  @Test("title, venue and author tags by precedence")
  func precedence() throws {
    let text = """
      TY  - CHAP
      T1  - Chapter title
      BT  - The Book
      A2  - Editor, E.
      PY  - 2001
      ER  - 
      TY  - BOOK
      BT  - Whole book
      ER  - 
      """
    let records = try RISReader.parse(text, file: "p.ris")
    #expect(records[0].title == "Chapter title")
    #expect(records[0].venue == "The Book")
    #expect(records[0].authors == ["Editor, E."])
    #expect(records[1].title == "Whole book")
    #expect(records[1].venue == nil)
  }

  @Test("a truncated record without ER is an error at the record's first line")
  func truncated() {
    let text = "TY  - JOUR\nTI  - ok\nER  - \nTY  - JOUR\nTI  - cut off here\n"
    let error = ingestError { _ = try RISReader.parse(text, file: "cut.ris") }
    #expect(
      error
        == .malformed(
          file: "cut.ris", line: 4, expected: "'ER  - ' closing the record that starts here",
          found: "end of file"))
  }

  @Test("a new TY before ER is an error at the new TY")
  func missingER() {
    let text = "TY  - JOUR\nTI  - a\nTY  - JOUR\nER  - \n"
    let error = ingestError { _ = try RISReader.parse(text, file: "m.ris") }
    guard case .malformed(_, let line, _, _)? = error else {
      Issue.record("wrong error \(String(describing: error))")
      return
    }
    #expect(line == 3)
  }

  @Test("a tag outside a record, and text with no record, are errors")
  func outsideRecord() {
    let stray = ingestError { _ = try RISReader.parse("TI  - x\n", file: "s.ris") }
    #expect(stray?.description == "s.ris:1: expected 'TY  - ' starting a record, found 'TI  - ' outside a record")
    let notRIS = ingestError {
      _ = try RISReader.parse("PT J\nAU Smith\nER\n", file: "isi.txt")
    }
    #expect(notRIS == .malformed(file: "isi.txt", line: 1, expected: "an RIS record ('TY  - ')", found: "'PT J'"))
  }

  @Test("an empty or blank file gives no records")
  func empty() throws {
    #expect(try RISReader.parse("", file: "e.ris").isEmpty)
    #expect(try RISReader.parse("\u{FEFF}\r\n  \n", file: "e.ris").isEmpty)
  }

  @Test("RISWriter output reads back to the same records")
  func roundTrip() throws {
    let records = [
      Record(
        sourceID: "r1", pmid: "12345678", doi: "10.1000/x.y", title: "Über screening: a test",
        abstract: "BACKGROUND: first line.\nMETHODS: second line\nAB - looks like a tag", year: 2020,
        authors: ["Müller, Anna", "Li, W"], venue: "J Test", keywords: ["a", "b c"], label: 1),
      Record(title: "Second record", label: 0),
      Record(sourceID: "r3", title: "No label", year: 1999, venue: "Proc. X"),
    ]
    let written = RISWriter.write(records)
    var readBack = try RISReader.parse(written, file: "out.ris")
    for index in readBack.indices { readBack[index].line = 0 }
    #expect(readBack == records)

    let url = try fixtureFile("", name: "out.ris")
    try RISWriter.write(records, to: url)
    var fromFile = try RISReader.read(contentsOf: url)
    for index in fromFile.indices { fromFile[index].line = 0 }
    #expect(fromFile == records)
  }

  @Test("read(contentsOf:) streams a file and reports a missing one")
  func fileReading() throws {
    let url = try fixtureFile("TY  - JOUR\r\nTI  - From disk\r\nER  - \r\n", name: "d.ris")
    #expect(try RISReader.read(contentsOf: url).map(\.title) == ["From disk"])
    let missing = url.deletingLastPathComponent().appendingPathComponent("missing.ris")
    #expect(ingestError { _ = try RISReader.read(contentsOf: missing) } == .fileNotFound(path: missing.path))
    let directory = url.deletingLastPathComponent()
    #expect(
      ingestError { _ = try RISReader.read(contentsOf: directory) }
        == .unreadable(path: directory.path, reason: "is a directory"))
  }
}
