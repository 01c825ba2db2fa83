import Corpus
import Foundation

/// CSV rows for the labelling-order reader, through the project's one tokenizer
/// (`Corpus.DelimitedText`, strict about quotes inside unquoted fields).
enum StoppingCSV {
  struct Row {
    var line: Int
    var fields: [String]
  }

  static func rows(in text: String, file: String) throws(StoppingError) -> [Row] {
    do {
      return try DelimitedText.rows(in: text, strictQuotes: true).map { Row(line: $0.line, fields: $0.fields) }
    } catch {
      throw .malformedCSV(file: file, line: error.line, reason: "expected \(error.expected), found \(error.found)")
    }
  }
}
