import Foundation

/// The one RFC 4180 tokenizer of csmed (sources, runs, labelling orders): quoted fields, doubled
/// quotes, line breaks inside quotes, CRLF or LF line ends, a UTF-8 byte-order mark, blank lines
/// skipped. Each row carries the 1-based line it starts on so readers can name it in errors.
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
    let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
    let buffer = Array(bytes)
    var i = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    let n = buffer.count
    var line = 1, rowStart = 1, quoteStartLine = 1
    var fields: [String] = []
    var field: [UInt8] = []
    var inQuotes = false, quotedField = false

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

    while i < n {
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
    if inQuotes {
      throw SyntaxError(line: quoteStartLine, expected: "a closing quote", found: "the end of the file")
    }
    if !field.isEmpty || !fields.isEmpty || quotedField { try endRow() }
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
