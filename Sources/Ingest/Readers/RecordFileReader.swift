import Corpus
import Foundation

/// Reads a search export in any supported format, chosen by extension and, failing that, content:
/// CSV/TSV (ASReview columns), RIS, BibTeX, PubMed XML, MEDLINE (.nbib), JSON Lines.
public enum RecordFileReader {
  public static func read(contentsOf url: URL) throws -> [Record] {
    switch url.pathExtension.lowercased() {
    case "csv", "tsv", "tab": return try TabularRecordReader.read(contentsOf: url)
    case "ris", "enw": return try RISReader.read(contentsOf: url)
    case "bib", "bibtex": return try BibTeXReader.read(contentsOf: url)
    case "xml": return try PubMedXMLReader.read(contentsOf: url)
    case "nbib", "medline": return try MEDLINEReader.read(contentsOf: url)
    case "jsonl", "ndjson": return try JSONLinesReader.read(contentsOf: url)
    default:
      let head = FileAccess.decode(try FileContents.data(at: url).prefix(2048)).trimmingCharacters(in: .whitespacesAndNewlines)
      if head.hasPrefix("<") { return try PubMedXMLReader.read(contentsOf: url) }
      if head.hasPrefix("TY  -") { return try RISReader.read(contentsOf: url) }
      if head.hasPrefix("PMID-") { return try MEDLINEReader.read(contentsOf: url) }
      if head.hasPrefix("@") { return try BibTeXReader.read(contentsOf: url) }
      if head.hasPrefix("{") { return try JSONLinesReader.read(contentsOf: url) }
      return try TabularRecordReader.read(contentsOf: url)
    }
  }
}
