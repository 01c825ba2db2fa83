/// A screening stage: title/abstract screening or full-text screening.
public enum Stage: String, Sendable, CaseIterable, Codable {
  case titleAbstract = "ta"
  case fullText = "ft"
}

/// How much text the meta-dataset holds for a document.
public enum TextStatus: String, Sendable, CaseIterable, Codable {
  case titleAbstract = "title_abstract"
  case titleOnly = "title_only"
  case idsOnly = "ids_only"

  /// The status a record's text deserves: both fields, a title alone, or neither.
  public init(title: String, abstract: String) {
    let hasTitle = !title.isEmpty
    let hasAbstract = !abstract.isEmpty
    if hasTitle && hasAbstract {
      self = .titleAbstract
    } else if hasTitle || hasAbstract {
      self = .titleOnly
    } else {
      self = .idsOnly
    }
  }
}

/// Which part of a review's search results the source actually distributes.
public enum CandidateSet: String, Sendable, CaseIterable, Codable {
  /// Every record the search returned, included or not.
  case complete
  /// Only the records that were judged (SIGIR2017 qrels list judged records only).
  case judgedOnly = "judged_only"
  /// Only the included records (SR-updates: the candidate pickle is not public).
  case includedOnly = "included_only"
}

/// Descriptive metadata of one source collection.
public struct CollectionInfo: Sendable, Equatable, Codable {
  public var id: String
  public var name: String
  public var citation: String
  public var doi: String?
  public var license: String
  public var sourceURL: String
  public var domain: String

  public init(
    id: String, name: String, citation: String, doi: String?, license: String, sourceURL: String,
    domain: String
  ) {
    self.id = id
    self.name = name
    self.citation = citation
    self.doi = doi
    self.license = license
    self.sourceURL = sourceURL
    self.domain = domain
  }
}

/// One heading of a review's eligibility criteria, in source order.
public struct Criterion: Sendable, Equatable, Codable {
  public var heading: String
  public var text: String
  public init(heading: String, text: String) {
    self.heading = heading
    self.text = text
  }
}

/// The main text of a full-text document.
public struct FullText: Sendable, Equatable {
  /// Where it came from: `csv`, `tei` or `jats`.
  public var format: String
  public var body: String
  public init(format: String, body: String) {
    self.format = format
    self.body = body
  }
}

/// A record proposed to a review with its screening decisions.
public struct Candidate: Sendable, Equatable {
  public var record: Record
  /// Title/abstract decision: 1 include, 0 exclude, nil unknown.
  public var labelTA: Int?
  /// Full-text decision: 1 include, 0 exclude, nil unknown.
  public var labelFT: Int?
  /// The label exactly as the source wrote it.
  public var rawLabel: String?
  public var exclusionReason: String?
  public var fullText: FullText?

  public init(
    record: Record, labelTA: Int? = nil, labelFT: Int? = nil, rawLabel: String? = nil,
    exclusionReason: String? = nil, fullText: FullText? = nil
  ) {
    self.record = record
    self.labelTA = labelTA
    self.labelFT = labelFT
    self.rawLabel = rawLabel
    self.exclusionReason = exclusionReason
    self.fullText = fullText
  }

  /// The label for a stage.
  public func label(for stage: Stage) -> Int? {
    stage == .titleAbstract ? labelTA : labelFT
  }
}

/// A systematic review and its candidate list, as loaded from a source collection.
public struct Review: Sendable, Equatable {
  public var sourceReviewID: String
  public var cochraneID: String?
  public var title: String
  public var abstract: String?
  public var criteria: [Criterion]
  public var searchQuery: String?
  public var reviewType: String?
  public var candidateSet: CandidateSet
  public var candidates: [Candidate]

  public init(
    sourceReviewID: String, cochraneID: String? = nil, title: String, abstract: String? = nil,
    criteria: [Criterion] = [], searchQuery: String? = nil, reviewType: String? = nil,
    candidateSet: CandidateSet = .complete, candidates: [Candidate] = []
  ) {
    self.sourceReviewID = sourceReviewID
    self.cochraneID = cochraneID
    self.title = title
    self.abstract = abstract
    self.criteria = criteria
    self.searchQuery = searchQuery
    self.reviewType = reviewType
    self.candidateSet = candidateSet
    self.candidates = candidates
  }
}

/// Membership of reviews in a named split (`csmed_basic_train`, `cochrane_dev`, `ft_test`, ...).
public struct SplitAssignment: Sendable, Equatable {
  public var name: String
  /// Source review ids of the collection being loaded.
  public var sourceReviewIDs: [String]
  public init(name: String, sourceReviewIDs: [String]) {
    self.name = name
    self.sourceReviewIDs = sourceReviewIDs
  }
}

/// Everything one collection loader produced: ready to be stored in one transaction.
public struct LoadedCollection: Sendable, Equatable {
  public var info: CollectionInfo
  public var reviews: [Review]
  public var splits: [SplitAssignment]
  /// Things a user should know: tolerated bad input, reviews not in the mirror, ...
  public var warnings: [String]

  public init(
    info: CollectionInfo, reviews: [Review], splits: [SplitAssignment] = [], warnings: [String] = []
  ) {
    self.info = info
    self.reviews = reviews
    self.splits = splits
    self.warnings = warnings
  }
}
