import Foundation

/// The one RFC 4180 tokenizer of csmed (sources, runs, labelling orders), over bytes, whole or fed in
/// pieces (`RowReader` gives the same rows however the input is cut).
///
/// Fields are split by an ASCII delimiter; a field opening with `"` is quoted and may hold the
/// delimiter, CR and LF, with `""` for a quote. Records end at LF, CRLF or a lone CR outside quotes
/// (as Python's csv module); a leading UTF-8 BOM is dropped; fields are decoded as UTF-8 with invalid
/// bytes replaced by U+FFFD. Rows carry the 1-based line they start on (a line end outside quotes or
/// an LF inside them counts). Skipped silently: rows of one empty field (empty lines, a lone `""`);
/// a line of spaces is a row. Refused as `SyntaxError(line:expected:found:)`: a quote still open at
/// the end (at the line it opened), a byte other than the delimiter, CR or LF after a closing quote
/// (at its line), and, with `strictQuotes`, a quote inside an unquoted field (else it is literal).
/// Throws only `SyntaxError`, or what `body` throws; each reader wraps it in its own error type.
public enum DelimitedText {
  public struct Row: Sendable, Equatable {
    public var fields: [String]
    public var line: Int
  }

  /// What is wrong with the text, where: each reader wraps it in its own error type.
  public struct SyntaxError: Error, Sendable, Equatable {
    public var line: Int
    public var expected: String
    public var found: String
  }

  /// Calls `body` with each row in order.
  /// - Parameters:
  ///   - delimiter: An ASCII separator, `,` or a tab.
  ///   - strictQuotes: Whether a quote inside an unquoted field is an error (RFC 4180) or a
  ///     literal character (what spreadsheet exports of bibliographic data need).
  /// - Throws: `SyntaxError`, or whatever `body` throws.
  public static func forEachRow(
    in bytes: some Collection<UInt8>, delimiter: UInt8 = UInt8(ascii: ","), strictQuotes: Bool = false,
    _ body: (Row) throws -> Void
  ) throws {
    var reader = RowReader(delimiter: delimiter, strictQuotes: strictQuotes)
    try reader.feed(bytes, body)
    try reader.finish(body)
  }

  /// The tokenizer fed piece by piece (a file read in chunks): rows come out as soon as they
  /// end, however a quoted field or a line end is split between pieces.
  public struct RowReader {
    public let delimiter: UInt8
    public let strictQuotes: Bool
    private var line = 1, rowStart = 1, quoteStartLine = 1
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var inQuotes = false, quotedField = false
    /// Bytes not yet scanned: the scan always keeps one byte of look-ahead.
    private var carry: [UInt8] = []
    private var atStart = true

    public init(delimiter: UInt8 = UInt8(ascii: ","), strictQuotes: Bool = false) {
      self.delimiter = delimiter
      self.strictQuotes = strictQuotes
    }

    /// Scans the next piece of the text.
    public mutating func feed(_ bytes: some Collection<UInt8>, _ body: (Row) throws -> Void) throws {
      carry.append(contentsOf: bytes)
      if atStart {
        // A byte-order mark may itself be split between pieces.
        if carry.count < 3, [0xEF, 0xBB, 0xBF].starts(with: carry) { return }
        atStart = false
        if carry.starts(with: [0xEF, 0xBB, 0xBF]) { carry.removeFirst(3) }
      }
      try scan(final: false, body)
    }

    /// Scans what is left at the end of the text.
    public mutating func finish(_ body: (Row) throws -> Void) throws {
      if atStart, carry.starts(with: [0xEF, 0xBB, 0xBF]) { carry.removeFirst(3) }
      atStart = false
      try scan(final: true, body)
    }

    /// Scans `carry`; unless `final`, stops one byte short of its end, so that every look-ahead
    /// (a doubled quote, CR LF, the byte after a closing quote) sees the real next byte. The
    /// state lives in locals while scanning (written back on exit): the loop runs per byte.
    private mutating func scan(final: Bool, _ body: (Row) throws -> Void) throws {
      let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
      let delimiter = self.delimiter, strictQuotes = self.strictQuotes
      var line = self.line, rowStart = self.rowStart, quoteStartLine = self.quoteStartLine
      var fields = self.fields, field = self.field
      var inQuotes = self.inQuotes, quotedField = self.quotedField
      self.fields = []
      self.field = []
      let buffer = carry
      let n = buffer.count
      let limit = final ? n : n - 1
      var i = 0
      defer {
        (self.line, self.rowStart, self.quoteStartLine) = (line, rowStart, quoteStartLine)
        (self.fields, self.field, self.inQuotes, self.quotedField) = (fields, field, inQuotes, quotedField)
        carry.removeFirst(min(i, n))
      }
      func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        quotedField = false
      }
      func endRow() throws {
        endField()
        if !(fields.count == 1 && fields[0].isEmpty) { try body(Row(fields: fields, line: rowStart)) }
        fields.removeAll(keepingCapacity: true)
      }
      while i < limit {
        let byte = buffer[i]
        if inQuotes {
          if byte == quote {
            if i + 1 < n && buffer[i + 1] == quote {
              field.append(quote)
              i += 2
              continue
            }
            inQuotes = false
            i += 1
            if i < n && buffer[i] != delimiter && buffer[i] != cr && buffer[i] != lf {
              let separator = delimiter == UInt8(ascii: "\t") ? "a tab" : "'\(Character(Unicode.Scalar(delimiter)))'"
              throw SyntaxError(
                line: line, expected: "\(separator) or a line end after a closing quote",
                found: "'\(String(decoding: [buffer[i]], as: UTF8.self))'")
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
        case quote where strictQuotes:
          throw SyntaxError(line: line, expected: "a quote only at the start of a field", found: "one inside")
        case delimiter:
          endField()
          i += 1
        case cr, lf:
          if byte == cr && i + 1 < n && buffer[i + 1] == lf { i += 1 }
          i += 1
          try endRow()
          line += 1
          rowStart = line
        default:
          field.append(byte)
          i += 1
        }
      }
      guard final else { return }
      if inQuotes {
        throw SyntaxError(line: quoteStartLine, expected: "a closing quote", found: "the end of the file")
      }
      if !field.isEmpty || !fields.isEmpty || quotedField { try endRow() }
    }
  }

  /// A field as RFC 4180 writes it: quoted when it holds a comma, quote, CR or LF (or leading or
  /// trailing spaces, which readers may trim), with inner quotes doubled.
  public static func quoted(_ field: String) -> String {
    let needsQuotes = field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
      || field.first == " " || field.last == " "
    return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
  }

  /// All rows of a text.
  public static func rows(in text: String, delimiter: UInt8 = UInt8(ascii: ","), strictQuotes: Bool = false) throws(SyntaxError) -> [Row] {
    var rows: [Row] = []
    do {
      try forEachRow(in: text.utf8, delimiter: delimiter, strictQuotes: strictQuotes) { rows.append($0) }
    } catch let error as SyntaxError {
      throw error
    } catch {
      preconditionFailure("the row collector does not throw")
    }
    return rows
  }
}
