import Foundation

/// RFC 4180 reader for comma- or tab-separated files: quoted fields, doubled quotes, embedded
/// newlines, CRLF or LF line ends, and a UTF-8 byte-order mark.
///
/// Rows are handed to a closure one at a time, with the 1-based line on which each row starts,
/// so callers can report errors precisely without holding all rows.
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
    let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      let bytes = raw.bindMemory(to: UInt8.self)
      var i = 0
      let n = bytes.count
      if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
      var line = 1
      var fields: [String] = []
      var field: [UInt8] = []
      var rowStart = 1
      var inQuotes = false
      var quotedField = false
      var quoteStartLine = 1

      func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        quotedField = false
      }
      func endRow() throws {
        endField()
        let isBlank = fields.count == 1 && fields[0].isEmpty
        if !isBlank { try body(fields, rowStart) }
        fields.removeAll(keepingCapacity: true)
      }

      while i < n {
        let byte = bytes[i]
        if inQuotes {
          if byte == quote {
            if i + 1 < n && bytes[i + 1] == quote {
              field.append(quote)
              i += 2
              continue
            }
            inQuotes = false
            i += 1
            if i < n && bytes[i] != delimiter && bytes[i] != cr && bytes[i] != lf {
              let found = String(decoding: [bytes[i]], as: UTF8.self)
              throw IngestError.malformed(
                file: file, line: line, expected: "a delimiter or line end after a closing quote",
                found: "'\(found)'")
            }
            continue
          }
          if byte == lf { line += 1 }
          field.append(byte)
          i += 1
          continue
        }
        switch byte {
        case quote where field.isEmpty && !quotedField:
          inQuotes = true
          quotedField = true
          quoteStartLine = line
          i += 1
        case delimiter:
          endField()
          i += 1
        case cr, lf:
          if byte == cr && i + 1 < n && bytes[i + 1] == lf { i += 1 }
          i += 1
          try endRow()
          line += 1
          rowStart = line
        default:
          field.append(byte)
          i += 1
        }
      }
      if inQuotes {
        throw IngestError.malformed(
          file: file, line: quoteStartLine, expected: "a closing quote for the field opened here",
          found: "end of file")
      }
      if !field.isEmpty || !fields.isEmpty || quotedField { try endRow() }
    }
  }
}
