import Foundation
import Testing

@testable import Evaluation

@Suite("WorkSavedMetrics")
struct WorkSavedMetricsTests {
  let example = JudgedRanking(pattern: "1010000100")

  @Test("the three conventions pick t = round-half-even, floor, ceil of r·R")
  func targetCounts() {
    let cases: [(r: Double, total: Int, clef: Int, asreview: Int, cohen: Int)] = [
      (0.95, 43, 41, 40, 41), (0.95, 30, 28, 28, 29), (0.95, 10, 10, 9, 10),
      (0.95, 20, 19, 19, 19), (0.95, 1, 1, 1, 1), (1.0, 43, 43, 43, 43), (0.5, 3, 2, 1, 2),
    ]
    for c in cases {
      #expect(WorkSavedMetrics.targetCount(forRecall: c.r, relevantCount: c.total, convention: .clef) == c.clef)
      #expect(WorkSavedMetrics.targetCount(forRecall: c.r, relevantCount: c.total, convention: .asreview) == c.asreview)
      #expect(WorkSavedMetrics.targetCount(forRecall: c.r, relevantCount: c.total, convention: .cohen) == c.cohen)
    }
  }

  /// The issue's example: N = 1,000, R = 43, relevant at ranks 1…39, 320, 477, 600, 800.
  ///
  /// - asreview (t = 40, 40th relevant at rank 320, 0-based 319): the random curve
  ///   round(i·43/999) first reaches 40 at i = 918 (918·43/999 = 39.51), so
  ///   WSS = (918 − 319)/1000 = 0.599.
  /// - clef (t = round(40.85) = 41, rank 477): (1000 − 477)/1000 − 0.05 = 0.473.
  /// - cohen (t = ceil(40.85) = 41): the same 0.473.
  @Test("WSS@95 on the 1,000/43 ranking: asreview 0.599, clef 0.473, cohen 0.473")
  func wssFortyThree() {
    let ranking = FortyThree.ranking
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .asreview), 0.599, tolerance: 1e-12)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .clef), 0.473, tolerance: 1e-12)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .cohen), 0.473, tolerance: 1e-12)
    // WSS@100: clef (1000 − 800)/1000 = 0.2; asreview (999 − 799)/1000 + … = 0.189 (numpy).
    expectClose(WorkSavedMetrics.wss(atRecall: 1, in: ranking, convention: .clef), 0.2, tolerance: 1e-12)
    expectClose(WorkSavedMetrics.wss(atRecall: 1, in: ranking, convention: .asreview), 0.189, tolerance: 1e-12)
  }

  /// N = 100, R = 30, relevant at ranks 1…28, 50 and 90: all three conventions differ.
  /// clef t = 28 → (100 − 28)/100 − 0.05 = 0.67; cohen t = 29 → (100 − 50)/100 − 0.05 = 0.45;
  /// asreview t = 28 → random reaches 28 at i = 91 (91·30/99 = 27.58) → (91 − 27)/100 = 0.64.
  @Test("WSS@95 with R = 30: clef 0.67, cohen 0.45, asreview 0.64")
  func wssThirty() {
    let ranking = JudgedRanking(relevance: (1...100).map { $0 <= 28 || $0 == 50 || $0 == 90 })
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .clef), 0.67, tolerance: 1e-12)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .cohen), 0.45, tolerance: 1e-12)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .asreview), 0.64, tolerance: 1e-12)
  }

  @Test("WSS on the small example, single relevant, all relevant")
  func wssSmall() {
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: example, convention: .clef), 0.15)
    expectClose(WorkSavedMetrics.wss(atRecall: 1, in: example, convention: .clef), 0.2)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: example, convention: .asreview), 0.3)
    expectClose(WorkSavedMetrics.wss(atRecall: 1, in: example, convention: .asreview), 0.1)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.5, in: example, convention: .asreview), 0.2)
    let single = JudgedRanking(pattern: "0001000")
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: single, convention: .clef), 3.0 / 7 - 0.05)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: single, convention: .asreview), 1.0 / 7)
    let all = JudgedRanking(pattern: "1111")
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: all, convention: .clef), -0.05)
    expectClose(WorkSavedMetrics.wss(atRecall: 1, in: all, convention: .clef), 0)
    expectClose(WorkSavedMetrics.wss(atRecall: 0.95, in: all, convention: .asreview), 0)
  }

  @Test("WSS is 0 when the recall level is never reached, as CLEF reports it")
  func wssNeverReached() {
    let short = JudgedRanking(pattern: "10100", candidateCount: 10, relevantCount: 3)
    #expect(WorkSavedMetrics.wss(atRecall: 0.95, in: short, convention: .clef) == 0)
    #expect(WorkSavedMetrics.wss(atRecall: 1, in: short, convention: .clef) == 0)
    #expect(WorkSavedMetrics.wss(atRecall: 0.95, in: short, convention: .cohen) == 0)
    #expect(WorkSavedMetrics.tnr(atRecall: 0.95, in: short) == nil)
    #expect(WorkSavedMetrics.normalizedPrecision(atRecall: 0.95, in: short) == nil)
  }

  @Test("the CLEF penalty for r = 0.95 is the literal 0.05")
  func penalty() {
    #expect(WorkSavedMetrics.penalty(forRecall: 0.95) == 0.05)
    #expect(WorkSavedMetrics.penalty(forRecall: 1) == 0)
  }

  @Test("TNR@r and normalized precision@r at the first rank reaching r (CSMeD)")
  func tnrAndNormalizedPrecision() {
    // r = 0.95: rank 8, TP 3, FP 5, TN 2 → TNR 2/7, nPrecision 3·2/(7·8).
    expectClose(WorkSavedMetrics.tnr(atRecall: 0.95, in: example), 2.0 / 7)
    expectClose(WorkSavedMetrics.normalizedPrecision(atRecall: 0.95, in: example), 6.0 / 56)
    // r = 0.5: rank 3, TP 2, FP 1, TN 6 → TNR 6/7, nPrecision 12/21.
    expectClose(WorkSavedMetrics.tnr(atRecall: 0.5, in: example), 6.0 / 7)
    expectClose(WorkSavedMetrics.normalizedPrecision(atRecall: 0.5, in: example), 12.0 / 21)
    // Single relevant at rank 4 of 7: FP 3, TN 3 → 0.5; nPrecision 1·3/(6·4).
    let single = JudgedRanking(pattern: "0001000")
    expectClose(WorkSavedMetrics.tnr(atRecall: 0.95, in: single), 0.5)
    expectClose(WorkSavedMetrics.normalizedPrecision(atRecall: 0.95, in: single), 0.125)
    // All relevant: no negatives, TNR undefined.
    #expect(WorkSavedMetrics.tnr(atRecall: 0.95, in: JudgedRanking(pattern: "1111")) == nil)
  }
}
