import Foundation

/// A ranking joined with its labels: the input of every metric.
///
/// `relevance[i]` tells whether the document at rank `i + 1` is relevant, after duplicates and
/// ignored documents (grade ≥ 3) were removed, exactly as the CLEF TAR scripts consume a run.
/// Documents the labels do not list count as non-relevant.
public struct JudgedRanking: Sendable, Hashable {
  /// Relevance of each ranked document, rank 1 first.
  public var relevance: [Bool]
  /// The document identifiers in the same order (empty when built from booleans only).
  public var documentIDs: [String]
  /// The number of candidates N as the labels define it (CLEF's `num_docs`).
  public var candidateCount: Int
  /// The number of relevant documents R in the labels (CLEF's `num_rels`).
  public var relevantCount: Int
  /// The number of documents shown before the threshold (the rank of the first `1` mark, or
  /// the number before the first `NS`), or `nil` when the run has no threshold.
  public var shownCount: Int?
  /// The rank of the last `1` mark (CLEF's Count and Gain measures keep the last one), if any.
  public var lastThresholdMark: Int?
  /// Screening decisions per ranked document (`true` = include), when the run carries them.
  public var decisions: [Bool]?

  /// Creates a judged ranking.
  ///
  /// - Parameters:
  ///   - relevance: Relevance per rank, rank 1 first.
  ///   - candidateCount: N; defaults to the ranking length.
  ///   - relevantCount: R; defaults to the number of `true` values in `relevance`.
  ///   - shownCount: The threshold (number of documents shown), if any.
  public init(
    relevance: [Bool], candidateCount: Int? = nil, relevantCount: Int? = nil,
    shownCount: Int? = nil, documentIDs: [String] = [], decisions: [Bool]? = nil,
    lastThresholdMark: Int? = nil
  ) {
    self.relevance = relevance
    self.documentIDs = documentIDs
    self.candidateCount = candidateCount ?? relevance.count
    self.relevantCount = relevantCount ?? relevance.reduce(0) { $0 + ($1 ? 1 : 0) }
    self.shownCount = shownCount
    self.lastThresholdMark = lastThresholdMark ?? shownCount
    self.decisions = decisions
  }

  /// Creates a judged ranking from a string such as `"10010"` (1 = relevant), for tests and docs.
  public init(pattern: String, candidateCount: Int? = nil, relevantCount: Int? = nil) {
    self.init(
      relevance: pattern.compactMap { $0 == "1" ? true : ($0 == "0" ? false : nil) },
      candidateCount: candidateCount, relevantCount: relevantCount)
  }

  /// The number of ranked documents L.
  public var rankedCount: Int { relevance.count }

  /// N grown to the ranking length when the run ranks more documents than the labels list
  /// (the CLEF scripts' `num_docs = max(num_docs, num_shown)`).
  public var effectiveCount: Int { max(candidateCount, relevance.count) }

  /// Cumulative relevant counts: `found[k]` = relevant among the top `k` (k = 0…L).
  public var cumulativeFound: [Int] {
    var result = [0]
    result.reserveCapacity(relevance.count + 1)
    var total = 0
    for isRelevant in relevance {
      if isRelevant { total += 1 }
      result.append(total)
    }
    return result
  }

  /// Relevant documents among the top `k`, padding with non-relevant beyond the ranking.
  public func found(atRank k: Int) -> Int {
    var total = 0
    for isRelevant in relevance.prefix(max(0, k)) where isRelevant { total += 1 }
    return total
  }

  /// The 1-based rank at which the `count`-th relevant document is found, if it is.
  public func rank(ofRelevant count: Int) -> Int? {
    guard count > 0 else { return 0 }
    var total = 0
    for (index, isRelevant) in relevance.enumerated() where isRelevant {
      total += 1
      if total == count { return index + 1 }
    }
    return nil
  }
}
