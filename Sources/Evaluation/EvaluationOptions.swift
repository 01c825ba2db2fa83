import Foundation

/// How WSS@r picks the number of relevant documents that "reaches" recall r.
///
/// The three conventions found in the wild (landscape §3.1) give different numbers on the same
/// ranking: with R = 43 and r = 0.95, `asreview` stops at the 40th relevant, `clef` and `cohen`
/// at the 41st; with R = 30, `clef` stops at the 28th (round-half-even of 28.5), `cohen` at the 29th.
public enum WSSConvention: String, Sendable, Hashable, CaseIterable {
  /// CLEF TAR `tar_eval_2018.py`: t = Python `round(r·R)` (half to even),
  /// WSS = (N − k_t)/N − (1 − r), 0 when the t-th relevant is never found.
  case clef
  /// asreview-insights `_wss_values`: t = largest t with t/R ≤ r (i.e. floor(r·R)),
  /// WSS = (k_random(t) − k_t)/N with the random curve `round(linspace(0, R, N))`.
  case asreview
  /// Cohen et al. 2006: the first cut-off whose recall is at least r, t = ceil(r·R),
  /// WSS = (TN + FN)/N − (1 − r) = (N − k_t)/N − (1 − r), 0 when never reached.
  case cohen
}

/// What to do with a run's review that the labels do not contain.
public enum UnlabelledReviewPolicy: String, Sendable, Hashable, CaseIterable {
  /// Throw `EvaluationError.reviewNotInLabels` (default: a mismatch usually means wrong files).
  case error
  /// Skip the review with a note, as the CLEF script does ("Skipping topic").
  case skip
}

/// Which metrics to compute and how.
public struct EvaluationOptions: Sendable, Hashable {
  /// CLEF TAR's absolute cut-offs for recall@k, precision@k and F1@k.
  public static let clefRankCutoffs = [50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000]

  /// Absolute cut-offs k for recall@k, precision@k and F1@k.
  public var rankCutoffs: [Int]
  /// Percentages p for recall@p% (k = round-half-even(N·p/100), as CLEF).
  public var percentages: [Double]
  /// Recall targets r for WSS@r, TNR@r and normalized precision@r.
  public var recallTargets: [Double]
  /// The WSS convention.
  public var wssConvention: WSSConvention
  /// Cut-offs for nDCG@k (full nDCG is always reported).
  public var ndcgCutoffs: [Int]
  /// Fractions screened x for ASReview's ERF@x.
  public var erfFractions: [Double]
  /// What to do with reviews the labels lack.
  public var unlabelledReviews: UnlabelledReviewPolicy

  /// Creates options; every parameter has the documented default.
  public init(
    rankCutoffs: [Int] = EvaluationOptions.clefRankCutoffs,
    percentages: [Double] = [10, 20, 30, 40, 50],
    recallTargets: [Double] = [0.95, 1.0],
    wssConvention: WSSConvention = .clef,
    ndcgCutoffs: [Int] = [10, 100],
    erfFractions: [Double] = [0.10],
    unlabelledReviews: UnlabelledReviewPolicy = .error
  ) {
    self.rankCutoffs = rankCutoffs
    self.percentages = percentages
    self.recallTargets = recallTargets
    self.wssConvention = wssConvention
    self.ndcgCutoffs = ndcgCutoffs
    self.erfFractions = erfFractions
    self.unlabelledReviews = unlabelledReviews
  }

  /// Checks that every value is in its domain.
  /// - Throws: `EvaluationError.invalidOption` naming the first bad value.
  public func validate() throws(EvaluationError) {
    if let k = rankCutoffs.first(where: { $0 < 1 }) {
      throw .invalidOption(name: "k", expected: "positive integers", found: "\(k)")
    }
    if let k = ndcgCutoffs.first(where: { $0 < 1 }) {
      throw .invalidOption(name: "ndcg cut-off", expected: "positive integers", found: "\(k)")
    }
    if let p = percentages.first(where: { !($0 > 0 && $0 <= 100) }) {
      throw .invalidOption(name: "percentage", expected: "values in (0, 100]", found: "\(p)")
    }
    if let r = recallTargets.first(where: { !($0 > 0 && $0 <= 1) }) {
      throw .invalidOption(name: "recall", expected: "values in (0, 1]", found: "\(r)")
    }
    if let x = erfFractions.first(where: { !($0 > 0 && $0 <= 1) }) {
      throw .invalidOption(name: "erf", expected: "fractions in (0, 1]", found: "\(x)")
    }
  }
}
