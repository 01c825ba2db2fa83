import Corpus
import Foundation

/// Reads TREC/CLEF qrels files (`topic iteration document relevance`) through `Corpus.TRECQrels`,
/// reporting errors as `IngestError`.
///
/// A file is read whole: UTF-8, or Latin-1 for the whole file when any byte is invalid, a leading
/// BOM dropped; lines end at LF or CRLF only, fields at any run of Unicode whitespace, blank lines
/// are skipped. Refused, as `IngestError.malformed(file:line:expected:found:)` at the line: a line
/// of other than 4 fields (found "N fields") and a relevance that is not an integer (found it,
/// quoted). Kept as they stand: the iteration field's value (unchecked), grades of any sign, and
/// repeated judgements, in file order; an empty file gives `[]`. Throws only `IngestError`
/// (`.fileNotFound` or `.unreadable` for the file, `.malformed`).
public enum QrelsReader {
  public static func read(contentsOf url: URL) throws -> [Judgement] {
    try parse(FileContents.text(at: url), file: url.path)
  }

  public static func parse(_ text: String, file: String) throws -> [Judgement] {
    do {
      return try TRECQrels.judgements(in: text)
    } catch {
      switch error {
      case .fieldCount(let line, let found):
        throw IngestError.malformed(
          file: file, line: line, expected: "4 fields 'topic 0 document relevance'", found: "\(found) fields")
      case .relevance(let line, let found):
        throw IngestError.malformed(file: file, line: line, expected: "an integer relevance", found: "'\(found)'")
      }
    }
  }
}
