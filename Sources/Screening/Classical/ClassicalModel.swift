import Foundation
import Text

/// Any of the classical screeners, for code that picks the model at run time (`--model tfidf-nb`)
/// and for checkpoints: it encodes as `{"format_version": 1, "model": "naive_bayes" |
/// "logistic_regression" | "linear_svm", "state": {…}}`.
public enum ClassicalModel: Classifier {
  /// Multinomial naive Bayes.
  case naiveBayes(NaiveBayes)
  /// L2-regularized logistic regression.
  case logisticRegression(LogisticRegression)
  /// Linear SVM (dual coordinate descent).
  case linearSVM(LinearSVM)

  /// A short name for messages.
  public static let modelName = "classical model"

  /// The checkpoint key of the wrapped model.
  public var kind: String {
    switch self {
    case .naiveBayes: return "naive_bayes"
    case .logisticRegression: return "logistic_regression"
    case .linearSVM: return "linear_svm"
    }
  }

  /// The number of features of the trained model, or `nil` before training.
  public var featureCount: Int? {
    switch self {
    case .naiveBayes(let model): return model.featureCount
    case .logisticRegression(let model): return model.featureCount
    case .linearSVM(let model): return model.featureCount
    }
  }

  /// Trains the wrapped model.
  public mutating func fit(_ features: SparseMatrix, labels: [Int], weights: [Double]?) throws {
    switch self {
    case .naiveBayes(var model):
      try model.fit(features, labels: labels, weights: weights)
      self = .naiveBayes(model)
    case .logisticRegression(var model):
      try model.fit(features, labels: labels, weights: weights)
      self = .logisticRegression(model)
    case .linearSVM(var model):
      try model.fit(features, labels: labels, weights: weights)
      self = .linearSVM(model)
    }
  }

  /// The wrapped model's scores.
  public func scores(_ features: SparseMatrix) throws -> [Double] {
    switch self {
    case .naiveBayes(let model): return try model.scores(features)
    case .logisticRegression(let model): return try model.scores(features)
    case .linearSVM(let model): return try model.scores(features)
    }
  }

  // MARK: - Checkpoints

  /// Encodes the model as a JSON checkpoint (sorted keys, so equal models give equal bytes).
  public func checkpointData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(self)
  }

  /// Decodes a JSON checkpoint written by `checkpointData()`.
  ///
  /// - Throws: `ScreeningError.invalidCheckpoint` with the decoder's reason.
  public init(checkpoint data: Data) throws {
    do {
      self = try JSONDecoder().decode(ClassicalModel.self, from: data)
    } catch let error as ScreeningError {
      throw error
    } catch let DecodingError.dataCorrupted(context) {
      throw ScreeningError.invalidCheckpoint(reason: Self.describe(context))
    } catch let DecodingError.keyNotFound(key, context) {
      throw ScreeningError.invalidCheckpoint(reason: "missing key '\(key.stringValue)' at \(Self.path(context))")
    } catch let DecodingError.typeMismatch(_, context) {
      throw ScreeningError.invalidCheckpoint(reason: Self.describe(context))
    } catch let DecodingError.valueNotFound(_, context) {
      throw ScreeningError.invalidCheckpoint(reason: Self.describe(context))
    } catch {
      throw ScreeningError.invalidCheckpoint(reason: String(describing: error))
    }
  }

  private static func path(_ context: DecodingError.Context) -> String {
    let keys = context.codingPath.map(\.stringValue)
    return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
  }

  private static func describe(_ context: DecodingError.Context) -> String {
    "\(context.debugDescription) at \(path(context))"
  }

  private enum CodingKeys: String, CodingKey {
    case formatVersion = "format_version"
    case model
    case state
  }

  /// Decodes `{"format_version": 1, "model": …, "state": …}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let version = try container.decode(Int.self, forKey: .formatVersion)
    guard version == 1 else {
      throw ScreeningError.invalidCheckpoint(reason: "expected format_version 1, found \(version)")
    }
    let kind = try container.decode(String.self, forKey: .model)
    switch kind {
    case "naive_bayes": self = .naiveBayes(try container.decode(NaiveBayes.self, forKey: .state))
    case "logistic_regression":
      self = .logisticRegression(try container.decode(LogisticRegression.self, forKey: .state))
    case "linear_svm": self = .linearSVM(try container.decode(LinearSVM.self, forKey: .state))
    default:
      throw ScreeningError.invalidCheckpoint(
        reason: "expected model naive_bayes, logistic_regression or linear_svm, found '\(kind)'")
    }
  }

  /// Encodes `{"format_version": 1, "model": …, "state": …}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(1, forKey: .formatVersion)
    try container.encode(kind, forKey: .model)
    switch self {
    case .naiveBayes(let model): try container.encode(model, forKey: .state)
    case .logisticRegression(let model): try container.encode(model, forKey: .state)
    case .linearSVM(let model): try container.encode(model, forKey: .state)
    }
  }
}
