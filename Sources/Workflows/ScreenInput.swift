import Corpus
import Foundation
import Ingest

/// What `csmed screen` ranks. A review of the meta-dataset is loaded whole (a few thousand
/// candidates at most); a search export in a streamed format (CSV/TSV, RIS, MEDLINE, PubMed XML) is read
/// record by record, twice: once to count (for shards and the progress bar), once to screen. So
/// memory holds the kept columns of the output, never the abstracts of the whole list.
struct ScreenInput {
  /// One candidate as the screen sees it.
  struct Candidate {
    var documentID: String
    var title: String
    var label: Int?
    /// What the ranker reads: the record in its view, with the main text at the full-text stage.
    var text: String
    /// The record with every field, its label the one the screen carries.
    var record: Record
  }

  var reviewID: String
  var title: String
  var criteria: String?
  var count: Int
  var fullTextStage: Bool
  private var loaded: LabelledReview?
  private var file: URL?

  init(_ source: ReviewSource) throws {
    if case .file(let url, let title, let criteriaFile) = source,
      FileManager.default.fileExists(atPath: url.path), try RecordFileReader.isStreamed(url)
    {
      reviewID = url.deletingPathExtension().lastPathComponent
      self.title = title ?? ""
      criteria = try criteriaFile.map { try FileContents.text(at: $0) }
      var count = 0
      try RecordFileReader.forEachRecord(contentsOf: url) { _ in count += 1 }
      self.count = count
      fullTextStage = false
      file = url
      return
    }
    let review = try source.load()
    reviewID = review.reviewID
    title = review.title
    criteria = review.criteria
    count = review.records.count
    if case .database(_, _, .fullText) = source { fullTextStage = true } else { fullTextStage = false }
    loaded = review
  }

  /// Calls `body` with every candidate and its index in the list, in order, read in `view`.
  func forEach(view: TextView, _ body: (Int, Candidate) throws -> Void) throws {
    if let review = loaded {
      for i in review.records.indices {
        var record = review.records[i]
        record.label = review.labels[i]
        try body(
          i,
          Candidate(
            documentID: review.documentIDs[i], title: record.title, label: review.labels[i],
            text: fullTextStage ? review.fullText(of: i, view: view) : review.text(of: i, view: view), record: record))
      }
    } else if let file {
      var index = 0
      try RecordFileReader.forEachRecord(contentsOf: file) { record in
        defer { index += 1 }
        try body(
          index,
          Candidate(
            documentID: LabelledReview.documentID(of: record, index: index), title: record.title, label: record.label,
            text: view.text(of: record), record: record))
      }
    }
  }
}
