import Corpus
import Foundation

/// Writes records as an ASReview-compatible CSV that `TabularRecordReader` reads back unchanged.
public enum CSVWriter {
  public static let header = ["record_id", "pmid", "doi", "title", "abstract", "authors", "year", "journal", "keywords", "label_included"]

  /// The columns of a screen's record output: ASReview's names first (what ASReview LAB, Rayyan
  /// and reference managers import), then what else a record carries and the screen's rank and score.
  public static let screeningHeader = [
    "record_id", "title", "abstract", "authors", "year", "doi", "keywords", "included", "pmid", "journal", "rank", "score",
  ]

  /// One row of `screeningHeader` (with its line end).
  public static func screeningRow(_ record: Record, id: String, rank: Int, score: String) -> String {
    let fields: [String] = [
      id, record.title, record.abstract, record.authors.joined(separator: "; "), record.year.map(String.init) ?? "",
      record.doi ?? "", record.keywords.joined(separator: "; "), record.label.map(String.init) ?? "", record.pmid ?? "",
      record.venue ?? "", String(rank), score,
    ]
    return fields.map(DelimitedText.quoted).joined(separator: ",") + "\n"
  }

  public static func write(_ records: [Record]) -> String {
    var lines = [header.joined(separator: ",")]
    for record in records {
      let fields: [String] = [
        record.sourceID ?? "", record.pmid ?? "", record.doi ?? "", record.title, record.abstract,
        record.authors.joined(separator: "; "), record.year.map(String.init) ?? "", record.venue ?? "",
        record.keywords.joined(separator: "; "), record.label.map(String.init) ?? "",
      ]
      lines.append(fields.map(DelimitedText.quoted).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
