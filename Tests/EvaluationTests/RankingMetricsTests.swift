import Foundation
import Testing

@testable import Evaluation

/// Hand-computed rank metrics.
///
/// The main example `1010000100` has N = 10, R = 3, relevant at ranks 1, 3 and 8.
@Suite("RankingMetrics")
struct RankingMetricsTests {
  let example = JudgedRanking(pattern: "1010000100")
  let single = JudgedRanking(pattern: "0001000")
  let allRelevant = JudgedRanking(pattern: "1111")

  @Test("recall@k, including k larger than the ranking (padded with non-relevant)")
  func recallAtRank() {
    expectClose(RankingMetrics.recall(atRank: 1, in: example), 1.0 / 3)
    expectClose(RankingMetrics.recall(atRank: 3, in: example), 2.0 / 3)
    expectClose(RankingMetrics.recall(atRank: 7, in: example), 2.0 / 3)
    expectClose(RankingMetrics.recall(atRank: 10, in: example), 1)
    expectClose(RankingMetrics.recall(atRank: 50, in: example), 1)
    expectClose(RankingMetrics.recall(atRank: 3, in: single), 0)
    expectClose(RankingMetrics.recall(atRank: 4, in: single), 1)
    // A run shorter than the cut-off that misses a relevant document: 2 of R = 3.
    let short = JudgedRanking(pattern: "101", candidateCount: 10, relevantCount: 3)
    expectClose(RankingMetrics.recall(atRank: 100, in: short), 2.0 / 3)
  }

  @Test("recall@p% uses k = round-half-even(N·p/100), as CLEF")
  func recallAtPercent() {
    #expect(RankingMetrics.rankCutoff(forPercent: 25, candidateCount: 10) == 2)  // 2.5 → 2
    #expect(RankingMetrics.rankCutoff(forPercent: 35, candidateCount: 10) == 4)  // 3.5 → 4
    #expect(RankingMetrics.rankCutoff(forPercent: 15, candidateCount: 10) == 2)  // 1.5 → 2
    expectClose(RankingMetrics.recall(atPercent: 10, in: example), 1.0 / 3)  // k = 1
    expectClose(RankingMetrics.recall(atPercent: 25, in: example), 1.0 / 3)  // k = 2
    expectClose(RankingMetrics.recall(atPercent: 35, in: example), 2.0 / 3)  // k = 4
    expectClose(RankingMetrics.recall(atPercent: 100, in: example), 1)
  }

  @Test("precision@k and F1@k, including k larger than the ranking")
  func precisionAndF1() {
    expectClose(RankingMetrics.precision(atRank: 5, in: example), 0.4)
    expectClose(RankingMetrics.precision(atRank: 50, in: example), 3.0 / 50)
    expectClose(RankingMetrics.f1(atRank: 5, in: example), 0.5)  // 2·0.4·(2/3) / (0.4 + 2/3)
    expectClose(RankingMetrics.f1(atRank: 2, in: single), 0)
    expectClose(RankingMetrics.precision(atRank: 4, in: allRelevant), 1)
  }

  @Test("AP, R-precision, reciprocal rank")
  func apRPrecisionMRR() {
    expectClose(RankingMetrics.averagePrecision(in: example), (1 + 2.0 / 3 + 3.0 / 8) / 3)
    expectClose(RankingMetrics.averagePrecision(in: single), 0.25)
    expectClose(RankingMetrics.averagePrecision(in: allRelevant), 1)
    expectClose(RankingMetrics.rPrecision(in: example), 2.0 / 3)
    expectClose(RankingMetrics.rPrecision(in: single), 0)
    expectClose(RankingMetrics.reciprocalRank(in: example), 1)
    expectClose(RankingMetrics.reciprocalRank(in: single), 0.25)
  }

  @Test("nDCG, full and at a cut-off")
  func ndcg() {
    let dcg = 1 + 1 / log2(4.0) + 1 / log2(9.0)
    let idcg = 1 + 1 / log2(3.0) + 1 / log2(4.0)
    expectClose(RankingMetrics.ndcg(in: example), dcg / idcg)
    expectClose(RankingMetrics.ndcg(in: example), 0.851959)
    expectClose(RankingMetrics.ndcg(atRank: 3, in: example), 1.5 / idcg)
    expectClose(RankingMetrics.ndcg(in: allRelevant), 1)
    expectClose(RankingMetrics.ndcg(in: single), 1 / log2(5.0))
  }

  @Test("last relevant rank and fraction")
  func lastRelevant() {
    #expect(RankingMetrics.lastRelevantRank(in: example) == 8)
    expectClose(RankingMetrics.lastRelevantFraction(in: example), 0.8)
    #expect(RankingMetrics.lastRelevantRank(in: JudgedRanking(pattern: "000")) == nil)
    expectClose(RankingMetrics.lastRelevantFraction(in: allRelevant), 1)
  }

  @Test("norm_area: area = Σ(cg_{i−1} + ½·rel_i) + (N − L)·cg, max = R·N − R²/2")
  func normArea() {
    // 0.5 + 1 + 1.5 + 4·2 + 2.5 + 2·3 = 19.5; max = 30 − 4.5 = 25.5.
    expectClose(RankingMetrics.normalizedArea(in: example), 19.5 / 25.5)
    expectClose(RankingMetrics.normalizedArea(in: single), 3.5 / 6.5)
    expectClose(RankingMetrics.normalizedArea(in: allRelevant), 1)
    // A run of 3 out of 10 candidates: 0.5 + 1 + 1.5 = 3, plus 7·2 = 17; max = 25.5.
    let short = JudgedRanking(pattern: "101", candidateCount: 10, relevantCount: 3)
    expectClose(RankingMetrics.normalizedArea(in: short), 17 / 25.5)
  }

  @Test("ties in a TREC run are broken by document id descending, like trec_eval")
  func tiesFollowTRECEval() throws {
    let run = try RunReader.read(
      """
      T Q0 b 1 1.0 x
      T Q0 a 2 2.0 x
      T Q0 c 3 1.0 x
      T Q0 e 4 0.5 x
      T Q0 d 5 1.0 x
      """, file: "ties.trec")
    #expect(run.rankings[0].documents.map(\.documentID) == ["a", "d", "c", "b", "e"])
    let labels = ReviewLabels(reviewID: "T", candidates: ["a", "b", "c", "d", "e"], relevant: ["b"])
    let judged = Evaluator.judge(run.rankings[0], against: labels).ranking
    #expect(judged.relevance == [false, false, false, true, false])
    expectClose(RankingMetrics.reciprocalRank(in: judged), 0.25)
    expectClose(RankingMetrics.recall(atRank: 3, in: judged), 0)
    expectClose(RankingMetrics.recall(atRank: 4, in: judged), 1)
  }

  @Test("recall curve runs from (0, 0) to (1, 1) in N steps")
  func recallCurve() {
    let curve = RankingMetrics.recallCurve(in: example)
    #expect(curve.count == 11)
    #expect(curve.first?.x == 0 && curve.first?.y == 0)
    expectClose(curve[3].y, 2.0 / 3)
    #expect(curve.last?.x == 1 && curve.last?.y == 1)
  }
}

@Suite struct ROCAUCTests {
  @Test func handComputed() {
    // 1 0 1 0 0: pairs (pos, neg) = 2 x 3 = 6; misordered: the second positive follows one negative.
    #expect(abs(RankingMetrics.rocAUC(in: JudgedRanking(pattern: "10100")) - 5.0 / 6) < 1e-12)
    #expect(RankingMetrics.rocAUC(in: JudgedRanking(pattern: "1100")) == 1)
    #expect(RankingMetrics.rocAUC(in: JudgedRanking(pattern: "0011")) == 0)
    #expect(RankingMetrics.rocAUC(in: JudgedRanking(pattern: "000")) == 0.5)
    #expect(RankingMetrics.rocAUC(in: JudgedRanking(pattern: "1")) == 0.5)
  }
}
