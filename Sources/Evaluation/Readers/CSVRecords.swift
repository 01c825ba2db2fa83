import Corpus
import Foundation

/// CSV rows for the run reader, through the project's one tokenizer (`Corpus.DelimitedText`,
/// strict about quotes inside unquoted fields).
enum CSVRecords {
  struct Record {
    var line: Int
    var fields: [String]
  }

  static func parse(_ contents: String, file: String) throws(EvaluationError) -> [Record] {
    do {
      return try DelimitedText.rows(in: contents, strictQuotes: true).map { Record(line: $0.line, fields: $0.fields) }
    } catch {
      throw .malformedCSV(file: file, line: error.line, reason: "expected \(error.expected), found \(error.found)")
    }
  }
}
