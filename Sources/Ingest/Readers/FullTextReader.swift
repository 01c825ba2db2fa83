import Corpus
import Foundation

/// The text of one full-text article read from GROBID TEI or PMC JATS XML.
public struct FullTextDocument: Sendable, Equatable, Hashable {
  /// The XML vocabulary a document was read from.
  public enum Format: String, Sendable, Equatable, Hashable {
    /// GROBID's TEI output (`<TEI>` root).
    case tei
    /// JATS / NLM article XML as served by PubMed Central (`<article>` root).
    case jats
  }

  /// The vocabulary of the source document.
  public var format: Format
  /// The article title from the header, or "" when absent.
  public var title: String
  /// The abstract from the header, or "" when absent. Labelled sections are written
  /// `Heading: text`, one section per line (`\n`), as `PubMedXMLReader` does.
  public var abstract: String
  /// The body text: section headings and paragraphs in document order, separated by `\n\n`.
  /// Empty when the document has no body (for example PMC's metadata-only JATS).
  public var mainText: String
  /// The DOI from the header, if any.
  public var doi: String?
  /// The PMID from the header (JATS `article-id pub-id-type="pmid"`), if any.
  public var pmid: String?
  /// The publication year from the header, if any.
  public var year: Int?
  /// Author names as `Surname Forename`.
  public var authors: [String]
  /// The journal title (JATS) or the monograph title (TEI), if any.
  public var venue: String?
  /// Keywords from the header.
  public var keywords: [String]

  /// Creates a document.
  public init(
    format: Format, title: String = "", abstract: String = "", mainText: String = "",
    doi: String? = nil, pmid: String? = nil, year: Int? = nil, authors: [String] = [],
    venue: String? = nil, keywords: [String] = []
  ) {
    self.format = format
    self.title = title
    self.abstract = abstract
    self.mainText = mainText
    self.doi = doi
    self.pmid = pmid
    self.year = year
    self.authors = authors
    self.venue = venue
    self.keywords = keywords
  }

  /// The bibliographic part as a `Record` (without the main text), starting at line 1.
  public var record: Record {
    Record(
      sourceID: pmid ?? doi, pmid: pmid, doi: doi, title: title, abstract: abstract, year: year,
      authors: authors, venue: venue, keywords: keywords, line: 1)
  }
}

/// Reads full texts in GROBID TEI or PMC JATS XML with libxml2, as `PubMedXMLReader` does (encoding
/// from the BOM or declaration, no Latin-1 fallback, no DTD or network, recoverable errors ignored).
/// The format comes from the first element: `<TEI>` or `<article>`, also inside a `<pmc-articleset>`
/// or `<teiCorpus>` wrapper (whose first element must then be the article). Only that article is
/// read; what follows it is not parsed, so later articles or junk are ignored.
/// Refused, as `IngestError.malformed(file:line:expected:found:)`: XML not well formed up to the
/// article's end (at libxml2's line, with its message), another first element (at the parser's
/// line), no element at all (line 1). Missing parts are left empty. Throws only `IngestError`.
/// Main text (`FullTextDocument.mainText`): the body's blocks, joined with `\n\n`. TEI
/// `<text>/<body>`: every `<head>` (without its `n` number) and `<p>`/`<item>`; not `<back>`,
/// `<front>`, the header, `<figure>`, `<note>`, `<formula>`, `<table>`, `<listBibl>`; inline `<ref>`
/// text stays. JATS `<body>`: every `<sec>/<title>` and `<p>` (nested sections, lists, boxes, quotes
/// too); not `<back>`, `<table-wrap>`, `<fig>`, `<disp-formula>`, `<supplementary-material>`,
/// `<ref-list>`, `<fn-group>`; inline `<xref>` stays.
/// Captions are left out in both: they repeat results out of context, and GROBID's tables are noisy.
/// Header: title, abstract (see `FullTextDocument.abstract`), DOI, year, authors, venue, keywords.
public enum FullTextReader {
  /// Reads the full-text XML file at `url`.
  ///
  /// - Throws: `IngestError.fileNotFound`, `.unreadable` or `.malformed`.
  public static func read(contentsOf url: URL) throws -> FullTextDocument {
    try document(from: XMLStream(contentsOf: url))
  }

  /// Parses full-text XML held in memory.
  ///
  /// - Parameters:
  ///   - data: the document bytes.
  ///   - file: the name used in error messages.
  /// - Throws: `IngestError.malformed`.
  public static func parse(_ data: Data, file: String) throws -> FullTextDocument {
    try document(from: XMLStream(data: data, file: file))
  }

  private static func document(from stream: XMLStream) throws -> FullTextDocument {
    while try stream.read() {
      guard stream.isElementStart else { continue }
      switch stream.localName {
      case "TEI":
        return tei(try stream.expand())
      case "article":
        return jats(try stream.expand())
      case "pmc-articleset", "teiCorpus":
        continue
      default:
        throw IngestError.malformed(
          file: stream.file, line: max(1, stream.parserLine),
          expected: "a <TEI> (GROBID) or <article> (JATS) root element",
          found: "<\(stream.localName)>")
      }
    }
    throw IngestError.malformed(
      file: stream.file, line: 1, expected: "a <TEI> (GROBID) or <article> (JATS) root element",
      found: "no element")
  }

  // MARK: - Blocks

  private enum BlockKind { case heading, paragraph }

  private struct Block {
    var kind: BlockKind
    var text: String
  }

  /// Collects heading and paragraph blocks below `node` in document order.
  private static func blocks(
    in node: XMLNode, headings: Set<String>, paragraphs: Set<String>, skipping: Set<String>
  ) -> [Block] {
    var result: [Block] = []
    for child in node.children {
      let name = child.name
      if skipping.contains(name) { continue }
      if headings.contains(name) {
        let text = child.text(skipping: skipping)
        if !text.isEmpty { result.append(Block(kind: .heading, text: text)) }
      } else if paragraphs.contains(name) {
        let text = child.text(skipping: skipping)
        if !text.isEmpty { result.append(Block(kind: .paragraph, text: text)) }
      } else {
        result += blocks(in: child, headings: headings, paragraphs: paragraphs, skipping: skipping)
      }
    }
    return result
  }

  private static func mainText(_ blocks: [Block]) -> String {
    blocks.map(\.text).joined(separator: "\n\n")
  }

  /// Abstract text: a heading merges with the paragraphs that follow it as `Heading: text`;
  /// sections are joined with `\n`.
  private static func abstractText(_ blocks: [Block]) -> String {
    var sections: [String] = []
    var pendingHeading: String?
    for block in blocks {
      switch block.kind {
      case .heading:
        if let heading = pendingHeading { sections.append(heading) }
        pendingHeading = block.text
      case .paragraph:
        if let heading = pendingHeading {
          sections.append("\(heading): \(block.text)")
          pendingHeading = nil
        } else {
          sections.append(block.text)
        }
      }
    }
    if let heading = pendingHeading { sections.append(heading) }
    return sections.joined(separator: "\n")
  }

  // MARK: - TEI

  private static let teiSkipped: Set<String> = ["figure", "note", "formula", "table", "listBibl"]

  private static func tei(_ root: XMLNode) -> FullTextDocument {
    var document = FullTextDocument(format: .tei)
    let header = root.child("teiHeader")
    let titles = header?.path("fileDesc", "titleStmt")?.children("title") ?? []
    document.title =
      (titles.first { $0.attribute("type") == "main" } ?? titles.first)?.text() ?? ""
    if let abstract = header?.path("profileDesc", "abstract") {
      document.abstract = abstractText(
        blocks(in: abstract, headings: ["head"], paragraphs: ["p"], skipping: teiSkipped))
    }
    let source = header?.path("fileDesc", "sourceDesc", "biblStruct")
    document.doi = source?.descendants("idno").first { $0.attribute("type")?.uppercased() == "DOI" }
      .map { $0.text() }
    let dates =
      (header?.path("fileDesc", "publicationStmt")?.children("date") ?? [])
      + (source?.descendants("date") ?? [])
    document.year =
      dates.lazy.compactMap { date in
        TextScan.year(in: date.attribute("when") ?? date.text())
      }.first
    document.authors = (source?.path("analytic")?.children("author") ?? []).compactMap { author in
      guard let person = author.child("persName") else { return nil }
      let surname = person.child("surname")?.text() ?? ""
      let forenames = person.children("forename").map { $0.text() }.joined(separator: " ")
      return PubMedXMLReader.nonEmpty([surname, forenames].filter { !$0.isEmpty }.joined(separator: " "))
    }
    document.venue = PubMedXMLReader.nonEmpty(source?.path("monogr", "title")?.text())
    document.keywords = (header?.path("profileDesc", "textClass", "keywords")?.children("term") ?? [])
      .map { $0.text() }.filter { !$0.isEmpty }
    if let body = root.path("text", "body") {
      document.mainText = mainText(
        blocks(in: body, headings: ["head"], paragraphs: ["p", "item"], skipping: teiSkipped))
    }
    return document
  }

  // MARK: - JATS

  private static let jatsSkipped: Set<String> = [
    "table-wrap", "table-wrap-group", "fig", "fig-group", "disp-formula", "disp-formula-group",
    "supplementary-material", "ref-list", "fn-group", "graphic", "media", "alternatives",
  ]

  private static func jats(_ root: XMLNode) -> FullTextDocument {
    var document = FullTextDocument(format: .jats)
    let meta = root.path("front", "article-meta")
    document.title = meta?.path("title-group", "article-title")?.text(skipping: ["xref"]) ?? ""
    let abstracts = meta?.children("abstract") ?? []
    if let abstract = abstracts.first(where: { $0.attribute("abstract-type") == nil })
      ?? abstracts.first
    {
      document.abstract = abstractText(
        blocks(in: abstract, headings: ["title"], paragraphs: ["p"], skipping: jatsSkipped))
    }
    for id in meta?.children("article-id") ?? [] {
      switch id.attribute("pub-id-type") {
      case "doi"?: document.doi = PubMedXMLReader.nonEmpty(id.text())
      case "pmid"?: document.pmid = PubMedXMLReader.nonEmpty(id.text())
      default: break
      }
    }
    document.year =
      (meta?.children("pub-date") ?? []).lazy.compactMap {
        Int($0.child("year")?.text() ?? "")
      }.first
    document.authors = (meta?.children("contrib-group") ?? []).flatMap { $0.children("contrib") }
      .filter { ($0.attribute("contrib-type") ?? "author") == "author" }
      .compactMap { contributor in
        if let name = contributor.child("name") ?? contributor.child("string-name") {
          let surname = name.child("surname")?.text() ?? ""
          let given = name.child("given-names")?.text() ?? ""
          return PubMedXMLReader.nonEmpty([surname, given].filter { !$0.isEmpty }.joined(separator: " "))
        }
        return PubMedXMLReader.nonEmpty(contributor.child("collab")?.text())
      }
    let journal = root.path("front", "journal-meta")
    document.venue = PubMedXMLReader.nonEmpty(
      journal?.path("journal-title-group", "journal-title")?.text()
        ?? journal?.child("journal-title")?.text())
    document.keywords = (meta?.children("kwd-group") ?? []).flatMap { $0.children("kwd") }
      .map { $0.text() }.filter { !$0.isEmpty }
    if let body = root.child("body") {
      document.mainText = mainText(
        blocks(in: body, headings: ["title"], paragraphs: ["p"], skipping: jatsSkipped))
    }
    return document
  }
}
