import Corpus
import Foundation

/// Reads comma- or tab-separated files through `Corpus.DelimitedText`, reporting syntax errors
/// as `IngestError.malformed` with the file and line.
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
