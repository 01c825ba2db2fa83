import Foundation

/// A minimal RFC 4180 CSV tokenizer: quoted fields, doubled quotes, CRLF or LF line ends,
/// line breaks inside quotes. Each record carries the 1-based line it starts on.
enum CSVRecords {
  struct Record {
    var line: Int
    var fields: [String]
  }

  static func parse(_ contents: String, file: String) throws(EvaluationError) -> [Record] {
    var records: [Record] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var inQuotes = false
    var fieldWasQuoted = false
    var line = 1
    var recordLine = 1
    let bytes = Array(contents.utf8)
    var index = 0

    func finishField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
      fieldWasQuoted = false
    }
    func finishRecord() {
      finishField()
      let isBlank = fields.count == 1 && fields[0].isEmpty
      if !isBlank { records.append(Record(line: recordLine, fields: fields)) }
      fields.removeAll(keepingCapacity: true)
    }

    while index < bytes.count {
      let byte = bytes[index]
      if inQuotes {
        if byte == UInt8(ascii: "\"") {
          if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
            field.append(byte)
            index += 2
            continue
          }
          inQuotes = false
        } else {
          if byte == UInt8(ascii: "\n") { line += 1 }
          field.append(byte)
        }
        index += 1
        continue
      }
      switch byte {
      case UInt8(ascii: "\""):
        if !field.isEmpty || fieldWasQuoted {
          throw .malformedCSV(
            file: file, line: line, reason: "expected a quote only at the start of a field, found one inside")
        }
        inQuotes = true
        fieldWasQuoted = true
      case UInt8(ascii: ","):
        finishField()
      case UInt8(ascii: "\r"):
        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
          index += 1
        }
        finishRecord()
        line += 1
        recordLine = line
      case UInt8(ascii: "\n"):
        finishRecord()
        line += 1
        recordLine = line
      default:
        if fieldWasQuoted {
          throw .malformedCSV(
            file: file, line: line,
            reason: "expected a comma or line end after a closing quote, found '\(Character(Unicode.Scalar(byte)))'")
        }
        field.append(byte)
      }
      index += 1
    }
    if inQuotes {
      throw .malformedCSV(
        file: file, line: recordLine, reason: "expected a closing quote, found the end of the file")
    }
    if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { finishRecord() }
    return records
  }
}
