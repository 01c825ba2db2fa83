import Corpus
import Foundation

/// Reads comma- or tab-separated files through `Corpus.DelimitedText` (RFC 4180, with a quote inside
/// an unquoted field kept as a literal character), whole or 1 MiB at a time, reporting syntax errors
/// as `IngestError.malformed(file:line:expected:found:)`.
///
/// Bytes are UTF-8 (invalid sequences become U+FFFD; no Latin-1 fallback), a leading BOM is dropped,
/// records end at LF, CRLF or a lone CR outside quotes, and blank lines are skipped. Refused: a quote
/// left open (at the line it opened, found "the end of the file") and a character other than the
/// delimiter or a line end after a closing quote (at its line, found that byte). The delimiter
/// must be ASCII; any other `Character` silently becomes a comma. Files add `.fileNotFound` and
/// `.unreadable`; otherwise only `IngestError`, or what `body` throws, escapes.
public struct DelimitedReader: Sendable {
  public var delimiter: UInt8
  public var file: String

  public init(delimiter: Character = ",", file: String) {
    self.delimiter = delimiter.asciiValue ?? UInt8(ascii: ",")
    self.file = file
  }

  /// Calls `body` with each row's fields and its starting line. Empty lines are skipped.
  /// - Throws: `IngestError.malformed` for an unterminated quote or text after a closing quote.
  public func forEachRow(in data: Data, _ body: (_ fields: [String], _ line: Int) throws -> Void) throws {
    do {
      try DelimitedText.forEachRow(in: data, delimiter: delimiter) { try body($0.fields, $0.line) }
    } catch let error as DelimitedText.SyntaxError {
      throw IngestError.malformed(file: file, line: error.line, expected: error.expected, found: error.found)
    }
  }

  /// As `forEachRow(in:_:)`, reading the file at `url` 1 MiB at a time.
  /// - Throws: `IngestError.fileNotFound`, `.unreadable` or `.malformed`, or what `body` throws.
  public func forEachRow(inFile url: URL, _ body: (_ fields: [String], _ line: Int) throws -> Void) throws {
    var reader = DelimitedText.RowReader(delimiter: delimiter)
    do {
      try FileAccess.forEachChunk(of: url) { chunk in try reader.feed(chunk) { try body($0.fields, $0.line) } }
      try reader.finish { try body($0.fields, $0.line) }
    } catch let error as DelimitedText.SyntaxError {
      throw IngestError.malformed(file: file, line: error.line, expected: error.expected, found: error.found)
    }
  }
}
