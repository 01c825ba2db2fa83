import Corpus
import Foundation
import Text

/// A linear support vector machine trained by dual coordinate descent, as liblinear's
/// `solve_l2r_l1l2_svc` (Hsieh et al., "A Dual Coordinate Descent Method for Large-scale Linear
/// SVM", ICML 2008), which scikit-learn's `LinearSVC` calls and ASReview's `svm` classifier wraps
/// (`elas_u4`: `LinearSVC(C=0.11)`, squared hinge, balanced sample weights with ratio 9.8).
///
/// It minimizes `½ ‖w̃‖² + Σᵢ Cᵢ ξ(yᵢ w̃·x̃ᵢ)` with `ξ(m) = max(0, 1 − m)²` (squared hinge, the
/// default) or `max(0, 1 − m)` (hinge), `Cᵢ = C · sᵢ` for sample weights `sᵢ`, and, as liblinear,
/// the intercept handled as one more feature of constant value `interceptScaling` whose weight is
/// regularized too: `x̃ = (x, B)`, `w̃ = (w, b / B)`. Each epoch visits the active rows in an order
/// drawn from a SplitMix64 generator seeded with `seed`, or from the generator passed to
/// `fit(_:labels:weights:using:)` (liblinear uses `rand()`), with liblinear's
/// shrinking, and stops when the projected-gradient spread `max PG − min PG ≤ tolerance`
/// (scikit-learn's `tol`, default 1e-4). The optimum is unique, so seeds change the solution only
/// within the tolerance.
///
/// `scores` returns the decision function `w·x + b` (scikit-learn's `decision_function`).
public struct LinearSVM: Classifier {
  /// The loss on the margin.
  public enum Loss: String, Sendable, Hashable, Codable {
    /// `max(0, 1 − m)²` (scikit-learn's `loss="squared_hinge"`, the default).
    case squaredHinge = "squared_hinge"
    /// `max(0, 1 − m)` (scikit-learn's `loss="hinge"`).
    case hinge
  }

  /// Hyper-parameters.
  public struct Configuration: Sendable, Hashable, Codable {
    /// Inverse regularization strength (scikit-learn `C`, default 1).
    public var c: Double
    /// The loss.
    public var loss: Loss
    /// Learn an intercept through a constant feature (default `true`).
    public var fitIntercept: Bool
    /// The value of the constant feature (scikit-learn's `intercept_scaling`, default 1).
    public var interceptScaling: Double
    /// Class re-weighting.
    public var balance: ClassBalance
    /// Stopping tolerance on the projected-gradient spread (scikit-learn `tol`, default 1e-4).
    public var tolerance: Double
    /// The maximum number of epochs (scikit-learn `max_iter`, default 1000).
    public var maximumIterations: Int
    /// Seed of the SplitMix64 generator that orders the coordinates.
    public var seed: UInt64
    /// Start from the dual variables of the previous training for the first rows (in active
    /// learning the training set grows by appending, so rows keep their positions), clipped to the
    /// new bounds; otherwise from zero. Any feasible start converges to the same optimum, so this
    /// changes only the running time (about 1.5x faster per retraining on COPD).
    public var warmStart: Bool

    /// Creates a configuration; the defaults are scikit-learn's `LinearSVC()`.
    public init(
      c: Double = 1, loss: Loss = .squaredHinge, fitIntercept: Bool = true, interceptScaling: Double = 1,
      balance: ClassBalance = .none, tolerance: Double = 1e-4, maximumIterations: Int = 1000, seed: UInt64 = 0,
      warmStart: Bool = false
    ) {
      self.c = c
      self.loss = loss
      self.fitIntercept = fitIntercept
      self.interceptScaling = interceptScaling
      self.balance = balance
      self.tolerance = tolerance
      self.maximumIterations = maximumIterations
      self.seed = seed
      self.warmStart = warmStart
    }

    /// ASReview's default model `elas_u4`: `C=0.11`, squared hinge, `Balanced(ratio=9.8)`.
    public static var asreviewELASU4: Configuration {
      Configuration(c: 0.11, balance: .asreview(ratio: 9.8))
    }

    private enum CodingKeys: String, CodingKey {
      case c = "C"
      case loss
      case fitIntercept = "fit_intercept"
      case interceptScaling = "intercept_scaling"
      case balance
      case tolerance = "tol"
      case maximumIterations = "max_iter"
      case seed
      case warmStart = "warm_start"
    }
  }

  /// A short name for messages.
  public static let modelName = "linear SVM"

  /// The hyper-parameters.
  public let configuration: Configuration
  /// One weight per feature; empty before training.
  public private(set) var coefficients: [Double] = []
  /// The intercept `b` (the constant feature's weight times `interceptScaling`).
  public private(set) var intercept: Double = 0
  /// How the last training went; `nil` before training.
  public private(set) var diagnostics: FitDiagnostics?
  /// The dual variables of the last training rows, kept for warm starts (not serialized).
  private var dual: [Double] = []

  /// Creates an untrained model.
  ///
  /// - Throws: `ScreeningError.invalidParameter` for `C <= 0`, a non-positive intercept scaling,
  ///   a non-positive tolerance, fewer than one iteration or an invalid balance ratio.
  public init(configuration: Configuration = Configuration()) throws {
    try Self.validate(configuration)
    self.configuration = configuration
  }

  private static func validate(_ configuration: Configuration) throws {
    guard configuration.c > 0, configuration.c.isFinite else {
      throw ScreeningError.invalidParameter(name: "C", expected: "a finite value > 0", found: "\(configuration.c)")
    }
    guard configuration.interceptScaling > 0, configuration.interceptScaling.isFinite else {
      throw ScreeningError.invalidParameter(
        name: "intercept_scaling", expected: "a finite value > 0", found: "\(configuration.interceptScaling)")
    }
    guard configuration.tolerance > 0 else {
      throw ScreeningError.invalidParameter(name: "tol", expected: "a value > 0", found: "\(configuration.tolerance)")
    }
    guard configuration.maximumIterations >= 1 else {
      throw ScreeningError.invalidParameter(
        name: "max_iter", expected: "at least 1", found: "\(configuration.maximumIterations)")
    }
    try configuration.balance.validate()
  }

  /// The number of features of the trained model, or `nil` before training.
  public var featureCount: Int? { coefficients.isEmpty ? nil : coefficients.count }

  /// Trains the model; see `Classifier.fit(_:labels:weights:)`.
  ///
  /// - Complexity: O(epochs × stored entries).
  public mutating func fit(_ features: SparseMatrix, labels: [Int], weights: [Double]?) throws {
    var generator = SplitMix64(seed: configuration.seed)
    try fit(features, labels: labels, weights: weights, using: &generator)
  }

  /// Trains the model, drawing the coordinate order from `generator` instead of a SplitMix64
  /// seeded with `configuration.seed` (pass a seeded generator, such as csmed's `SplitMix64`, to
  /// keep runs reproducible).
  ///
  /// - Throws: As `fit(_:labels:weights:)`.
  public mutating func fit<Generator: RandomNumberGenerator>(
    _ features: SparseMatrix, labels: [Int], weights: [Double]?, using generator: inout Generator
  ) throws {
    let training = try TrainingSet(
      model: Self.modelName, features: features, labels: labels, weights: weights, balance: configuration.balance)
    let X = training.features
    let n = X.rowCount
    let d = X.columnCount
    let B = configuration.fitIntercept ? configuration.interceptScaling : 0
    let squared = configuration.loss == .squaredHinge
    // Per-row diagonal term and upper bound of the dual (liblinear's diag and upper_bound).
    var diagonal = [Double](repeating: 0, count: n)
    var upperBound = [Double](repeating: .infinity, count: n)
    for i in 0..<n {
      let cost = configuration.c * training.weights[i]
      if squared { diagonal[i] = 0.5 / cost } else { upperBound[i] = cost }
    }
    let signs = training.labels.map { $0 == 1 ? 1.0 : -1.0 }
    let squaredNorms = X.rowSquaredNorms()
    let qd = (0..<n).map { diagonal[$0] + squaredNorms[$0] + B * B }

    var w = [Double](repeating: 0, count: d)
    var wB = 0.0
    var alpha = [Double](repeating: 0, count: n)
    if configuration.warmStart, coefficients.count == d, !dual.isEmpty, dual.count <= n {
      // Reuse the dual variables of the rows that were trained on before (clipped to the new bounds).
      for i in 0..<dual.count { alpha[i] = min(max(dual[i], 0), upperBound[i]) }
    }
    let hasWarmStart = alpha.contains { $0 != 0 }
    if hasWarmStart {
      var scaled = [Double](repeating: 0, count: n)
      for i in 0..<n { scaled[i] = alpha[i] * signs[i] }
      X.transposeMultiply(scaled, adding: &w)
      for i in 0..<n { wB += scaled[i] * B }
    }

    var order = Array(0..<n)
    var iterations = 0
    var converged = false
    let tolerance = configuration.tolerance

    let maximumIterations = configuration.maximumIterations
    (iterations, converged) = X.rowOffsets.withUnsafeBufferPointer { offsets in
      X.columnIndices.withUnsafeBufferPointer { columns in
        X.values.withUnsafeBufferPointer { values in
          w.withUnsafeMutableBufferPointer { weights in
            alpha.withUnsafeMutableBufferPointer { alpha in
              order.withUnsafeMutableBufferPointer { order in
                signs.withUnsafeBufferPointer { signs in
                  diagonal.withUnsafeBufferPointer { diagonal in
                    upperBound.withUnsafeBufferPointer { upperBound in
                      qd.withUnsafeBufferPointer { qd in
                        Self.coordinateDescent(
                          rows: .init(offsets: offsets, columns: columns, values: values), weights: weights,
                          interceptWeight: &wB, interceptFeature: B, alpha: alpha, order: order, signs: signs,
                          diagonal: diagonal, upperBound: upperBound, qd: qd, tolerance: tolerance,
                          maximumIterations: maximumIterations, generator: &generator)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }

    // Dual objective ½‖w̃‖² + ½ Σ αᵢ² Dᵢᵢ − Σ αᵢ (liblinear's "Objective value").
    var objective = 0.5 * (dot(w, w) + wB * wB)
    for i in 0..<n { objective += 0.5 * alpha[i] * alpha[i] * diagonal[i] - alpha[i] }
    coefficients = w
    intercept = wB * B
    dual = alpha
    diagnostics = FitDiagnostics(iterations: iterations, converged: converged, objective: objective)
  }

  /// The decision function `w·x + b` of every row.
  ///
  /// - Throws: `.notFitted`, `.dimensionMismatch`.
  public func scores(_ features: SparseMatrix) throws -> [Double] {
    _ = try checkScorable(features)
    var result = features.multiply(coefficients)
    for i in result.indices { result[i] += intercept }
    return result
  }

  /// CSR buffers of the training rows.
  private struct Rows {
    let offsets: UnsafeBufferPointer<Int>
    let columns: UnsafeBufferPointer<Int32>
    let values: UnsafeBufferPointer<Double>
  }

  /// liblinear's `solve_l2r_l1l2_svc` main loop with shrinking; returns (epochs, converged).
  private static func coordinateDescent<Generator: RandomNumberGenerator>(
    rows: Rows, weights: UnsafeMutableBufferPointer<Double>, interceptWeight wB: inout Double,
    interceptFeature B: Double, alpha: UnsafeMutableBufferPointer<Double>, order: UnsafeMutableBufferPointer<Int>,
    signs: UnsafeBufferPointer<Double>, diagonal: UnsafeBufferPointer<Double>,
    upperBound: UnsafeBufferPointer<Double>, qd: UnsafeBufferPointer<Double>, tolerance: Double,
    maximumIterations: Int, generator: inout Generator
  ) -> (Int, Bool) {
    let n = alpha.count
    var activeSize = n
    var projectedMaxOld = Double.infinity
    var projectedMinOld = -Double.infinity
    var iterations = 0
    while iterations < maximumIterations {
      var projectedMax = -Double.infinity
      var projectedMin = Double.infinity
      if activeSize > 1 {
        for i in 0..<(activeSize - 1) {
          let j = i + Int(generator.next() % UInt64(activeSize - i))
          order.swapAt(i, j)
        }
      }
      var s = 0
      while s < activeSize {
        let i = order[s]
        let y = signs[i]
        let start = rows.offsets[i]
        let end = rows.offsets[i + 1]
        let margin = wB * B
          + SparseMatrix.dot(
            columns: rows.columns, entries: rows.values, range: start..<end, with: UnsafeBufferPointer(weights))
        let gradient = y * margin - 1 + alpha[i] * diagonal[i]
        var projected = 0.0
        if alpha[i] == 0 {
          if gradient > projectedMaxOld {
            activeSize -= 1
            order.swapAt(s, activeSize)
            continue
          } else if gradient < 0 {
            projected = gradient
          }
        } else if alpha[i] == upperBound[i] {
          if gradient < projectedMinOld {
            activeSize -= 1
            order.swapAt(s, activeSize)
            continue
          } else if gradient > 0 {
            projected = gradient
          }
        } else {
          projected = gradient
        }
        projectedMax = max(projectedMax, projected)
        projectedMin = min(projectedMin, projected)
        if abs(projected) > 1e-12 {
          let old = alpha[i]
          alpha[i] = min(max(old - gradient / qd[i], 0), upperBound[i])
          let change = (alpha[i] - old) * y
          for k in start..<end { weights[Int(rows.columns[k])] += change * rows.values[k] }
          wB += change * B
        }
        s += 1
      }
      iterations += 1
      if projectedMax - projectedMin <= tolerance {
        if activeSize == n { return (iterations, true) }
        activeSize = n
        projectedMaxOld = .infinity
        projectedMinOld = -.infinity
        continue
      }
      projectedMaxOld = projectedMax > 0 ? projectedMax : .infinity
      projectedMinOld = projectedMin < 0 ? projectedMin : -.infinity
    }
    return (iterations, false)
  }

  // MARK: - Codable

  /// Decodes a model, checking its configuration and that the coefficients and intercept are finite.
  public init(from decoder: any Decoder) throws {
    let checkpoint = try LinearModelCheckpoint<Configuration>(from: decoder, model: "linear SVM", validate: Self.validate)
    self.configuration = checkpoint.configuration
    self.coefficients = checkpoint.coefficients
    self.intercept = checkpoint.intercept
    self.diagnostics = checkpoint.diagnostics
  }

  /// Encodes the configuration, coefficients, intercept and diagnostics.
  public func encode(to encoder: any Encoder) throws {
    try LinearModelCheckpoint(
      configuration: configuration, coefficients: coefficients, intercept: intercept, diagnostics: diagnostics
    ).encode(to: encoder)
  }
}
