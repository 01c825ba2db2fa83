import Corpus
import Foundation

/// Reads PubMed XML (`efetch rettype=xml`, baseline and update files) with libxml2's streaming
/// reader: each `<PubmedArticle>`/`<PubmedBookArticle>` is expanded, mapped and released, so memory
/// stays bounded. Encoding from the BOM or XML declaration (UTF-8 by default; invalid bytes are a
/// parse error, no Latin-1 fallback); no DTD or network loaded; recoverable libxml2 errors (an
/// undeclared prefix, an entity of an unloaded DTD) ignored; common HTML entities spelled out.
/// Refused, as `IngestError.malformed(file:line:expected:found:)`: XML that is not well formed (at
/// libxml2's line, with its message), and a first element other than `PubmedArticleSet`,
/// `PubmedArticle`, `PubmedBookArticle`, `PubmedBookArticleSet` (at the parser's line). Blank input
/// gives `[]` (a file only under 4 KiB; a longer one goes to libxml2). Throws only `IngestError`.
/// Tolerated silently: other elements and `<DeleteCitation>` skipped, missing parts left empty, inline
/// markup flattened, whitespace collapsed. Mapping: pmid/id `MedlineCitation/PMID`; title `ArticleTitle`
/// ?? `VernacularTitle`; abstract: each `AbstractText` (`LABEL: text` with a `Label` or a non-`UNASSIGNED`
/// `NlmCategory`) on its own line; doi `ELocationID[@EIdType=doi]` ?? `ArticleId[@IdType=doi]`; year
/// `PubDate/Year` ?? `MedlineDate` ?? `ArticleDate/Year`; authors `LastName ForeName` (or `Initials`),
/// or `CollectiveName`; venue `Journal/Title` ?? `ISOAbbreviation` ?? `MedlineTA`; keywords: MeSH then
/// `Keyword`s, deduplicated. Book articles read `BookDocument` alike (book title as venue, or as title
/// when there is no `ArticleTitle`). A record's line is that of its element.
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

  /// True when the file is empty or holds only whitespace, as `parse` decides for bytes in
  /// memory (read in pieces up to the first other byte).
  static func isBlankFile(_ url: URL) throws -> Bool {
    let handle = try FileAccess.handle(for: url)
    defer { try? handle.close() }
    while true {
      let piece: Data?
      do { piece = try handle.read(upToCount: 1 << 16) } catch {
        throw IngestError.unreadable(path: url.path, reason: error.localizedDescription)
      }
      guard let piece, !piece.isEmpty else { return true }
      if !piece.allSatisfy(isXMLSpace) { return false }
    }
  }
}
