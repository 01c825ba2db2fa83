import Failures
import Foundation

/// A self-contained HTML page for a person to screen a ranking from: the records in rank order,
/// paged, with the query's and the criteria's words marked, a label per record kept in the
/// browser's local storage, an export of the labels as a CSV that `csmed stop --labels` and
/// `csmed train --input` read, the stopping advice and, when labels are known, the recall curve.
///
/// The page carries its data as one JSON document (`<script type="application/json"
/// id="csmed-data">`), so that `csmed stop --labels FILE --html PAGE` can read it back and write it
/// again with the labels and the rules' advice. Nothing is fetched: no network, no external script.
public struct ScreeningPage: Sendable, Codable, Equatable {
  /// Everything but the records.
  public struct Meta: Sendable, Codable, Equatable {
    /// Names the page's labels in local storage: the same screen gives the same id, so a page
    /// written again (with advice) keeps what the reviewer ticked.
    public var pageID: String
    public var reviewID: String
    /// The review's title, or the query when there is none.
    public var title: String
    /// The query the ranker read (title and criteria, or `--query`).
    public var query: String
    /// The ranker in words.
    public var ranker: String
    public var csmedVersion: String
    /// When the screen ran (ISO 8601).
    public var generated: String
    /// Stems marked in the query's colour and in the criteria's.
    public var queryTerms: [String]
    public var criteriaTerms: [String]
    /// Where `--target-recall` says to stop.
    public var cutoff: Cutoff?
    /// Labels fed back (`csmed stop --labels FILE --html PAGE`), by document id: 1 include, 0 exclude.
    public var labels: [String: Int]
    /// What `csmed stop` said about them.
    public var advice: StopAdvice?

    public init(
      pageID: String, reviewID: String, title: String, query: String, ranker: String, csmedVersion: String,
      generated: String, queryTerms: [String], criteriaTerms: [String],
      cutoff: Cutoff? = nil, labels: [String: Int] = [:], advice: StopAdvice? = nil
    ) {
      self.pageID = pageID
      self.reviewID = reviewID
      self.title = title
      self.query = query
      self.ranker = ranker
      self.csmedVersion = csmedVersion
      self.generated = generated
      self.queryTerms = queryTerms
      self.criteriaTerms = criteriaTerms
      self.cutoff = cutoff
      self.labels = labels
      self.advice = advice
    }
  }

  /// One record, as the page shows and exports it.
  public struct Entry: Sendable, Codable, Equatable {
    public var rank: Int
    /// The ranking's document id (what `csmed stop` and `csmed eval` know it by).
    public var id: String
    /// The id the source file gave it, when that differs.
    public var recordID: String?
    /// Nil for a record ranked last for having no text (score −∞).
    public var score: Double?
    public var title: String
    public var abstract: String
    public var authors: [String]
    public var year: Int?
    public var journal: String?
    public var doi: String?
    public var pmid: String?
    public var keywords: [String]
    /// The label the source carried (the database's or the file's), 1 include, 0 exclude.
    public var sourceLabel: Int?

    public init(
      rank: Int, id: String, recordID: String? = nil, score: Double?, title: String, abstract: String = "",
      authors: [String] = [], year: Int? = nil, journal: String? = nil, doi: String? = nil, pmid: String? = nil,
      keywords: [String] = [], sourceLabel: Int? = nil
    ) {
      self.rank = rank
      self.id = id
      self.recordID = recordID == id ? nil : recordID
      self.score = score
      self.title = title
      self.abstract = abstract
      self.authors = authors
      self.year = year
      self.journal = journal
      self.doi = doi
      self.pmid = pmid
      self.keywords = keywords
      self.sourceLabel = sourceLabel
    }
  }

  /// Where to stop for a target recall, as `screen --target-recall` estimated it.
  public struct Cutoff: Sendable, Codable, Equatable {
    public var targetRecall: Double
    /// Screen the top `rank` records.
    public var rank: Int
    public var validationReviews: Int

    public init(targetRecall: Double, rank: Int, validationReviews: Int) {
      self.targetRecall = targetRecall
      self.rank = rank
      self.validationReviews = validationReviews
    }
  }

  /// The stopping rules' answer to a labelling fed back.
  public struct StopAdvice: Sendable, Codable, Equatable {
    public struct Rule: Sendable, Codable, Equatable {
      public var rule: String
      /// `stop`, `continue` or `not applicable`.
      public var verdict: String
      public var reason: String

      public init(rule: String, verdict: String, reason: String) {
        self.rule = rule
        self.verdict = verdict
        self.reason = reason
      }
    }
    /// The labels file, as given.
    public var labelsFile: String
    public var screened: Int
    public var relevantFound: Int
    public var total: Int
    public var targetRecall: Double
    public var rules: [Rule]

    public init(labelsFile: String, screened: Int, relevantFound: Int, total: Int, targetRecall: Double, rules: [Rule]) {
      self.labelsFile = labelsFile
      self.screened = screened
      self.relevantFound = relevantFound
      self.total = total
      self.targetRecall = targetRecall
      self.rules = rules
    }
  }

  public var meta: Meta
  /// In rank order.
  public var entries: [Entry]

  public init(meta: Meta, entries: [Entry]) {
    self.meta = meta
    self.entries = entries
  }
}

/// Why a screening page could not be read back.
public enum PageError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file is not a page `csmed screen --html` wrote (or not one this version reads).
  case notAPage(file: String, reason: String)

  public var description: String {
    switch self {
    case .notAPage(let file, let reason): "\(file): not a csmed screening page: \(reason)"
    }
  }
}

extension PageError: CategorizedError {
  /// A file given as a page that is not one is wrong input data.
  public var category: ErrorCategory { .data }
}
