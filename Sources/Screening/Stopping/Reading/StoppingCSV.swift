import Foundation

/// A small RFC 4180 reader: quoted fields, doubled quotes, LF or CRLF line ends, line breaks
/// inside quotes, blank lines skipped. Each row carries the 1-based line it starts on.
enum StoppingCSV {
  struct Row {
    var line: Int
    var fields: [String]
  }

  static func rows(in text: String, file: String) throws(StoppingError) -> [Row] {
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
    let carriageReturn = UInt8(ascii: "\r")
    var bytes = Array(text.utf8)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }

    var rows: [Row] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var line = 1
    var rowLine = 1
    var inQuotes = false
    var closedQuote = false
    var index = 0

    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
      closedQuote = false
    }
    func endRow() {
      endField()
      if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowLine, fields: fields)) }
      fields.removeAll(keepingCapacity: true)
    }

    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if inQuotes {
        if byte == quote {
          if index < bytes.count, bytes[index] == quote {
            field.append(quote)
            index += 1
          } else {
            inQuotes = false
            closedQuote = true
          }
        } else {
          if byte == newline { line += 1 }
          field.append(byte)
        }
        continue
      }
      switch byte {
      case quote:
        guard field.isEmpty, !closedQuote else {
          throw .malformedCSV(
            file: file, line: line, reason: "expected a quote only at the start of a field, found one inside")
        }
        inQuotes = true
      case comma:
        endField()
      case carriageReturn, newline:
        if byte == carriageReturn, index < bytes.count, bytes[index] == newline { index += 1 }
        endRow()
        line += 1
        rowLine = line
      default:
        guard !closedQuote else {
          throw .malformedCSV(
            file: file, line: line,
            reason: "expected a comma or a line end after a closing quote, found '\(Character(Unicode.Scalar(byte)))'")
        }
        field.append(byte)
      }
    }
    if inQuotes {
      throw .malformedCSV(file: file, line: rowLine, reason: "expected a closing quote, found the end of the file")
    }
    if !field.isEmpty || !fields.isEmpty || closedQuote { endRow() }
    return rows
  }
}
