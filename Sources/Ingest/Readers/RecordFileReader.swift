import Corpus
import Foundation

/// Reads a search export in any supported format, chosen by extension and, failing that, content:
/// CSV/TSV (ASReview columns), RIS, BibTeX, PubMed XML, MEDLINE (.nbib), JSON Lines.
///
/// Extensions, in any case: `csv`/`tsv`/`tab`, `ris`/`enw`, `bib`/`bibtex`, `xml` (always PubMed
/// XML), `nbib`/`medline`, `jsonl`/`ndjson`. Otherwise the first 2 KiB, decoded (UTF-8 or Latin-1,
/// BOM dropped) and trimmed, decide: `<` XML, `TY  -` RIS, `PMID-` MEDLINE, `@` BibTeX, `{` JSON
/// Lines, anything else CSV, so an unknown file is usually refused for lacking a title column.
/// Encoding, line ends, refusals and repairs are those of the chosen reader (`TabularRecordReader`,
/// `RISReader`, `BibTeXReader`, `PubMedXMLReader`, `MEDLINEReader`, `JSONLinesReader`); a missing or
/// unreadable file is `.fileNotFound` or `.unreadable`. CSV/TSV, RIS, MEDLINE and PubMed XML are
/// streamed; BibTeX and JSON Lines are read whole. Throws only `IngestError` (and what `body` throws).
public enum RecordFileReader {
  /// The formats a search export can come in.
  public enum Format: Sendable {
    case tabular, ris, bibtex, pubmedXML, medline, jsonLines
  }

  /// The format of `url`: by extension, else by the first non-blank bytes.
  public static func format(of url: URL) throws -> Format {
    switch url.pathExtension.lowercased() {
    case "csv", "tsv", "tab": return .tabular
    case "ris", "enw": return .ris
    case "bib", "bibtex": return .bibtex
    case "xml": return .pubmedXML
    case "nbib", "medline": return .medline
    case "jsonl", "ndjson": return .jsonLines
    default:
      let head = FileAccess.decode(try FileAccess.prefix(of: url, count: 2048)).trimmingCharacters(in: .whitespacesAndNewlines)
      if head.hasPrefix("<") { return .pubmedXML }
      if head.hasPrefix("TY  -") { return .ris }
      if head.hasPrefix("PMID-") { return .medline }
      if head.hasPrefix("@") { return .bibtex }
      if head.hasPrefix("{") { return .jsonLines }
      return .tabular
    }
  }

  public static func read(contentsOf url: URL) throws -> [Record] {
    switch try format(of: url) {
    case .tabular: try TabularRecordReader.read(contentsOf: url)
    case .ris: try RISReader.read(contentsOf: url)
    case .bibtex: try BibTeXReader.read(contentsOf: url)
    case .pubmedXML: try PubMedXMLReader.read(contentsOf: url)
    case .medline: try MEDLINEReader.read(contentsOf: url)
    case .jsonLines: try JSONLinesReader.read(contentsOf: url)
    }
  }

  /// Whether `forEachRecord(contentsOf:_:)` streams this file rather than parsing it whole.
  public static func isStreamed(_ url: URL) throws -> Bool {
    switch try format(of: url) {
    case .tabular, .ris, .medline, .pubmedXML: true
    case .bibtex, .jsonLines: false
    }
  }

  /// Calls `body` with each record of the file in order. CSV/TSV, RIS, MEDLINE and PubMed XML
  /// are streamed record by record (memory stays flat however long the file); BibTeX and JSON
  /// Lines are parsed whole first.
  public static func forEachRecord(contentsOf url: URL, _ body: (Record) throws -> Void) throws {
    switch try format(of: url) {
    case .ris: try RISReader.forEachRecord(inFile: url, body)
    case .medline: try MEDLINEReader.forEachRecord(inFile: url, body)
    case .pubmedXML: try PubMedXMLReader.forEachRecord(inFile: url, body)
    case .tabular: try TabularRecordReader.forEachRecord(inFile: url, body)
    case .bibtex, .jsonLines: for record in try read(contentsOf: url) { try body(record) }
    }
  }
}
