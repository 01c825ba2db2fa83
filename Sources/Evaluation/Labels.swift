import Foundation

/// The relevance labels of one review (a CLEF topic): every candidate document with its grade.
///
/// Grades follow the CLEF TAR qrels (`scripts/create_combined_qrels.py`, `tar_eval_2018.py`):
/// `0` irrelevant, `1` included at abstract level, `2` included at content level (both
/// relevant), `3`/`4` relevant but not retrieved by the query (ignored: removed from the run and
/// from the candidate count), `-1` retrieved but unjudged (shown, not relevant, not counted as a
/// candidate).
public struct ReviewLabels: Sendable, Hashable {
  /// The review (topic) identifier.
  public let reviewID: String
  /// Every document listed for the review, in order of first appearance.
  public let candidates: [String]
  /// The grade of every listed document.
  public let grades: [String: Int]
  /// The relevant documents: grade 1 or 2.
  public let relevant: Set<String>

  /// Creates labels from candidates and grades; documents without a grade get grade 0.
  public init(reviewID: String, candidates: [String], grades: [String: Int]) {
    self.reviewID = reviewID
    var seen = Set<String>()
    var ordered: [String] = []
    for id in candidates where seen.insert(id).inserted { ordered.append(id) }
    for id in grades.keys.sorted() where seen.insert(id).inserted { ordered.append(id) }
    self.candidates = ordered
    var all = grades
    for id in ordered where all[id] == nil { all[id] = 0 }
    self.grades = all
    self.relevant = Set(all.filter { Self.isRelevant(grade: $0.value) }.keys)
  }

  /// Creates binary labels: `relevant` documents get grade 1, other candidates grade 0.
  public init(reviewID: String, candidates: [String], relevant: Set<String>) {
    var grades: [String: Int] = [:]
    for id in candidates { grades[id] = relevant.contains(id) ? 1 : 0 }
    for id in relevant { grades[id] = 1 }
    self.init(reviewID: reviewID, candidates: candidates, grades: grades)
  }

  /// Whether a grade counts as relevant (1 or 2, as in the CLEF scripts).
  public static func isRelevant(grade: Int) -> Bool { grade == 1 || grade == 2 }

  /// Whether a grade removes the document from the evaluation (3 or more, as in the CLEF scripts).
  public static func isIgnored(grade: Int) -> Bool { grade >= 3 }

  /// The number of candidates N as CLEF counts it: listed documents minus grades -1 and >2.
  public var candidateCount: Int {
    grades.values.reduce(0) { $0 + (($1 == -1 || $1 > 2) ? 0 : 1) }
  }

  /// The number of relevant documents R (grade 1 or 2).
  public var relevantCount: Int { relevant.count }
}

/// The labels of many reviews, as read from a qrels file or a dataset.
public struct LabelSet: Sendable, Hashable {
  /// The name of the source (usually the qrels file name), used in messages.
  public var source: String
  /// The reviews in order of first appearance.
  public var reviews: [ReviewLabels]

  /// Creates a label set.
  public init(source: String, reviews: [ReviewLabels]) {
    self.source = source
    self.reviews = reviews
  }

  /// The labels of one review, if present.
  public subscript(reviewID: String) -> ReviewLabels? {
    reviews.first { $0.reviewID == reviewID }
  }

  /// A dictionary from review identifier to labels.
  public var byReviewID: [String: ReviewLabels] {
    Dictionary(reviews.map { ($0.reviewID, $0) }, uniquingKeysWith: { first, _ in first })
  }
}
