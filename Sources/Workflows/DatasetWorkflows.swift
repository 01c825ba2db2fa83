import Corpus
import Foundation
import Ingest
import Store

/// `csmed stats`, `search`, `suggest` and `export`: read-only views of the meta-dataset.
public enum DatasetWorkflows {
  public static func statistics(database: URL, by grouping: DatasetStore.Grouping) throws -> [StatisticsRow] {
    try DatasetStore.open(at: database.path).statistics(by: grouping)
  }

  public static func search(database: URL, query: String, review: String?, limit: Int) throws -> [SearchHit] {
    let store = try DatasetStore.open(at: database.path)
    let reviewID = try review.map { try store.review(matching: $0).id }
    do {
      return try store.search(query, review: reviewID, limit: limit)
    } catch StoreError.sqlite(let error) where error.code == 1 {
      throw WorkflowError.usage("invalid search query '\(query)': \(error.message)")
    }
  }

  public static func suggest(database: URL, prefix: String, limit: Int) throws -> [String] {
    try DatasetStore.open(at: database.path).suggest(prefix, limit: limit)
  }

  public enum ExportFormat: String, Sendable, CaseIterable { case csv, ris, jsonl, qrels }

  /// A review's candidate list with the stage's labels, in one of the export formats.
  public static func export(database: URL, review key: String, stage: Stage, format: ExportFormat) throws -> String {
    let store = try DatasetStore.open(at: database.path)
    let review = try store.review(matching: key)
    let rows = try store.candidates(ofReview: review.id, stage: stage)
    let records = rows.map { row -> Record in
      var record = row.record
      record.sourceID = record.sourceID ?? String(row.documentID)
      return record
    }
    switch format {
    case .csv: return CSVWriter.write(records)
    case .ris: return RISWriter.write(records)
    case .jsonl:
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      return try rows.map { row in
        let object = ExportedDocument(
          reviewID: "\(review.collection)/\(review.sourceReviewID)", documentID: row.documentID,
          sourceID: row.record.sourceID, pmid: row.record.pmid, doi: row.record.doi, title: row.record.title,
          abstract: row.record.abstract, year: row.record.year, authors: row.record.authors,
          labelTA: row.labelTA, labelFT: row.labelFT)
        return String(decoding: try encoder.encode(object), as: UTF8.self)
      }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
    case .qrels:
      let topic = review.cochraneID ?? review.sourceReviewID
      return rows.compactMap { row in
        row.label.map { "\(topic) 0 \(row.record.pmid ?? String(row.documentID)) \($0)" }
      }.joined(separator: "\n") + "\n"
    }
  }

  struct ExportedDocument: Encodable {
    var reviewID: String
    var documentID: Int
    var sourceID: String?
    var pmid: String?
    var doi: String?
    var title: String
    var abstract: String
    var year: Int?
    var authors: [String]
    var labelTA: Int?
    var labelFT: Int?

    enum CodingKeys: String, CodingKey {
      case reviewID = "review_id", documentID = "document_id", sourceID = "source_id", pmid, doi, title, abstract
      case year, authors, labelTA = "label_ta", labelFT = "label_ft"
    }
  }
}
