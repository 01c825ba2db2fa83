import Corpus
import Foundation

/// Writes records as an ASReview-compatible CSV that `TabularRecordReader` reads back unchanged.
public enum CSVWriter {
  public static let header = ["record_id", "pmid", "doi", "title", "abstract", "authors", "year", "journal", "keywords", "label_included"]

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
