import Foundation
import Testing

@testable import Evaluation

@Suite("ThresholdMetrics and ASReviewMetrics")
struct ThresholdAndASReviewTests {
  /// `1010000100` with the threshold at rank 5: shown ranks 1–5 hold 2 of R = 3.
  let thresholded = JudgedRanking(
    relevance: JudgedRanking(pattern: "1010000100").relevance, shownCount: 5)
  let example = JudgedRanking(pattern: "1010000100")

  @Test("num_shown, recall at threshold")
  func shownAndRecall() {
    #expect(ThresholdMetrics.shownCount(in: thresholded) == 5)
    expectClose(ThresholdMetrics.recallAtThreshold(in: thresholded), 2.0 / 3)
    #expect(ThresholdMetrics.shownCount(in: example) == 10)
    expectClose(ThresholdMetrics.recallAtThreshold(in: example), 1)
  }

  @Test("CLEF total cost: −19 per shown relevant, +1 per shown non-relevant, +20 per relevant after the threshold, +20 per relevant not shown")
  func totalCost() {
    // Shown: −19 + 1 − 19 + 1 + 1 = −35; unseen relevant at rank 8: +20; one relevant missed: +20.
    #expect(ThresholdMetrics.totalCost(in: thresholded) == 5)
    // Everything shown: 3·(−19) + 7 = −50.
    #expect(ThresholdMetrics.totalCost(in: example) == -50)
  }

  @Test("CLEF loss_r, loss_e, loss_er")
  func losses() {
    expectClose(ThresholdMetrics.recallLoss(in: thresholded), 1.0 / 9)
    let lossE: Double = 100 * (5.0 / 103) * (5.0 / 103)
    expectClose(ThresholdMetrics.effortLoss(in: thresholded), lossE)
    expectClose(ThresholdMetrics.effortLoss(in: thresholded), 0.235649)
    expectClose(ThresholdMetrics.recallEffortLoss(in: thresholded), 1.0 / 9 + lossE)
  }

  @Test("a 2017 NS action ends what is shown; a 2018 `1` is the last shown document")
  func actions() {
    let labels = ReviewLabels(reviewID: "T", candidates: ["a", "b", "c", "d"], relevant: ["a", "c"])
    let ns = Ranking(
      reviewID: "T",
      documents: [
        RankedDocument(documentID: "a", action: .activeFeedback),
        RankedDocument(documentID: "b", action: .noFeedback),
        RankedDocument(documentID: "c", action: .notShown),
        RankedDocument(documentID: "d", action: .notShown),
      ])
    #expect(Evaluator.judge(ns, against: labels).ranking.shownCount == 2)
    let mark = Ranking(
      reviewID: "T",
      documents: [
        RankedDocument(documentID: "a"), RankedDocument(documentID: "b"),
        RankedDocument(documentID: "c", action: .threshold), RankedDocument(documentID: "d"),
      ])
    let judged = Evaluator.judge(mark, against: labels).ranking
    #expect(judged.shownCount == 3)
    expectClose(ThresholdMetrics.recallAtThreshold(in: judged), 1)
  }

  @Test("ERF@10% = (found(i) − round(linspace(0, R, N))[i−1]) / R")
  func erf() {
    expectClose(ASReviewMetrics.extraRelevantFound(atFraction: 0.1, in: example), 1.0 / 3)
    expectClose(ASReviewMetrics.extraRelevantFound(atFraction: 0.1, in: JudgedRanking(pattern: "0001000")), 0)
    // 1,000/43: i = 100, found 39, random round(99·43/999) = round(4.26) = 4 → 35/43.
    expectClose(ASReviewMetrics.extraRelevantFound(atFraction: 0.1, in: FortyThree.ranking), 35.0 / 43, tolerance: 1e-12)
  }

  @Test("time to discovery and its average")
  func timeToDiscovery() {
    let ranking = JudgedRanking(
      relevance: [true, false, true, false], documentIDs: ["a", "b", "c", "d"])
    #expect(
      ASReviewMetrics.timeToDiscovery(in: ranking)
        == [Discovery(documentID: "a", rank: 1), Discovery(documentID: "c", rank: 3)])
    expectClose(ASReviewMetrics.averageTimeToDiscovery(in: ranking), 2)
    expectClose(ASReviewMetrics.averageTimeToDiscovery(in: example), 4)
    #expect(ASReviewMetrics.averageTimeToDiscovery(in: JudgedRanking(pattern: "000", relevantCount: 1)) == nil)
  }

  @Test("ASReview normalized loss")
  func asreviewLoss() {
    // Σ found = 21, best = 3·(10 − 1) = 27 → (27 − 21)/(3·7).
    expectClose(ASReviewMetrics.loss(in: example), 6.0 / 21)
    expectClose(ASReviewMetrics.loss(in: JudgedRanking(pattern: "0001000")), 0.5)
    expectClose(ASReviewMetrics.loss(in: FortyThree.ranking), 0.04935481519282642, tolerance: 1e-12)
    #expect(ASReviewMetrics.loss(in: JudgedRanking(pattern: "1111")) == nil)
  }
}
