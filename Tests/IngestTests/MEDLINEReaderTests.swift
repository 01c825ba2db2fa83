import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct MEDLINEReaderTests {
  static let sample = """
    PMID- 30922926
    OWN - NLM
    STAT- MEDLINE
    TI  - Time lapse: A glimpse into prehistoric genomics.
    LID - S1769-7212(18)30785-5 [pii]
    LID - 10.1016/j.ejmg.2019.03.004 [doi]
    AB  - For the purpose of this review, 'time-lapse' refers to the reconstruction of
          ancestral (in this case dinosaur) karyotypes using genome assemblies from extant
          species.
    FAU - Griffin, Darren K
    AU  - Griffin DK
    FAU - Larkin, Denis M
    AU  - Larkin DM
    LA  - eng
    PT  - Review
    DEP - 20190325
    DP  - 2020 Feb
    TA  - Eur J Med Genet
    JT  - European journal of medical genetics
    MH  - Animals
    MH  - *Genomics/history/methods
    MH  - Karyotype
    OT  - Karyotype
    OT  - Dinosaur
    AID - 10.1016/j.ejmg.2019.03.004 [doi]
    SO  - Eur J Med Genet. 2020 Feb;63(2):103640.

    PMID- 12345
    TI  - Second record with a title that is
          continued on the next line.
    AU  - Doe J
    DP  - 1998 Jan-Feb
    TA  - Short J
    AID - 10.1000/second [doi]
    """

  @Test("reads fields, continuation lines, and blank-line separated records")
  func sample() throws {
    let records = try MEDLINEReader.parse(Self.sample, file: "pubmed.nbib")
    #expect(records.count == 2)
    let first = try #require(records.first)
    #expect(first.pmid == "30922926")
    #expect(first.sourceID == "30922926")
    #expect(first.title == "Time lapse: A glimpse into prehistoric genomics.")
    #expect(
      first.abstract
        == "For the purpose of this review, 'time-lapse' refers to the reconstruction of ancestral (in this case dinosaur) karyotypes using genome assemblies from extant species."
    )
    #expect(first.authors == ["Griffin, Darren K", "Larkin, Denis M"])
    #expect(first.year == 2020)
    #expect(first.doi == "10.1016/j.ejmg.2019.03.004")
    #expect(first.venue == "European journal of medical genetics")
    #expect(first.keywords == ["Animals", "Genomics", "Karyotype", "Dinosaur"])
    #expect(first.line == 1)
    let second = records[1]
    #expect(second.title == "Second record with a title that is continued on the next line.")
    #expect(second.authors == ["Doe J"])
    #expect(second.year == 1998)
    #expect(second.venue == "Short J")
    #expect(second.doi == "10.1000/second")
    #expect(second.line == 28)
  }

  @Test("CRLF line ends, a BOM, several blank lines, and records without separating blank line")
  func quirks() throws {
    let text = "\u{FEFF}PMID- 1\r\nTI  - One\r\n\r\n\r\n\r\nPMID- 2\r\nTI  - Two\r\nPMID- 3\r\nTI  - Three\r\n"
    let records = try MEDLINEReader.parse(text, file: "q.nbib")
    #expect(records.map(\.pmid) == ["1", "2", "3"])
    #expect(records.map(\.line) == [1, 6, 8])
  }

  @Test("a book record uses BTI as its title")
  func book() throws {
    let record = try #require(
      try MEDLINEReader.parse("PMID- 9\nBTI - A Book\nCN  - Some Group\nDP  - 2005", file: "b.nbib").first)
    #expect(record.title == "A Book")
    #expect(record.authors == ["Some Group"])
    #expect(record.venue == nil)
  }

  @Test("a line that is not a field, and a continuation with nothing before it, are errors")
  func errors() {
    #expect(
      ingestError { _ = try MEDLINEReader.parse("PMID- 1\nnot a field\n", file: "x.nbib") }
        == .malformed(
          file: "x.nbib", line: 2, expected: "a MEDLINE field line ('TAG - value')",
          found: "'not a field'"))
    #expect(
      ingestError { _ = try MEDLINEReader.parse("      orphan\n", file: "y.nbib") }
        == .malformed(
          file: "y.nbib", line: 1, expected: "a field line such as 'PMID- 12345'",
          found: "a continuation line with no field before it"))
  }

  @Test("an empty file gives no records; files stream from disk")
  func emptyAndFile() throws {
    #expect(try MEDLINEReader.parse("", file: "e.nbib").isEmpty)
    #expect(try MEDLINEReader.parse("\n\n  \n", file: "e.nbib").isEmpty)
    let url = try fixtureFile(Self.sample, name: "s.nbib")
    #expect(try MEDLINEReader.read(contentsOf: url) == MEDLINEReader.parse(Self.sample, file: url.path))
  }
}
