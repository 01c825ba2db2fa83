import Foundation
import Testing

@testable import Evaluation

/// Expected values from scikit-learn 1.7 (`accuracy_score`, `precision_score`, `recall_score`,
/// `f1_score`, `fbeta_score`) on the same vectors.
@Suite("ClassificationMetrics")
struct ClassificationMetricsTests {
  @Test("a thresholded ranking: accuracy 0.6, macro P 0.6, macro R 0.619, F1 0.5 / 0.583 / 0.6, F3 0.607")
  func typical() {
    let truth = [true, false, true, false, false, false, false, true, false, false]
    let predicted = [true, true, true, true, true, false, false, false, false, false]
    let c = ClassificationMetrics.evaluate(truth: truth, predicted: predicted)
    expectClose(c.accuracy, 0.6, tolerance: 1e-12)
    expectClose(c.macroPrecision, 0.6000000000000001, tolerance: 1e-12)
    expectClose(c.macroRecall, 0.6190476190476191, tolerance: 1e-12)
    expectClose(c.binaryF1, 0.5, tolerance: 1e-12)
    expectClose(c.macroF1, 0.5833333333333333, tolerance: 1e-12)
    expectClose(c.microF1, 0.6, tolerance: 1e-12)
    expectClose(c.macroF3, 0.6066176470588236, tolerance: 1e-12)
    #expect((c.tp, c.fp, c.tn, c.fn) == (2, 3, 4, 1))
  }

  @Test("zero division as scikit-learn: all negative, correctly predicted")
  func allNegative() {
    let c = ClassificationMetrics.evaluate(truth: [false, false, false], predicted: [false, false, false])
    #expect(c.accuracy == 1 && c.macroPrecision == 1 && c.macroRecall == 1)
    #expect(c.binaryF1 == 0 && c.macroF1 == 1 && c.microF1 == 1 && c.macroF3 == 1)
  }

  @Test("zero division as scikit-learn: nothing predicted positive")
  func nothingIncluded() {
    let c = ClassificationMetrics.evaluate(truth: [true, false, false, true], predicted: [false, false, false, false])
    expectClose(c.accuracy, 0.5)
    expectClose(c.macroPrecision, 0.25)
    expectClose(c.macroRecall, 0.5)
    expectClose(c.binaryF1, 0)
    expectClose(c.macroF1, 1.0 / 3)
    expectClose(c.microF1, 0.5)
    expectClose(c.macroF3, 0.45454545454545453)
  }

  @Test("decisions from a CSV decision column are scored over the whole candidate list")
  func decisionsFromRun() throws {
    let run = try RunReader.read(
      """
      review_id,document_id,rank,score,decision
      R1,a,1,0.9,include
      R1,b,2,0.8,exclude
      R1,c,3,0.7,include
      """, file: "decisions.csv")
    let labels = LabelSet(
      source: "labels",
      reviews: [ReviewLabels(reviewID: "R1", candidates: ["a", "b", "c", "d"], relevant: ["a", "d"])])
    let report = try Evaluator.evaluate(run, labels: labels)
    let c = try #require(report.reviews.first?.classification)
    // truth a b c d = 1 0 0 1; predicted 1 0 1 0 (d unranked → excluded).
    #expect((c.tp, c.fp, c.tn, c.fn) == (1, 1, 1, 1))
    expectClose(c.accuracy, 0.5)
  }
}
