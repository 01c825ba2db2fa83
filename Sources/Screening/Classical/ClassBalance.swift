import Foundation

/// How the two classes are re-weighted during training, given that relevant records are rare.
///
/// Every strategy is a per-record weight multiplied into the caller's sample weights, so it
/// applies to any `Classifier` and is deterministic.
public enum ClassBalance: Sendable, Hashable, Codable {
  /// All records weigh 1.
  case none
  /// ASReview's `Balanced(ratio)` (`asreview/models/balancers.py`, v2/v3): relevant records weigh
  /// 1 and irrelevant ones `n₁ / (ratio · n₀)`, then all weights are rescaled to sum to `n`.
  /// ASReview's default model `elas_u4` uses `ratio` 9.8, `elas_u3` uses 1.2.
  case asreview(ratio: Double)
  /// scikit-learn's `class_weight="balanced"`: a record of class `c` weighs `n / (2 · n_c)`.
  case inverseClassFrequency

  /// The balance weight of every record for 0/1 `labels` that contain both classes.
  ///
  /// - Precondition: both classes occur (the training-set validation guarantees it).
  public func sampleWeights(labels: [Int]) -> [Double] {
    let n = Double(labels.count)
    let positives = Double(labels.reduce(0) { $0 + ($1 == 1 ? 1 : 0) })
    let negatives = n - positives
    switch self {
    case .none:
      return [Double](repeating: 1, count: labels.count)
    case .asreview(let ratio):
      precondition(positives > 0 && negatives > 0, "balancing needs both classes")
      let negativeWeight = positives / (ratio * negatives)
      let total = positives + negativeWeight * negatives
      let scale = n / total
      return labels.map { $0 == 1 ? scale : negativeWeight * scale }
    case .inverseClassFrequency:
      precondition(positives > 0 && negatives > 0, "balancing needs both classes")
      return labels.map { $0 == 1 ? n / (2 * positives) : n / (2 * negatives) }
    }
  }

  func validate() throws {
    if case .asreview(let ratio) = self, !(ratio > 0 && ratio.isFinite) {
      throw ScreeningError.invalidParameter(name: "balance ratio", expected: "a finite value > 0", found: "\(ratio)")
    }
  }

  private enum CodingKeys: String, CodingKey { case strategy, ratio }

  /// Decodes `{"strategy": "none" | "asreview" | "inverse_class_frequency", "ratio": r}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let strategy = try container.decode(String.self, forKey: .strategy)
    switch strategy {
    case "none": self = .none
    case "asreview": self = .asreview(ratio: try container.decode(Double.self, forKey: .ratio))
    case "inverse_class_frequency": self = .inverseClassFrequency
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .strategy, in: container,
        debugDescription: "expected none, asreview or inverse_class_frequency, found \(strategy)")
    }
  }

  /// Encodes `{"strategy": …, "ratio": …}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .none: try container.encode("none", forKey: .strategy)
    case .asreview(let ratio):
      try container.encode("asreview", forKey: .strategy)
      try container.encode(ratio, forKey: .ratio)
    case .inverseClassFrequency: try container.encode("inverse_class_frequency", forKey: .strategy)
    }
  }
}
