import Corpus
import Foundation
import Ingest
import Store

/// The candidates of one review with their labels: from the meta-dataset or from a search export.
public struct LabelledReview: Sendable {
  public var reviewID: String
  public var title: String
  public var criteria: String?
  /// Identifier per candidate as runs name it: PMID, else source id, else csmed document id.
  public var documentIDs: [String]
  public var records: [Record]
  /// Label per candidate; nil where unknown.
  public var labels: [Int?]
  /// The main text per candidate, where the meta-dataset has one (loaded for the full-text stage).
  public var fullTexts: [String?] = []

  /// What the full-text stage screens: title and abstract, then the main text where known.
  public func fullText(of candidate: Int) -> String {
    let head = text(of: candidate)
    guard candidate < fullTexts.count, let body = fullTexts[candidate], !body.isEmpty else { return head }
    return head.isEmpty ? body : head + "\n" + body
  }

  /// Title and abstract of one candidate joined, as ASReview feeds them to its feature extractors.
  public func text(of candidate: Int) -> String { Self.text(of: records[candidate]) }

  /// Title and abstract of a record joined (the one without the other where one is empty).
  static func text(of record: Record) -> String {
    record.abstract.isEmpty ? record.title : record.title.isEmpty ? record.abstract : record.title + " " + record.abstract
  }

  /// Title and abstract, then the record's keywords (Hannousse's BibTeX records carry their
  /// authors'), which csmed's embedding models read: the words the authors chose to describe the
  /// paper. A record with neither title nor abstract stays empty: keywords alone are too little
  /// to place it, so it is scored as the average record.
  public func textWithKeywords(of candidate: Int) -> String { Self.textWithKeywords(of: records[candidate]) }

  static func textWithKeywords(of record: Record) -> String {
    let head = text(of: record)
    let keywords = record.keywords.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    return head.isEmpty || keywords.isEmpty ? head : head + " " + keywords.joined(separator: "; ")
  }
}

extension LabelledReview {
  /// The id a search export's record is known by in runs: PMID, else its own id, else its
  /// 1-based position in the file.
  static func documentID(of record: Record, index: Int) -> String {
    record.pmid ?? record.sourceID ?? String(index + 1)
  }
}

/// Where a workflow takes a review from.
public enum ReviewSource: Sendable {
  case database(URL, review: String, stage: Stage)
  /// A search export (RIS, CSV, PubMed XML, MEDLINE, BibTeX, JSONL), with the review's title.
  case file(URL, title: String?, criteria: URL?)

  public func load() throws -> LabelledReview {
    switch self {
    case .database(let url, let key, let stage):
      let store = try DatasetStore.open(at: url.path)
      let review = try store.review(matching: key)
      let rows = try store.candidates(ofReview: review.id, stage: stage)
      let criteria = try store.criteriaText(ofReview: review.id)
      var loaded = LabelledReview(
        reviewID: "\(review.collection)/\(review.sourceReviewID)", title: review.title, criteria: criteria,
        documentIDs: rows.map { $0.record.pmid ?? $0.record.sourceID ?? String($0.documentID) },
        records: rows.map(\.record), labels: rows.map(\.label))
      if stage == .fullText { loaded.fullTexts = try rows.map { try store.fullText(ofDocument: $0.documentID)?.body } }
      return loaded
    case .file(let url, let title, let criteriaFile):
      guard FileManager.default.fileExists(atPath: url.path) else { throw WorkflowError.missingInput(path: url.path) }
      let records = try RecordFileReader.read(contentsOf: url)
      let criteria = try criteriaFile.map { try FileContents.text(at: $0) }
      return LabelledReview(
        reviewID: url.deletingPathExtension().lastPathComponent, title: title ?? "", criteria: criteria,
        documentIDs: records.enumerated().map { index, record in LabelledReview.documentID(of: record, index: index) },
        records: records, labels: records.map(\.label))
    }
  }
}
