import Corpus
import Foundation

/// Line iteration over in-memory text or a file read in chunks, with lines as `Lines` defines
/// them (LF or CRLF ends, nothing else). File lines are decoded one at a time (UTF-8, with a
/// Latin-1 fallback per line), so files are processed in bounded memory.
enum LineReading {
  /// Calls `body` with every line of `text` and its 1-based line number.
  static func forEachLine(in text: String, _ body: (String, Int) throws -> Void) rethrows {
    try Lines.forEach(in: text) { line, number in try body(String(line), number) }
  }

  /// Calls `body` with every line of the file at `url`, reading 1 MiB at a time.
  static func forEachLine(inFile url: URL, _ body: (String, Int) throws -> Void) throws {
    var assembler = LineAssembler()
    // The assembler already dropped the file's byte-order mark; one inside a later line is text.
    func decoded(_ bytes: [UInt8], _ number: Int) throws { try body(FileAccess.decode(bytes, droppingBOM: false), number) }
    try FileAccess.forEachChunk(of: url) { try assembler.feed($0, decoded) }
    try assembler.finish(decoded)
  }
}
