import Failures
import Foundation

/// An error raised while training or applying a screener, or while loading its checkpoint.
///
/// Messages follow the pattern *what failed, what was expected, what was found*, so that a caller
/// can fix the input (labels, feature matrix, checkpoint) without reading the source.
public enum ScreeningError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Training was asked for without any labelled record.
  case emptyTrainingSet(model: String)
  /// Every labelled record (with positive weight) belongs to one class.
  case singleClass(model: String, label: Int, count: Int)
  /// A label is neither 0 (irrelevant) nor 1 (relevant).
  case invalidLabel(index: Int, value: Int)
  /// The number of labels differs from the number of feature rows.
  case labelCountMismatch(rows: Int, labels: Int)
  /// The number of sample weights differs from the number of feature rows.
  case weightCountMismatch(rows: Int, weights: Int)
  /// A sample weight is negative, infinite or not a number.
  case invalidWeight(index: Int, value: Double)
  /// The feature matrix has another number of columns than the model was trained on.
  case dimensionMismatch(model: String, expected: Int, found: Int)
  /// Scores were asked for before the model was trained or loaded.
  case notFitted(model: String)
  /// A hyper-parameter is outside its domain.
  case invalidParameter(name: String, expected: String, found: String)
  /// A checkpoint could not be decoded or is inconsistent.
  case invalidCheckpoint(reason: String)

  /// The message: what failed, what was expected, what was found.
  public var description: String {
    switch self {
    case .emptyTrainingSet(let model):
      return "cannot train \(model): expected at least one labelled record, found none"
    case .singleClass(let model, let label, let count):
      let name = label == 1 ? "relevant" : "irrelevant"
      return "cannot train \(model): expected labelled records of both classes (0 and 1) with positive "
        + "weight, found only \(count) \(name) (label \(label)) records"
    case .invalidLabel(let index, let value):
      return "invalid label at record \(index): expected 0 (irrelevant) or 1 (relevant), found \(value)"
    case .labelCountMismatch(let rows, let labels):
      return "expected one label per feature row (\(rows)), found \(labels) labels"
    case .weightCountMismatch(let rows, let weights):
      return "expected one sample weight per feature row (\(rows)), found \(weights) weights"
    case .invalidWeight(let index, let value):
      return "invalid sample weight at record \(index): expected a finite value >= 0, found \(value)"
    case .dimensionMismatch(let model, let expected, let found):
      return "\(model) was trained on \(expected) features, found a feature matrix with \(found) columns "
        + "(was the checkpoint made with another vectorizer?)"
    case .notFitted(let model):
      return "\(model) has not been trained: expected fit(_:labels:weights:) or a loaded checkpoint first"
    case .invalidParameter(let name, let expected, let found):
      return "invalid parameter \(name): expected \(expected), found \(found)"
    case .invalidCheckpoint(let reason):
      return "invalid screener checkpoint: \(reason)"
    }
  }
}

/// Every screening failure comes from the data a model was given to fit or to read back.
extension ScreeningError: CategorizedError {
  public var category: ErrorCategory { .data }
}
