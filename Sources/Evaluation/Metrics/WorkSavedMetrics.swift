import Foundation

/// Work saved over sampling (WSS), true negative rate and normalized precision at a recall level.
///
/// Notation as in `RankingMetrics`; k_t = the rank at which the t-th relevant document is found.
public enum WorkSavedMetrics {
  /// The number of relevant documents t that "reaches" recall `r` under a convention.
  ///
  /// - `clef`: Python `round(r·R)`, half to even (`CountBasedMeasures.num_rels_95`):
  ///   R = 43 → 41, R = 30 → 28, R = 10 → 10.
  /// - `asreview`: the largest t with t/R ≤ r (`np.searchsorted(x, r, side="right") − 1` in
  ///   asreview-insights `_slice_metric`), i.e. floor(r·R); when no t qualifies numpy's index −1
  ///   wraps to t = R.
  /// - `cohen`: the smallest t with t/R ≥ r (the first cut-off whose recall is at least r,
  ///   as CSMeD's `tp / R >= r`), i.e. ceil(r·R).
  public static func targetCount(
    forRecall r: Double, relevantCount: Int, convention: WSSConvention
  ) -> Int {
    let total = relevantCount
    guard total > 0 else { return 0 }
    switch convention {
    case .clef:
      return Int((Double(total) * r).rounded(.toNearestOrEven))
    case .asreview:
      var best: Int?
      for t in 1...total where Double(t) / Double(total) <= r { best = t }
      return best ?? total
    case .cohen:
      for t in 1...total where Double(t) / Double(total) >= r { return t }
      return total
    }
  }

  /// The penalty 1 − r, rounded to 12 significant digits so that r = 0.95 gives exactly the
  /// literal `0.05` the CLEF script subtracts (1 − 0.95 in binary is 0.050000000000000044).
  static func penalty(forRecall r: Double) -> Double {
    Double(String(format: "%.12g", 1 - r)) ?? (1 - r)
  }

  /// Work saved over sampling at recall `r`.
  ///
  /// - `clef` and `cohen`: WSS@r = (N − k_t)/N − (1 − r) (Cohen et al. 2006,
  ///   WSS = (TN + FN)/N − (1 − recall); CLEF TAR 2018 `wss_95`, `wss_100`); 0 when the t-th
  ///   relevant document is never ranked, as the CLEF script reports it.
  /// - `asreview`: WSS@r = (k_random(t) − k_t)/N with 0-based positions, where k_random(t) is the
  ///   first position at which `round(linspace(0, R, N))` reaches t (asreview-insights
  ///   `_wss_values`); an unreached t has position N, as `np.searchsorted` returns.
  ///
  /// N is the candidate count grown to the ranking length (`effectiveCount`).
  public static func wss(
    atRecall r: Double, in ranking: JudgedRanking, convention: WSSConvention
  ) -> Double {
    let n = ranking.effectiveCount
    guard ranking.relevantCount > 0, n > 0 else { return 0 }
    let t = targetCount(forRecall: r, relevantCount: ranking.relevantCount, convention: convention)
    switch convention {
    case .clef, .cohen:
      guard let k = ranking.rank(ofRelevant: t) else { return 0 }
      return Double(n - k) / Double(n) - penalty(forRecall: r)
    case .asreview:
      let found = ranking.rank(ofRelevant: t).map { $0 - 1 } ?? n
      let random = randomPosition(reaching: t, relevantCount: ranking.relevantCount, count: n)
      return Double(random - found) / Double(n)
    }
  }

  /// `np.round(np.linspace(0, R, N))[i]`: the random-order curve of asreview-insights.
  static func randomCurveValue(at i: Int, relevantCount: Int, count: Int) -> Double {
    guard count > 1 else { return 0 }
    if i == count - 1 { return Double(relevantCount) }
    let step = Double(relevantCount) / Double(count - 1)
    return (Double(i) * step).rounded(.toNearestOrEven)
  }

  /// The first 0-based position where the random curve reaches `t` (N if never).
  static func randomPosition(reaching t: Int, relevantCount: Int, count: Int) -> Int {
    for i in 0..<count
    where randomCurveValue(at: i, relevantCount: relevantCount, count: count) >= Double(t) {
      return i
    }
    return count
  }

  /// The confusion counts at the first rank k where recall TP/R ≥ r, or `nil` if never reached.
  ///
  /// TP = found(k), FP = k − TP, TN = (N − R) − FP, FN = R − TP.
  public static func confusion(
    atRecall r: Double, in ranking: JudgedRanking
  ) -> (tp: Int, fp: Int, tn: Int, fn: Int, rank: Int)? {
    let total = ranking.relevantCount
    guard total > 0 else { return nil }
    var tp = 0
    for (index, isRelevant) in ranking.relevance.enumerated() {
      if isRelevant { tp += 1 }
      if Double(tp) / Double(total) >= r {
        let k = index + 1
        let fp = k - tp
        let negatives = ranking.effectiveCount - total
        return (tp, fp, negatives - fp, total - tp, k)
      }
    }
    return nil
  }

  /// True negative rate at recall r (normalized WSS): TN / (TN + FP) at the first rank whose
  /// recall is at least r.
  ///
  /// `nil` when r is never reached or there are no non-relevant candidates (such reviews are
  /// skipped when averaging, not counted as 0). Source: CSMeD-baselines `tnr_at_recall`
  /// (Kusa et al. 2023, nWSS@r = TNR@r); asreview-insights `tnr` at `--cm r`.
  public static func tnr(atRecall r: Double, in ranking: JudgedRanking) -> Double? {
    guard let c = confusion(atRecall: r, in: ranking), c.tn + c.fp > 0 else { return nil }
    return Double(c.tn) / Double(c.tn + c.fp)
  }

  /// Normalized precision at recall r: TP·TN / ((FP + TN)·(TP + FP)) at the first rank whose
  /// recall is at least r.
  ///
  /// `nil` when r is never reached or the denominator is 0. Source: CSMeD-baselines
  /// `n_precision_at_recall`; Kusa et al. 2023 (VoMBaT).
  public static func normalizedPrecision(atRecall r: Double, in ranking: JudgedRanking) -> Double? {
    guard let c = confusion(atRecall: r, in: ranking) else { return nil }
    let denominator = Double(c.fp + c.tn) * Double(c.tp + c.fp)
    guard denominator > 0 else { return nil }
    return Double(c.tp) * Double(c.tn) / denominator
  }
}
