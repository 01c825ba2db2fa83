import Foundation

/// Rank-based retrieval metrics over one judged ranking.
///
/// Notation: N = `effectiveCount` (candidates, grown to the ranking length when the run ranks
/// documents the labels do not list), R = `relevantCount`, L = `rankedCount`,
/// found(k) = relevant documents among the top min(k, L). Rankings shorter than a cut-off count
/// as padded with non-relevant documents. Every function returns 0 when R = 0 (such reviews are
/// skipped by `Evaluator`).
public enum RankingMetrics {
  /// Recall at an absolute cut-off: found(k) / R.
  ///
  /// Source: CLEF TAR 2018 Task 1 `RecallBasedMeasures` (cut-offs 50…5000, rankings shorter than
  /// k "assumed to have retrieved all zeros"); CSMeD/ranx `recall@k`.
  public static func recall(atRank k: Int, in ranking: JudgedRanking) -> Double {
    guard ranking.relevantCount > 0 else { return 0 }
    return Double(ranking.found(atRank: k)) / Double(ranking.relevantCount)
  }

  /// The cut-off CLEF uses for p% of the candidates: Python `round(N·p/100)` (half to even),
  /// with N the candidate count of the labels.
  ///
  /// Source: CLEF TAR `eval_measures_2018.py`, `GainBasedMeasures.rng`.
  public static func rankCutoff(forPercent p: Double, candidateCount: Int) -> Int {
    Int((Double(candidateCount) * p / 100).rounded(.toNearestOrEven))
  }

  /// Recall at p% of the candidates: found(round-half-even(N·p/100)) / R.
  ///
  /// Source: CLEF TAR 2018 `recall@p%` (`GainBasedMeasures`). The CLEF script carries the value
  /// of the last cut-off the run reached forward when the run is shorter than N;
  /// `CLEFTAR2018` reproduces that, this function pads with non-relevant documents instead.
  public static func recall(atPercent p: Double, in ranking: JudgedRanking) -> Double {
    recall(
      atRank: rankCutoff(forPercent: p, candidateCount: ranking.candidateCount), in: ranking)
  }

  /// Precision at an absolute cut-off: found(k) / k (padding beyond the ranking).
  ///
  /// Source: CSMeD/ranx `P@k`; trec_eval `P_k`.
  public static func precision(atRank k: Int, in ranking: JudgedRanking) -> Double {
    guard k > 0 else { return 0 }
    return Double(ranking.found(atRank: k)) / Double(k)
  }

  /// F1 at an absolute cut-off: 2·P@k·R@k / (P@k + R@k), 0 when both are 0.
  ///
  /// Source: CSMeD/ranx `F1@k`.
  public static func f1(atRank k: Int, in ranking: JudgedRanking) -> Double {
    let p = precision(atRank: k, in: ranking)
    let r = recall(atRank: k, in: ranking)
    return p + r > 0 ? 2 * p * r / (p + r) : 0
  }

  /// Uninterpolated average precision: (1/R)·Σ over relevant ranks k of found(k)/k.
  ///
  /// Relevant documents not ranked contribute 0. Source: CLEF TAR `MAPBasedMeasures` (same
  /// summation order); trec_eval `map`.
  public static func averagePrecision(in ranking: JudgedRanking) -> Double {
    guard ranking.relevantCount > 0 else { return 0 }
    var sum = 0.0
    var found = 0
    for (index, isRelevant) in ranking.relevance.enumerated() where isRelevant {
      found += 1
      sum += Double(found) / Double(index + 1)
    }
    return sum / Double(ranking.relevantCount)
  }

  /// R-precision: found(R) / R.
  ///
  /// Source: trec_eval `Rprec`; CSMeD/ranx `r-precision`.
  public static func rPrecision(in ranking: JudgedRanking) -> Double {
    recall(atRank: ranking.relevantCount, in: ranking)
  }

  /// Binary nDCG at a cut-off: DCG@k / IDCG@k with DCG@k = Σ_{i ≤ min(k, L)} rel_i / log2(i + 1)
  /// and IDCG@k = Σ_{i ≤ min(k, R)} 1 / log2(i + 1). Pass `nil` for the full ranking (k = N).
  ///
  /// Source: `asreview.metrics.ndcg` (full) and CSMeD/ranx `ndcg@k` (binary gains).
  public static func ndcg(atRank k: Int? = nil, in ranking: JudgedRanking) -> Double {
    guard ranking.relevantCount > 0 else { return 0 }
    let cutoff = k ?? ranking.effectiveCount
    var dcg = 0.0
    for (index, isRelevant) in ranking.relevance.prefix(max(0, cutoff)).enumerated()
    where isRelevant {
      dcg += 1 / log2(Double(index + 2))
    }
    var ideal = 0.0
    for index in 0..<max(0, min(cutoff, ranking.relevantCount)) {
      ideal += 1 / log2(Double(index + 2))
    }
    return ideal > 0 ? dcg / ideal : 0
  }

  /// Reciprocal rank of the first relevant document (0 if none is ranked); its mean over reviews
  /// is MRR.
  ///
  /// Source: trec_eval `recip_rank`; CSMeD/ranx `mrr`.
  public static func reciprocalRank(in ranking: JudgedRanking) -> Double {
    guard let first = ranking.relevance.firstIndex(of: true) else { return 0 }
    return 1 / Double(first + 1)
  }

  /// The rank of the last relevant document, or `nil` if no relevant document is ranked.
  ///
  /// Source: CLEF TAR `last_rel` (reported as 0 when none is found).
  public static func lastRelevantRank(in ranking: JudgedRanking) -> Int? {
    ranking.relevance.lastIndex(of: true).map { $0 + 1 }
  }

  /// The last relevant rank as a fraction of N: last_rel / N (0 if none is ranked).
  ///
  /// Source: CLEF TAR 2018 `norm_last_rel` (unrounded; the script rounds to 3 places);
  /// CSMeD reports it ×100 as "last_rel" (% of the ranking).
  public static func lastRelevantFraction(in ranking: JudgedRanking) -> Double {
    let n = ranking.effectiveCount
    guard n > 0 else { return 0 }
    return Double(lastRelevantRank(in: ranking) ?? 0) / Double(n)
  }

  /// Normalized area under the cumulative-gain curve.
  ///
  /// area = Σ_{i=1..L} (found(i−1) + ½·rel_i) + (N − L)·found(L) when L < N;
  /// max_area = R·N′ − R²/2 with N′ = N, or L when L > N; norm_area = area / max_area.
  /// N here is the label candidate count. Source: CLEF TAR 2018 `AreaBasedMeasures`
  /// (unrounded; the script stores it rounded to 3 places).
  public static func normalizedArea(in ranking: JudgedRanking) -> Double {
    var area = 0.0
    var cg = 0.0
    for isRelevant in ranking.relevance {
      let v = isRelevant ? 1.0 : 0.0
      area = area + (cg + v * 0.5)
      cg = cg + v
    }
    let notShown = ranking.candidateCount - ranking.rankedCount
    if notShown > 0 { area = area + Double(notShown) * cg }
    let r = Double(ranking.relevantCount)
    let n = Double(notShown < 0 ? ranking.rankedCount : ranking.candidateCount)
    let maxArea = r * n - (r * r) / 2.0
    return maxArea > 0 ? area / maxArea : 0
  }

  /// The recall curve: recall after screening each prefix, as (fraction screened, recall)
  /// points for i = 0…N (the ranking padded with non-relevant documents to N).
  ///
  /// Source: asreview-insights `_recall_values` (x = i/N, y = found(i)/R).
  public static func recallCurve(in ranking: JudgedRanking) -> [(x: Double, y: Double)] {
    let n = ranking.effectiveCount
    let r = Double(max(ranking.relevantCount, 1))
    guard n > 0 else { return [(0, 0)] }
    let found = ranking.cumulativeFound
    return (0...n).map { i in
      (Double(i) / Double(n), Double(found[min(i, found.count - 1)]) / r)
    }
  }

  /// ROC AUC of the ranking: the share of (relevant, non-relevant) pairs of ranked documents in
  /// which the relevant one comes first (the Mann-Whitney statistic; the order breaks ties).
  /// 0.5 when either class is absent.
  public static func rocAUC(in ranking: JudgedRanking) -> Double {
    var negativesSeen = 0
    var misordered = 0
    for relevant in ranking.relevance {
      if relevant { misordered += negativesSeen } else { negativesSeen += 1 }
    }
    let positives = ranking.relevance.count - negativesSeen
    guard positives > 0, negativesSeen > 0 else { return 0.5 }
    return 1 - Double(misordered) / Double(positives * negativesSeen)
  }
}
