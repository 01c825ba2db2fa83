import Corpus
import Foundation
import Ingest
import Store

/// The review's question as every ranker reads it, unless `--query` replaces it: the title, then
/// the eligibility criteria on the lines after it (either may be missing).
func reviewQuery(title: String, criteria: String?) -> String {
  [title, criteria ?? ""].filter { !$0.isEmpty }.joined(separator: "\n")
}

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

  /// What the full-text stage screens: the record in `view`, then the main text where known.
  public func fullText(of candidate: Int, view: TextView) -> String {
    view.text(of: records[candidate], mainText: candidate < fullTexts.count ? fullTexts[candidate] : nil)
  }

  /// One candidate as a ranker reads it.
  public func text(of candidate: Int, view: TextView) -> String { view.text(of: records[candidate]) }
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
