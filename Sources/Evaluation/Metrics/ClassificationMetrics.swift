import Foundation

/// Classification metrics of include/exclude decisions, as scikit-learn computes them.
public struct ClassificationResult: Sendable, Hashable, Codable {
  /// Correct decisions / all decisions (`accuracy_score`).
  public var accuracy: Double
  /// Mean of per-class precision (`precision_score(average="macro")`).
  public var macroPrecision: Double
  /// Mean of per-class recall (`recall_score(average="macro")`).
  public var macroRecall: Double
  /// F1 of the positive (include) class (`f1_score(average="binary")`).
  public var binaryF1: Double
  /// Mean of per-class F1 (`f1_score(average="macro")`).
  public var macroF1: Double
  /// Micro-averaged F1 (`f1_score(average="micro")`; equals accuracy for two classes).
  public var microF1: Double
  /// Mean of per-class F3 (`fbeta_score(beta=3, average="macro")`).
  public var macroF3: Double
  /// True positives, false positives, true negatives, false negatives of the include class.
  public var tp: Int, fp: Int, tn: Int, fn: Int

  /// Creates a result.
  public init(
    accuracy: Double, macroPrecision: Double, macroRecall: Double, binaryF1: Double,
    macroF1: Double, microF1: Double, macroF3: Double, tp: Int, fp: Int, tn: Int, fn: Int
  ) {
    self.accuracy = accuracy
    self.macroPrecision = macroPrecision
    self.macroRecall = macroRecall
    self.binaryF1 = binaryF1
    self.macroF1 = macroF1
    self.microF1 = microF1
    self.macroF3 = macroF3
    self.tp = tp
    self.fp = fp
    self.tn = tn
    self.fn = fn
  }
}

/// Classification metrics for screening decisions (CSMeD-FT full-text screening, §4.1 of the
/// CSMeD notes): accuracy, macro precision/recall, F1 binary/macro/micro and F3 macro.
///
/// Zero division follows scikit-learn's default (`zero_division="warn"`): an undefined precision,
/// recall or F-score is 0. Macro averages run over the classes present in the truth or the
/// predictions (`unique_labels(y_true, y_pred)`), so an all-negative sample averages over one
/// class only. The binary F1 always scores the include class (`pos_label=1`).
public enum ClassificationMetrics {
  /// Computes the metrics of `predicted` against `truth` (`true` = include / relevant).
  /// - Precondition: `truth.count == predicted.count`.
  public static func evaluate(truth: [Bool], predicted: [Bool]) -> ClassificationResult {
    precondition(truth.count == predicted.count, "truth and predictions differ in length")
    var tp = 0, fp = 0, tn = 0, fn = 0
    for (t, p) in zip(truth, predicted) {
      switch (t, p) {
      case (true, true): tp += 1
      case (false, true): fp += 1
      case (false, false): tn += 1
      case (true, false): fn += 1
      }
    }
    let total = truth.count
    let accuracy = total > 0 ? Double(tp + tn) / Double(total) : 0

    // Per-class counts: class 1 = include, class 0 = exclude (its tp is our tn).
    struct ClassCounts { var tp: Int, fp: Int, fn: Int }
    var classes: [ClassCounts] = []
    let hasNegative = tn + fp > 0 || tn + fn > 0
    let hasPositive = tp + fn > 0 || tp + fp > 0
    if hasNegative { classes.append(ClassCounts(tp: tn, fp: fn, fn: fp)) }
    if hasPositive { classes.append(ClassCounts(tp: tp, fp: fp, fn: fn)) }

    func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
    func fbeta(_ c: ClassCounts, beta: Double) -> Double {
      let b2 = beta * beta
      let denominator = (1 + b2) * Double(c.tp) + b2 * Double(c.fn) + Double(c.fp)
      return denominator > 0 ? (1 + b2) * Double(c.tp) / denominator : 0
    }
    func mean(_ values: [Double]) -> Double {
      values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
    let positive = ClassCounts(tp: tp, fp: fp, fn: fn)
    let micro = ClassCounts(
      tp: classes.reduce(0) { $0 + $1.tp }, fp: classes.reduce(0) { $0 + $1.fp },
      fn: classes.reduce(0) { $0 + $1.fn })
    return ClassificationResult(
      accuracy: accuracy,
      macroPrecision: mean(classes.map { ratio($0.tp, $0.tp + $0.fp) }),
      macroRecall: mean(classes.map { ratio($0.tp, $0.tp + $0.fn) }),
      binaryF1: fbeta(positive, beta: 1),
      macroF1: mean(classes.map { fbeta($0, beta: 1) }),
      microF1: fbeta(micro, beta: 1),
      macroF3: mean(classes.map { fbeta($0, beta: 3) }),
      tp: tp, fp: fp, tn: tn, fn: fn)
  }
}
