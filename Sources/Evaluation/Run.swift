import Foundation

/// The action column of a CLEF TAR run line.
///
/// CLEF TAR 2017 runs mark each document as shown with active feedback (`AF`), shown without
/// feedback (`NF`) or not shown (`NS`). CLEF TAR 2018 and later runs put `1` on the threshold
/// document (the last one a reviewer would see) and `0` everywhere else. csmed CSV and TREC runs
/// carry no action, which is `.unmarked`.
public enum RunAction: String, Sendable, Hashable, CaseIterable {
  /// `0` in a 2018+ CLEF run, or no action column at all.
  case unmarked = "0"
  /// `1` in a 2018+ CLEF run: this document is the last one shown.
  case threshold = "1"
  /// `AF` in a 2017 CLEF run: shown, with active feedback.
  case activeFeedback = "AF"
  /// `NF` in a 2017 CLEF run: shown, without feedback.
  case noFeedback = "NF"
  /// `NS` in a 2017 CLEF run: not shown.
  case notShown = "NS"
}

/// One document of a ranking, in ranking order.
public struct RankedDocument: Sendable, Hashable {
  /// The document identifier (a PMID in CLEF TAR).
  public var documentID: String
  /// The score the system gave the document, if the run has one.
  public var score: Double?
  /// The action column (threshold mark) of the run line.
  public var action: RunAction
  /// An explicit screening decision (`true` = include), if the run carries one.
  public var decision: Bool?
  /// The 1-based line of the run file this document came from (0 if built in code).
  public var line: Int

  /// Creates a ranked document.
  public init(
    documentID: String, score: Double? = nil, action: RunAction = .unmarked,
    decision: Bool? = nil, line: Int = 0
  ) {
    self.documentID = documentID
    self.score = score
    self.action = action
    self.decision = decision
    self.line = line
  }
}

/// The ranking a run gives for one review (a CLEF topic), best document first.
public struct Ranking: Sendable, Hashable {
  /// The review (topic) identifier.
  public var reviewID: String
  /// The documents in ranking order (rank 1 first).
  public var documents: [RankedDocument]

  /// Creates a ranking.
  public init(reviewID: String, documents: [RankedDocument]) {
    self.reviewID = reviewID
    self.documents = documents
  }

  /// Creates a ranking from document identifiers in order, without scores or actions.
  public init(reviewID: String, documentIDs: [String]) {
    self.init(
      reviewID: reviewID, documents: documentIDs.map { RankedDocument(documentID: $0) })
  }

  /// The first line of the run that belongs to this ranking (0 if built in code).
  public var firstLine: Int { documents.map(\.line).min() ?? 0 }

  /// Whether any document carries a threshold or not-shown mark.
  public var isThresholded: Bool {
    documents.contains { $0.action == .threshold || $0.action == .notShown }
  }
}

/// The on-disk format of a run.
public enum RunFormat: String, Sendable, Hashable, CaseIterable {
  /// csmed's ranking CSV: header `review_id,document_id,rank,score` (more columns allowed).
  case csv
  /// A TREC run: `topic Q0 doc rank score tag`, re-sorted by score like trec_eval.
  case trec
  /// A CLEF TAR run: `topic action doc rank score tag`, consumed in file order.
  case clef
}

/// A run: one ranking per review, in the order the reviews first appear in the file.
public struct Run: Sendable, Hashable {
  /// A display name for the run (usually the file name).
  public var name: String
  /// The format the run was read from.
  public var format: RunFormat
  /// One ranking per review, in order of first appearance.
  public var rankings: [Ranking]

  /// Creates a run.
  public init(name: String, format: RunFormat, rankings: [Ranking]) {
    self.name = name
    self.format = format
    self.rankings = rankings
  }
}
