import Failures
import Foundation

/// An error raised while building a screening state, configuring a stopping rule, simulating
/// rules over a ranking or reading a screening log.
///
/// Every message follows the pattern *where (file:line or rule), what was expected, what was
/// found*, so that a user can fix the input without reading the source.
public enum StoppingError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A rule parameter is outside its domain.
  case invalidParameter(rule: String, parameter: String, expected: String, found: String)
  /// A rule specification (`--stop knee,target:10`) names no known rule or is malformed.
  case unknownRule(specification: String, known: [String])
  /// The screening state is inconsistent (counts that do not add up, scores that are not finite).
  case inconsistentState(reason: String)
  /// A simulation needs at least one relevant record to measure recall.
  case noRelevantRecords(records: Int)
  /// The file could not be read from disk.
  case unreadableFile(file: String, reason: String)
  /// The file has no header or no data lines.
  case emptyInput(file: String, expected: String)
  /// The CSV header lacks a required column.
  case missingColumn(file: String, line: Int, column: String, header: [String])
  /// A CSV line is malformed (unterminated quote, stray quote, wrong field count).
  case malformedCSV(file: String, line: Int, reason: String)
  /// A field holds a value outside the allowed set.
  case invalidValue(file: String, line: Int, field: String, expected: String, found: String)
  /// Two rows share a value that must be unique (an order or a document id).
  case duplicateValue(file: String, line: Int, field: String, value: String, firstLine: Int)
  /// The orders of the screened records are not 1, 2, …, n.
  case gapInOrder(file: String, expected: Int, found: Int, line: Int)

  /// The message: `file:line: expected …, found …`.
  public var description: String {
    switch self {
    case .invalidParameter(let rule, let parameter, let expected, let found):
      return "stopping rule \(rule): expected \(expected) for \(parameter), found \(found)"
    case .unknownRule(let specification, let known):
      return
        "unknown stopping rule '\(specification)': expected one of "
        + known.joined(separator: ", ")
    case .inconsistentState(let reason):
      return "inconsistent screening state: \(reason)"
    case .noRelevantRecords(let records):
      return
        "cannot simulate stopping rules: expected at least one relevant record to measure recall, "
        + "found none among \(records) records"
    case .unreadableFile(let file, let reason):
      return "\(file): cannot read the file: \(reason)"
    case .emptyInput(let file, let expected):
      return "\(file):1: empty input: expected \(expected), found nothing"
    case .missingColumn(let file, let line, let column, let header):
      return
        "\(file):\(line): expected a column '\(column)' in the header, found columns "
        + header.map { "'\($0)'" }.joined(separator: ", ")
    case .malformedCSV(let file, let line, let reason):
      return "\(file):\(line): malformed CSV: \(reason)"
    case .invalidValue(let file, let line, let field, let expected, let found):
      return "\(file):\(line): expected \(expected) in field '\(field)', found '\(found)'"
    case .duplicateValue(let file, let line, let field, let value, let firstLine):
      return "\(file):\(line): expected a unique '\(field)', found '\(value)' again (first on line \(firstLine))"
    case .gapInOrder(let file, let expected, let found, let line):
      return
        "\(file):\(line): expected the screened records to have orders 1, 2, 3, … without gaps, "
        + "found order \(found) where \(expected) was expected"
    }
  }
}

extension StoppingError: CategorizedError {
  /// A bad rule or parameter is the request's fault; a labels file that cannot be read is
  /// missing; everything else is wrong content of the labels.
  public var category: ErrorCategory {
    switch self {
    case .invalidParameter, .unknownRule: .usage
    case .unreadableFile: .noInput
    case .inconsistentState, .noRelevantRecords, .emptyInput, .missingColumn, .malformedCSV, .invalidValue, .duplicateValue,
      .gapInOrder:
      .data
    }
  }
}
