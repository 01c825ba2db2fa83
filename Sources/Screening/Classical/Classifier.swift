import Foundation
import Text

/// A binary screener over sparse features: trained on labelled rows, it scores rows so that
/// higher scores mean "more likely relevant".
///
/// Labels are `1` (relevant, included) and `0` (irrelevant, excluded). Implementations are value
/// types whose fitted state is `Codable`, so that a checkpoint is just the encoded model.
public protocol Classifier: Sendable, Codable {
  /// A short name for messages (`"naive Bayes"`).
  static var modelName: String { get }

  /// The number of feature columns the trained model expects, or `nil` before training.
  var featureCount: Int? { get }

  /// Trains the model on `features` (one row per record) and their `labels`.
  ///
  /// - Parameters:
  ///   - features: One row per labelled record.
  ///   - labels: `0` or `1` per row.
  ///   - weights: Optional non-negative sample weights, one per row; they multiply the weights of
  ///     the model's configured class balance.
  /// - Throws: `ScreeningError` for an empty training set, a single class, labels other than 0/1,
  ///   count mismatches and invalid weights. On error the model is unchanged.
  mutating func fit(_ features: SparseMatrix, labels: [Int], weights: [Double]?) throws

  /// The relevance score of every row: higher is more likely relevant.
  ///
  /// - Throws: `ScreeningError.notFitted` before training, `.dimensionMismatch` when the matrix
  ///   has another number of columns than the training features.
  func scores(_ features: SparseMatrix) throws -> [Double]
}

extension Classifier {
  /// Trains without sample weights (the configured class balance still applies).
  public mutating func fit(_ features: SparseMatrix, labels: [Int]) throws {
    try fit(features, labels: labels, weights: nil)
  }

  /// Throws unless the model is trained for `features.columnCount` columns.
  func checkScorable(_ features: SparseMatrix) throws -> Int {
    guard let count = featureCount else { throw ScreeningError.notFitted(model: Self.modelName) }
    guard features.columnCount == count else {
      throw ScreeningError.dimensionMismatch(model: Self.modelName, expected: count, found: features.columnCount)
    }
    return count
  }
}

/// A validated training set: rows with positive weight, their 0/1 labels and final weights.
struct TrainingSet {
  /// The rows used for training (rows of weight 0 removed).
  let features: SparseMatrix
  /// 0/1 per row of `features`.
  let labels: [Int]
  /// Sample weight × class-balance weight per row of `features` (all positive).
  let weights: [Double]

  /// Validates the inputs of `Classifier.fit` and applies the class balance.
  init(
    model: String, features: SparseMatrix, labels: [Int], weights: [Double]?, balance: ClassBalance
  ) throws {
    guard features.rowCount > 0 else { throw ScreeningError.emptyTrainingSet(model: model) }
    guard labels.count == features.rowCount else {
      throw ScreeningError.labelCountMismatch(rows: features.rowCount, labels: labels.count)
    }
    if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
      throw ScreeningError.invalidLabel(index: bad, value: labels[bad])
    }
    var combined = [Double](repeating: 1, count: labels.count)
    if let weights {
      guard weights.count == features.rowCount else {
        throw ScreeningError.weightCountMismatch(rows: features.rowCount, weights: weights.count)
      }
      if let bad = weights.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
        throw ScreeningError.invalidWeight(index: bad, value: weights[bad])
      }
      combined = weights
    }
    var positiveWeight = 0.0
    var negativeWeight = 0.0
    for (label, weight) in zip(labels, combined) {
      if label == 1 { positiveWeight += weight } else { negativeWeight += weight }
    }
    guard positiveWeight > 0, negativeWeight > 0 else {
      let label = positiveWeight > 0 ? 1 : 0
      throw ScreeningError.singleClass(
        model: model, label: label, count: labels.indices.filter { labels[$0] == label && combined[$0] > 0 }.count)
    }
    let balanceWeights = balance.sampleWeights(labels: labels)
    for i in combined.indices { combined[i] *= balanceWeights[i] }
    let keep = combined.indices.filter { combined[$0] > 0 }
    if keep.count == labels.count {
      self.features = features
      self.labels = labels
      self.weights = combined
    } else {
      self.features = features.rows(keep)
      self.labels = keep.map { labels[$0] }
      self.weights = keep.map { combined[$0] }
    }
  }
}
