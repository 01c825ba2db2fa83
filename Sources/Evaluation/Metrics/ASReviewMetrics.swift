import Foundation

/// The ranking found a relevant document at a given step.
public struct Discovery: Sendable, Hashable, Codable {
  /// The relevant document.
  public var documentID: String
  /// The 1-based step (rank) at which it was found.
  public var rank: Int

  enum CodingKeys: String, CodingKey {
    case documentID = "document_id", rank
  }

  /// Creates a discovery.
  public init(documentID: String, rank: Int) {
    self.documentID = documentID
    self.rank = rank
  }
}

/// Metrics of asreview-insights (`asreviewcontrib/insights/algorithms.py`, `metrics.py`).
///
/// The labels are the ranking padded with non-relevant documents to N (`effectiveCount`), as
/// `get_simulation_labels` pads a simulation that stopped early.
public enum ASReviewMetrics {
  /// Extra relevant found at fraction x screened: (found(i) − random(i)) / R.
  ///
  /// i is the largest i with i/N ≤ x (`np.searchsorted(x_values, x, side="right") − 1`; numpy's
  /// index −1 wraps to i = N when x < 1/N) and random(i) = `round(linspace(0, R, N))[i − 1]`.
  /// Source: asreview-insights `_erf_values` and `_slice_metric`.
  public static func extraRelevantFound(atFraction x: Double, in ranking: JudgedRanking) -> Double {
    let n = ranking.effectiveCount
    let total = ranking.relevantCount
    guard n > 0, total > 0 else { return 0 }
    var i = 0
    for step in 1...n where Double(step) / Double(n) <= x { i = step }
    if i == 0 { i = n }
    let random = WorkSavedMetrics.randomCurveValue(at: i - 1, relevantCount: total, count: n)
    return (Double(ranking.found(atRank: i)) - random) / Double(total)
  }

  /// Time to discovery: the rank of every relevant document the ranking contains.
  ///
  /// Source: asreview-insights `_time_to_discovery` (record id, 1-based labelling step).
  public static func timeToDiscovery(in ranking: JudgedRanking) -> [Discovery] {
    ranking.relevance.enumerated().compactMap { index, isRelevant in
      guard isRelevant else { return nil }
      let id = index < ranking.documentIDs.count ? ranking.documentIDs[index] : "\(index + 1)"
      return Discovery(documentID: id, rank: index + 1)
    }
  }

  /// Average time to discovery: the mean rank of the relevant documents found, or `nil` if none.
  ///
  /// Source: asreview-insights `_average_time_to_discovery` (`np.mean` of the steps).
  public static func averageTimeToDiscovery(in ranking: JudgedRanking) -> Double? {
    let ranks = timeToDiscovery(in: ranking).map(\.rank)
    guard !ranks.isEmpty else { return nil }
    return Double(ranks.reduce(0, +)) / Double(ranks.count)
  }

  /// Normalized loss: (R·(N − (R − 1)/2) − Σ_{i=1..N} found(i)) / (R·(N − R)); 0 is perfect,
  /// 1 the worst ordering. `nil` when R = 0 or R = N.
  ///
  /// Source: asreview-insights `_loss_value` / `asreview.metrics.loss`.
  public static func loss(in ranking: JudgedRanking) -> Double? {
    let n = ranking.effectiveCount
    let r = ranking.relevantCount
    guard r > 0, r < n else { return nil }
    let found = ranking.cumulativeFound
    var area = 0
    for i in 1...n { area += found[min(i, found.count - 1)] }
    let best = Double(r) * (Double(n) - Double(r - 1) / 2)
    return (best - Double(area)) / (Double(r) * Double(n - r))
  }
}
