import Foundation
import Text

/// Multinomial naive Bayes on (TF-IDF) features, as scikit-learn's `MultinomialNB`
/// (`sklearn/naive_bayes.py`: `_count`, `_update_feature_log_prob`, `_joint_log_likelihood`),
/// which ASReview's `nb` classifier wraps (`elas_u3`: `alpha=3.822`).
///
/// Training sums the weighted feature values per class, `N_cj = Σ_{i: yᵢ=c} wᵢ xᵢⱼ`, and sets
/// `log θ_cj = ln(N_cj + α) − ln(Σⱼ (N_cj + α))` and the class prior
/// `log π_c = ln(Σ_{i: yᵢ=c} wᵢ) − ln(Σᵢ wᵢ)` (or `ln ½` without `fitPrior`). The joint
/// log-likelihood of a row is `log π_c + Σⱼ xᵢⱼ log θ_cj`; `logProbabilities` normalizes it with
/// log-sum-exp as `predict_log_proba`. `scores` returns the log-odds
/// `log P(1|x) − log P(0|x)`, a monotone transform of `predict_proba[:, 1]` that does not saturate.
public struct NaiveBayes: Classifier {
  /// Hyper-parameters.
  public struct Configuration: Sendable, Hashable, Codable {
    /// Additive (Lidstone) smoothing (scikit-learn `alpha`; default ASReview's 3.822).
    public var alpha: Double
    /// Learn class priors from the (weighted) label counts, else use uniform priors.
    public var fitPrior: Bool
    /// Class re-weighting applied during training.
    public var balance: ClassBalance

    /// Creates a configuration; the defaults are ASReview's `nb` (`alpha=3.822`, priors fitted,
    /// no balancing; ASReview's `elas_u3` adds `.asreview(ratio: 1.2)`).
    public init(alpha: Double = 3.822, fitPrior: Bool = true, balance: ClassBalance = .none) {
      self.alpha = alpha
      self.fitPrior = fitPrior
      self.balance = balance
    }

    private enum CodingKeys: String, CodingKey {
      case alpha
      case fitPrior = "fit_prior"
      case balance
    }
  }

  /// A short name for messages.
  public static let modelName = "naive Bayes"

  /// The hyper-parameters.
  public let configuration: Configuration
  /// `log θ` of class 0 (irrelevant) and class 1 (relevant), one per feature; empty before training.
  public private(set) var featureLogProbabilities: [[Double]] = []
  /// `log π` of class 0 and class 1; empty before training.
  public private(set) var classLogPriors: [Double] = []

  /// Creates an untrained model.
  ///
  /// - Throws: `ScreeningError.invalidParameter` for a negative or non-finite `alpha` or an
  ///   invalid balance ratio.
  public init(configuration: Configuration = Configuration()) throws {
    try Self.validate(configuration)
    self.configuration = configuration
  }

  private static func validate(_ configuration: Configuration) throws {
    guard configuration.alpha >= 0, configuration.alpha.isFinite else {
      throw ScreeningError.invalidParameter(
        name: "alpha", expected: "a finite value >= 0", found: "\(configuration.alpha)")
    }
    try configuration.balance.validate()
  }

  /// The number of features of the trained model, or `nil` before training.
  public var featureCount: Int? { featureLogProbabilities.isEmpty ? nil : featureLogProbabilities[1].count }

  /// Trains the model; see `Classifier.fit(_:labels:weights:)`.
  ///
  /// - Complexity: O(stored entries + features).
  public mutating func fit(_ features: SparseMatrix, labels: [Int], weights: [Double]?) throws {
    let training = try TrainingSet(
      model: Self.modelName, features: features, labels: labels, weights: weights, balance: configuration.balance)
    let d = training.features.columnCount
    var classWeights = [0.0, 0.0]
    var relevantWeights = [Double](repeating: 0, count: training.labels.count)
    var irrelevantWeights = relevantWeights
    for (i, label) in training.labels.enumerated() {
      classWeights[label] += training.weights[i]
      if label == 1 { relevantWeights[i] = training.weights[i] } else { irrelevantWeights[i] = training.weights[i] }
    }
    var logProbabilities: [[Double]] = []
    for classWeightsPerRow in [irrelevantWeights, relevantWeights] {
      var counts = [Double](repeating: 0, count: d)
      training.features.transposeMultiply(classWeightsPerRow, adding: &counts)
      var total = 0.0
      for j in 0..<d {
        counts[j] += configuration.alpha
        total += counts[j]
      }
      let logTotal = Foundation.log(total)
      logProbabilities.append(counts.map { Foundation.log($0) - logTotal })
    }
    if logProbabilities.joined().contains(where: { !$0.isFinite }) {
      throw ScreeningError.invalidParameter(
        name: "alpha", expected: "a value > 0 when a class has features that never occur",
        found: "\(configuration.alpha)")
    }
    featureLogProbabilities = logProbabilities
    if configuration.fitPrior {
      let logTotal = Foundation.log(classWeights[0] + classWeights[1])
      classLogPriors = classWeights.map { Foundation.log($0) - logTotal }
    } else {
      classLogPriors = [-Foundation.log(2.0), -Foundation.log(2.0)]
    }
  }

  /// The joint log-likelihood `log π_c + x · log θ_c` of every row for class 0 and class 1
  /// (scikit-learn's `_joint_log_likelihood`).
  ///
  /// - Throws: `.notFitted`, `.dimensionMismatch`.
  public func jointLogLikelihoods(_ features: SparseMatrix) throws -> (irrelevant: [Double], relevant: [Double]) {
    _ = try checkScorable(features)
    var irrelevant = features.multiply(featureLogProbabilities[0])
    var relevant = features.multiply(featureLogProbabilities[1])
    for i in irrelevant.indices {
      irrelevant[i] += classLogPriors[0]
      relevant[i] += classLogPriors[1]
    }
    return (irrelevant, relevant)
  }

  /// `log P(0 | x)` and `log P(1 | x)` of every row (scikit-learn's `predict_log_proba`).
  ///
  /// - Throws: `.notFitted`, `.dimensionMismatch`.
  public func logProbabilities(_ features: SparseMatrix) throws -> (irrelevant: [Double], relevant: [Double]) {
    var (irrelevant, relevant) = try jointLogLikelihoods(features)
    for i in irrelevant.indices {
      let top = max(irrelevant[i], relevant[i])
      let normalizer = Foundation.log(Foundation.exp(irrelevant[i] - top) + Foundation.exp(relevant[i] - top)) + top
      irrelevant[i] -= normalizer
      relevant[i] -= normalizer
    }
    return (irrelevant, relevant)
  }

  /// The log-odds `log P(1|x) − log P(0|x)` of every row.
  ///
  /// - Throws: `.notFitted`, `.dimensionMismatch`.
  public func scores(_ features: SparseMatrix) throws -> [Double] {
    let (irrelevant, relevant) = try jointLogLikelihoods(features)
    return zip(relevant, irrelevant).map { $0 - $1 }
  }

  // MARK: - Codable

  private enum CodingKeys: String, CodingKey {
    case configuration
    case featureLogProbabilities = "feature_log_prob"
    case classLogPriors = "class_log_prior"
  }

  /// Decodes a model, checking that both classes have one finite log-probability per feature.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let configuration = try container.decode(Configuration.self, forKey: .configuration)
    let logProbabilities = try container.decode([[Double]].self, forKey: .featureLogProbabilities)
    let priors = try container.decode([Double].self, forKey: .classLogPriors)
    try Self.validate(configuration)
    let trained = !logProbabilities.isEmpty || !priors.isEmpty
    if trained {
      guard logProbabilities.count == 2, priors.count == 2,
        logProbabilities[0].count == logProbabilities[1].count,
        !logProbabilities.joined().contains(where: { !$0.isFinite }), priors.allSatisfy(\.isFinite)
      else {
        throw ScreeningError.invalidCheckpoint(
          reason: "naive Bayes: expected 2 classes with equally many finite feature log-probabilities and 2 "
            + "finite priors, found \(logProbabilities.map(\.count)) log-probabilities and \(priors.count) priors")
      }
    }
    self.configuration = configuration
    self.featureLogProbabilities = logProbabilities
    self.classLogPriors = priors
  }
}
