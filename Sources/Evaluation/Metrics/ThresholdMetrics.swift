import Foundation

/// Metrics for thresholded runs: the reviewer screens the first `shownCount` documents and stops.
///
/// A ranking without a threshold counts as fully shown (all L documents), as in the CLEF script.
/// Notation: S = documents shown, F_S = relevant among them, N = label candidate count, R.
public enum ThresholdMetrics {
  /// The number of documents shown: the threshold rank, or L without a threshold.
  public static func shownCount(in ranking: JudgedRanking) -> Int {
    min(ranking.shownCount ?? ranking.rankedCount, ranking.rankedCount)
  }

  /// Recall at the threshold: F_S / R.
  ///
  /// Source: CLEF TAR 2018 `r` (`LossBasedMeasures`) and `recall_at_threshold` (Task 1).
  public static func recallAtThreshold(in ranking: JudgedRanking) -> Double {
    guard ranking.relevantCount > 0 else { return 0 }
    return Double(ranking.found(atRank: shownCount(in: ranking))) / Double(ranking.relevantCount)
  }

  /// CLEF TAR 2018 total cost (`UtilityBasedMeasure`).
  ///
  /// Each shown non-relevant document costs 1, each shown relevant document 1 − 20 = −19, each
  /// ranked relevant document after the threshold 20, and finally every relevant document not
  /// shown costs another 20 (so relevant documents after the threshold are charged twice: the
  /// script's behaviour, reproduced on purpose).
  public static func totalCost(in ranking: JudgedRanking) -> Double {
    let shown = shownCount(in: ranking)
    var cost = 0.0
    var relevantShown = 0
    for (index, isRelevant) in ranking.relevance.enumerated() {
      let current: Double
      if index < shown {
        if isRelevant { relevantShown += 1 }
        current = isRelevant ? 1.0 - 20.0 : 1.0
      } else {
        current = isRelevant ? 20.0 : 0.0
      }
      cost = cost + current
    }
    return cost + Double(ranking.relevantCount - relevantShown) * 20.0
  }

  /// CLEF TAR 2018 recall loss: loss_r = (1 − F_S/R)².
  public static func recallLoss(in ranking: JudgedRanking) -> Double {
    pow(1 - recallAtThreshold(in: ranking), 2.0)
  }

  /// CLEF TAR 2018 effort loss: loss_e = (b/N′)²·(S/(R + b))² with b = 100 and N′ = max(N, S).
  public static func effortLoss(in ranking: JudgedRanking) -> Double {
    let shown = shownCount(in: ranking)
    let n = max(ranking.candidateCount, shown)
    guard n > 0 else { return 0 }
    let b = 100.0
    return pow(b / Double(n), 2.0) * pow(Double(shown) / (Double(ranking.relevantCount) + b), 2.0)
  }

  /// CLEF TAR 2018 `loss_er` = loss_r + loss_e (Cormack & Grossman's reliability-effort loss).
  public static func recallEffortLoss(in ranking: JudgedRanking) -> Double {
    recallLoss(in: ranking) + effortLoss(in: ranking)
  }
}
