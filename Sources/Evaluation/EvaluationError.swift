import Failures
import Foundation

/// An error raised while reading runs or labels, or while evaluating a run against labels.
///
/// Every message follows the pattern *where (file:line), what was expected, what was found*,
/// so that a user can fix the input without reading the source.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file could not be read from disk.
  case unreadableFile(file: String, reason: String)
  /// The file contains no data lines.
  case emptyInput(file: String, expected: String)
  /// A whitespace-separated line has the wrong number of fields.
  case wrongFieldCount(file: String, line: Int, expected: Int, found: Int)
  /// A field that must be a number is not one.
  case invalidNumber(file: String, line: Int, field: String, found: String)
  /// A field holds a value outside the allowed set (for example a run's action column).
  case invalidValue(file: String, line: Int, field: String, expected: String, found: String)
  /// A CSV header lacks a required column.
  case missingColumn(file: String, line: Int, column: String, header: [String])
  /// A CSV line is malformed (unterminated quote, stray quote, …).
  case malformedCSV(file: String, line: Int, reason: String)
  /// The run format could not be recognised from the first line.
  case unknownRunFormat(file: String, line: Int, found: String)
  /// A review (topic) of the run has no labels.
  case reviewNotInLabels(file: String, line: Int, reviewID: String, labelsFile: String)
  /// An option has a value outside its domain.
  case invalidOption(name: String, expected: String, found: String)
  /// Two evaluation reports cannot be compared.
  case incomparableReports(reason: String)

  /// The message: `file:line: expected …, found …`.
  public var description: String {
    switch self {
    case .unreadableFile(let file, let reason):
      return "\(file): cannot read the file: \(reason)"
    case .emptyInput(let file, let expected):
      return "\(file):1: empty input: expected \(expected), found no data lines"
    case .wrongFieldCount(let file, let line, let expected, let found):
      return "\(file):\(line): expected \(expected) whitespace-separated fields, found \(found)"
    case .invalidNumber(let file, let line, let field, let found):
      return "\(file):\(line): expected a number in field '\(field)', found '\(found)'"
    case .invalidValue(let file, let line, let field, let expected, let found):
      return "\(file):\(line): expected \(expected) in field '\(field)', found '\(found)'"
    case .missingColumn(let file, let line, let column, let header):
      return
        "\(file):\(line): expected a column '\(column)' in the header, found columns "
        + header.map { "'\($0)'" }.joined(separator: ", ")
    case .malformedCSV(let file, let line, let reason):
      return "\(file):\(line): malformed CSV: \(reason)"
    case .unknownRunFormat(let file, let line, let found):
      return
        "\(file):\(line): cannot detect the run format: expected a csmed CSV header "
        + "(review_id,document_id,rank,score), a TREC line (topic Q0 doc rank score tag) or a "
        + "CLEF TAR line (topic 0|1|AF|NF|NS doc rank score tag), found '\(found)'"
    case .reviewNotInLabels(let file, let line, let reviewID, let labelsFile):
      return
        "\(file):\(line): review '\(reviewID)' has no labels in \(labelsFile): expected every "
        + "review of the run to be labelled"
    case .invalidOption(let name, let expected, let found):
      return "invalid option \(name): expected \(expected), found \(found)"
    case .incomparableReports(let reason):
      return "cannot compare the runs: \(reason)"
    }
  }
}

extension EvaluationError: CategorizedError {
  public var category: ErrorCategory {
    switch self {
    case .unreadableFile: .noInput
    case .invalidOption, .incomparableReports: .usage
    case .emptyInput, .wrongFieldCount, .invalidNumber, .invalidValue, .missingColumn, .malformedCSV, .unknownRunFormat,
      .reviewNotInLabels:
      .data
    }
  }
}
