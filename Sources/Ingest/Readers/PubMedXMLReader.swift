import Corpus
import Foundation

/// Reads PubMed XML (`efetch rettype=xml`, PubMed baseline and update files) with libxml2.
///
/// The file is streamed with `xmlTextReader`; each `<PubmedArticle>` and `<PubmedBookArticle>` is
/// expanded into a small DOM, mapped and released, so memory stays bounded for files of hundreds
/// of megabytes. `<DeleteCitation>` blocks and other elements are skipped.
///
/// Field mapping for `<PubmedArticle>`:
/// - `pmid` and `sourceID`: `MedlineCitation/PMID`.
/// - `title`: `Article/ArticleTitle` with inline markup (`<i>`, `<sup>`, …) flattened to its text
///   and whitespace collapsed; `VernacularTitle` when the title is empty.
/// - `abstract`: every `Abstract/AbstractText` in order. A section with a `Label` (or, without
///   one, an `NlmCategory` other than `UNASSIGNED`) is written `LABEL: text`; sections are joined
///   with `\n` (one section per line). `OtherAbstract` (translations) and
///   `CopyrightInformation` are not included.
/// - `doi`: `ELocationID[@EIdType="doi"]`, else `PubmedData/ArticleIdList/ArticleId[@IdType="doi"]`.
/// - `year`: `JournalIssue/PubDate/Year`, else the first year in `MedlineDate`, else `ArticleDate/Year`.
/// - `authors`: `LastName ForeName` (`Initials` when there is no fore name), or `CollectiveName`.
/// - `venue`: `Journal/Title` ?? `Journal/ISOAbbreviation` ?? `MedlineJournalInfo/MedlineTA`.
/// - `keywords`: the MeSH `DescriptorName`s in order, then `KeywordList/Keyword`s, without
///   duplicates.
///
/// `<PubmedBookArticle>` is read from `BookDocument`: `PMID`, `ArticleTitle` ?? `Book/BookTitle`
/// (the book title becomes the venue when there is an article title), `Abstract`, the authors of
/// the first author list, `Book/PubDate` for the year and `ELocationID`/`ArticleIdList` for the DOI.
///
/// Errors: XML that is not well formed is `.malformed` with the line libxml2 reports; a document
/// whose root is not `PubmedArticleSet`, `PubmedArticle`, `PubmedBookArticle` or
/// `PubmedBookArticleSet` is `.malformed` at line 1. An empty or blank input gives `[]`.
public enum PubMedXMLReader {
  /// Reads the PubMed XML file at `url`, streaming it.
  ///
  /// - Throws: `IngestError.fileNotFound`, `.unreadable` or `.malformed`.
  public static func read(contentsOf url: URL) throws -> [Record] {
    var records: [Record] = []
    try forEachRecord(inFile: url) { records.append($0) }
    return records
  }

  /// Calls `body` with each article of the PubMed XML file at `url` as soon as it is parsed, so
  /// memory does not grow with the file.
  ///
  /// - Throws: As `read(contentsOf:)`, or what `body` throws.
  public static func forEachRecord(inFile url: URL, _ body: (Record) throws -> Void) throws {
    if try isBlankFile(url) { return }
    try records(from: XMLStream(contentsOf: url), body)
  }

  /// Parses PubMed XML held in memory.
  ///
  /// - Parameters:
  ///   - data: the document bytes.
  ///   - file: the name used in error messages.
  /// - Throws: `IngestError.malformed`.
  public static func parse(_ data: Data, file: String) throws -> [Record] {
    if data.allSatisfy(isXMLSpace) { return [] }
    var records: [Record] = []
    try self.records(from: XMLStream(data: data, file: file)) { records.append($0) }
    return records
  }

  private static let rootNames: Set<String> = [
    "PubmedArticleSet", "PubmedArticle", "PubmedBookArticle", "PubmedBookArticleSet",
  ]

  private static func records(from stream: XMLStream, _ body: (Record) throws -> Void) throws {
    var sawRoot = false
    var moved = try stream.read()
    while moved {
      guard stream.isElementStart else {
        moved = try stream.read()
        continue
      }
      let name = stream.localName
      if !sawRoot {
        sawRoot = true
        guard rootNames.contains(name) else {
          throw IngestError.malformed(
            file: stream.file, line: max(1, stream.parserLine),
            expected: "a PubMed XML root element <PubmedArticleSet>", found: "<\(name)>")
        }
      }
      switch name {
      case "PubmedArticle":
        try body(article(try stream.expand()))
        moved = try stream.skipSubtree()
      case "PubmedBookArticle":
        try body(bookArticle(try stream.expand()))
        moved = try stream.skipSubtree()
      case "DeleteCitation":
        moved = try stream.skipSubtree()
      default:
        moved = try stream.read()
      }
    }
  }

  // MARK: - Mapping

  private static func article(_ node: XMLNode) -> Record {
    var record = Record(line: node.line)
    let citation = node.child("MedlineCitation")
    let article = citation?.child("Article")
    record.pmid = nonEmpty(citation?.child("PMID")?.text())
    record.sourceID = record.pmid
    record.title =
      nonEmpty(article?.child("ArticleTitle")?.text())
      ?? article?.child("VernacularTitle")?.text() ?? ""
    record.abstract = abstract(article?.child("Abstract"))
    record.doi =
      doi(inLocations: article?.children("ELocationID") ?? [])
      ?? doi(inIDList: node.path("PubmedData", "ArticleIdList"))
    let issue = article?.path("Journal", "JournalIssue", "PubDate")
    record.year =
      Int(issue?.child("Year")?.text() ?? "")
      ?? issue?.child("MedlineDate").flatMap { TextScan.year(in: $0.text()) }
      ?? Int(article?.path("ArticleDate", "Year")?.text() ?? "")
    record.authors = authors(article?.child("AuthorList"))
    record.venue =
      nonEmpty(article?.path("Journal", "Title")?.text())
      ?? nonEmpty(article?.path("Journal", "ISOAbbreviation")?.text())
      ?? nonEmpty(citation?.path("MedlineJournalInfo", "MedlineTA")?.text())
    let mesh = (citation?.child("MeshHeadingList")?.children("MeshHeading") ?? [])
      .compactMap { nonEmpty($0.child("DescriptorName")?.text()) }
    let keywords = (citation?.children("KeywordList") ?? []).flatMap { $0.children("Keyword") }
      .compactMap { nonEmpty($0.text()) }
    record.keywords = unique(mesh + keywords)
    return record
  }

  private static func bookArticle(_ node: XMLNode) -> Record {
    var record = Record(line: node.line)
    let document = node.child("BookDocument")
    let book = document?.child("Book")
    record.pmid = nonEmpty(document?.child("PMID")?.text())
    record.sourceID = record.pmid
    let bookTitle = nonEmpty(book?.child("BookTitle")?.text())
    if let title = nonEmpty(document?.child("ArticleTitle")?.text()) {
      record.title = title
      record.venue = bookTitle
    } else {
      record.title = bookTitle ?? ""
    }
    record.abstract = abstract(document?.child("Abstract"))
    record.doi =
      doi(inLocations: document?.children("ELocationID") ?? [])
      ?? doi(inIDList: document?.child("ArticleIdList"))
      ?? doi(inIDList: node.path("PubmedBookData", "ArticleIdList"))
    record.year =
      Int(book?.path("PubDate", "Year")?.text() ?? "")
      ?? book?.path("PubDate", "MedlineDate").flatMap { TextScan.year(in: $0.text()) }
    record.authors = authors(document?.child("AuthorList") ?? book?.child("AuthorList"))
    record.keywords = unique(
      (document?.children("KeywordList") ?? []).flatMap { $0.children("Keyword") }
        .compactMap { nonEmpty($0.text()) })
    return record
  }

  private static func abstract(_ node: XMLNode?) -> String {
    guard let node else { return "" }
    var sections: [String] = []
    for section in node.children("AbstractText") {
      let text = section.text()
      let category = section.attribute("NlmCategory")
      let label =
        nonEmpty(section.attribute("Label"))
        ?? (category == "UNASSIGNED" ? nil : nonEmpty(category))
      if let label {
        sections.append(text.isEmpty ? "\(label):" : "\(label): \(text)")
      } else if !text.isEmpty {
        sections.append(text)
      }
    }
    return sections.joined(separator: "\n")
  }

  private static func authors(_ list: XMLNode?) -> [String] {
    (list?.children("Author") ?? []).compactMap { author in
      if let collective = nonEmpty(author.child("CollectiveName")?.text()) { return collective }
      let last = author.child("LastName")?.text() ?? ""
      let first = nonEmpty(author.child("ForeName")?.text()) ?? author.child("Initials")?.text() ?? ""
      return nonEmpty([last, first].filter { !$0.isEmpty }.joined(separator: " "))
    }
  }

  private static func doi(inLocations locations: [XMLNode]) -> String? {
    locations.lazy.filter { $0.attribute("EIdType")?.lowercased() == "doi" }
      .compactMap { nonEmpty($0.text()) }.first
  }

  private static func doi(inIDList list: XMLNode?) -> String? {
    (list?.children("ArticleId") ?? []).lazy.filter { $0.attribute("IdType")?.lowercased() == "doi" }
      .compactMap { nonEmpty($0.text()) }.first
  }

  // MARK: - Helpers

  static func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
  }

  static func unique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
  }

  static func isXMLSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }

  /// True when the file is empty or holds only whitespace (checked on its first 4 KiB only).
  static func isBlankFile(_ url: URL) throws -> Bool {
    let handle = try FileAccess.handle(for: url)
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 4096)) ?? Data()
    if head.count == 4096 { return false }
    return head.allSatisfy(isXMLSpace)
  }
}
