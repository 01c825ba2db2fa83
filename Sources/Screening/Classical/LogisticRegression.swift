import Foundation
import Text

/// L2-regularized logistic regression, the model of scikit-learn's `LogisticRegression` (the
/// default `penalty="l2"`, `fit_intercept=True`) and of ASReview's `logistic` classifier.
///
/// It minimizes `f(w, b) = C · Σᵢ sᵢ · ln(1 + exp(−yᵢ (w·xᵢ + b))) + ½ ‖w‖²` with `yᵢ ∈ {−1, +1}`,
/// sample weights `sᵢ` (caller weights × class balance) and an unpenalized intercept, which is the
/// minimizer scikit-learn's `lbfgs`/`newton-cg` solvers find (they scale the same objective by
/// `1 / (C Σ sᵢ)`). The solver is a line-search Newton–conjugate-gradient method (Nocedal & Wright,
/// *Numerical Optimization*, Alg. 7.1, as scikit-learn's `newton-cg` and close to liblinear's TRON):
/// Hessian–vector products `Hv = Xᵀ D (Xv) + v` with `D = C sᵢ pᵢ (1 − pᵢ)` cost two sparse
/// passes, and the method converges quadratically, so a tight tolerance is cheap. It is fully
/// deterministic. Convergence: `‖∇f‖∞ ≤ tolerance · C · Σ sᵢ`, the criterion of scikit-learn's
/// `tol` on its scaled objective (default here 1e-8, far tighter than scikit-learn's 1e-4).
///
/// `scores` returns the decision function `w·x + b` (monotone in `predict_proba[:, 1]`).
public struct LogisticRegression: Classifier {
  /// Hyper-parameters.
  public struct Configuration: Sendable, Hashable, Codable {
    /// Inverse regularization strength (scikit-learn `C`, default 1).
    public var c: Double
    /// Learn an unpenalized intercept (default `true`).
    public var fitIntercept: Bool
    /// Class re-weighting (`.inverseClassFrequency` is scikit-learn's `class_weight="balanced"`).
    public var balance: ClassBalance
    /// Gradient tolerance on the scaled objective (see the type's discussion).
    public var tolerance: Double
    /// The maximum number of Newton iterations.
    public var maximumIterations: Int
    /// Start from the current coefficients when they have the right dimension (for active
    /// learning, where each retraining adds one label); otherwise from zero.
    public var warmStart: Bool

    /// Creates a configuration; the defaults are scikit-learn's `LogisticRegression()` with a
    /// tighter tolerance.
    public init(
      c: Double = 1, fitIntercept: Bool = true, balance: ClassBalance = .none, tolerance: Double = 1e-8,
      maximumIterations: Int = 100, warmStart: Bool = false
    ) {
      self.c = c
      self.fitIntercept = fitIntercept
      self.balance = balance
      self.tolerance = tolerance
      self.maximumIterations = maximumIterations
      self.warmStart = warmStart
    }

    private enum CodingKeys: String, CodingKey {
      case c = "C"
      case fitIntercept = "fit_intercept"
      case balance
      case tolerance = "tol"
      case maximumIterations = "max_iter"
      case warmStart = "warm_start"
    }
  }

  /// A short name for messages.
  public static let modelName = "logistic regression"

  /// The hyper-parameters.
  public let configuration: Configuration
  /// One weight per feature; empty before training.
  public private(set) var coefficients: [Double] = []
  /// The intercept `b`.
  public private(set) var intercept: Double = 0
  /// How the last training went; `nil` before training.
  public private(set) var diagnostics: FitDiagnostics?
  /// With warm starts: the Gram matrix of the last training rows and the weights' coefficients
  /// over them (`w = Xᵀβ`), so a training set that grows by appended rows solves in the rows'
  /// span (not serialized).
  private var gram: GramMatrix?
  private var dualCoefficients: [Double] = []

  /// Creates an untrained model.
  ///
  /// - Throws: `ScreeningError.invalidParameter` for `C <= 0`, a negative tolerance, fewer than
  ///   one iteration or an invalid balance ratio.
  public init(configuration: Configuration = Configuration()) throws {
    try Self.validate(configuration)
    self.configuration = configuration
  }

  private static func validate(_ configuration: Configuration) throws {
    guard configuration.c > 0, configuration.c.isFinite else {
      throw ScreeningError.invalidParameter(name: "C", expected: "a finite value > 0", found: "\(configuration.c)")
    }
    guard configuration.tolerance >= 0 else {
      throw ScreeningError.invalidParameter(name: "tol", expected: "a value >= 0", found: "\(configuration.tolerance)")
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
  /// - Complexity: O(Newton iterations × CG iterations × stored entries).
  public mutating func fit(_ features: SparseMatrix, labels: [Int], weights: [Double]?) throws {
    let training = try TrainingSet(
      model: Self.modelName, features: features, labels: labels, weights: weights, balance: configuration.balance)
    let d = training.features.columnCount
    if configuration.warmStart, configuration.fitIntercept, Self.prefersGram(training.features) {
      fitInRowSpan(training)
      return
    }
    gram = nil
    dualCoefficients = []
    // Columns no training row uses have weight 0 at the optimum (their gradient is w_j): solve in
    // the space of the used columns only, which is much smaller early in active learning.
    let compaction = ColumnCompaction(training.features)
    var start = [Double](repeating: 0, count: compaction.matrix.columnCount)
    var startIntercept = 0.0
    if configuration.warmStart, coefficients.count == d {
      for (newColumn, column) in compaction.usedColumns.enumerated() { start[newColumn] = coefficients[column] }
      startIntercept = configuration.fitIntercept ? intercept : 0
    }
    var solver = NewtonSolver(
      features: compaction.matrix, labels: training.labels,
      costs: training.weights.map { $0 * configuration.c }, fitIntercept: configuration.fitIntercept)
    let result = solver.minimize(
      w: start, b: startIntercept, tolerance: configuration.tolerance * configuration.c * training.weights.reduce(0, +),
      maximumIterations: configuration.maximumIterations)
    var full = [Double](repeating: 0, count: d)
    for (newColumn, column) in compaction.usedColumns.enumerated() { full[column] = result.w[newColumn] }
    coefficients = full
    intercept = result.b
    diagnostics = result.diagnostics
  }

  /// Whether the Gram form is the cheaper solver: its products cost n² per conjugate-gradient
  /// step against two passes over the n rows' entries (each several times dearer than a contiguous
  /// multiply-add), so while n stays below a few times a row's entries; and K must fit in memory.
  static func prefersGram(_ rows: SparseMatrix) -> Bool {
    let n = rows.rowCount
    return n > 0 && n <= 4096 && n <= 3 * rows.nonzeroCount / n
  }

  /// Warm-started training in the span of the training rows (`GramNewtonSolver`), extending the
  /// kept Gram matrix when the rows extend the last training's.
  private mutating func fitInRowSpan(_ training: TrainingSet) {
    let rows = training.features
    var start = [Double](repeating: 0, count: rows.rowCount)
    var startIntercept = 0.0
    var matrix: GramMatrix
    if var kept = gram, kept.isPrefix(of: rows), dualCoefficients.count == kept.count {
      gram = nil  // the only reference left is `kept`, so extending it does not copy K
      kept.extend(to: rows)
      matrix = kept
      for i in dualCoefficients.indices { start[i] = dualCoefficients[i] }
      startIntercept = intercept
    } else {
      matrix = GramMatrix(rows)
    }
    let solver = GramNewtonSolver(gram: matrix, labels: training.labels, costs: training.weights.map { $0 * configuration.c })
    let result = solver.minimize(
      beta: start, b: startIntercept, tolerance: configuration.tolerance * configuration.c * training.weights.reduce(0, +),
      maximumIterations: configuration.maximumIterations)
    coefficients = rows.transposeMultiply(result.beta)
    intercept = result.b
    diagnostics = result.diagnostics
    gram = matrix
    dualCoefficients = result.beta
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

  /// `P(relevant | x)` of every row (scikit-learn's `predict_proba[:, 1]`).
  ///
  /// - Throws: `.notFitted`, `.dimensionMismatch`.
  public func probabilities(_ features: SparseMatrix) throws -> [Double] {
    try scores(features).map(sigmoid)
  }

  // MARK: - Codable

  /// Decodes a model, checking its configuration and that the coefficients and intercept are finite.
  public init(from decoder: any Decoder) throws {
    let checkpoint = try LinearModelCheckpoint<Configuration>(from: decoder, model: "logistic regression", validate: Self.validate)
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

/// Line-search Newton-CG for the weighted, L2-regularized logistic loss.
private struct NewtonSolver {
  let features: SparseMatrix
  /// ±1 per row.
  let signs: [Double]
  /// 0/1 per row.
  let targets: [Double]
  /// `C · sᵢ` per row.
  let costs: [Double]
  let fitIntercept: Bool
  var n: Int { features.rowCount }
  var d: Int { features.columnCount }

  init(features: SparseMatrix, labels: [Int], costs: [Double], fitIntercept: Bool) {
    self.features = features
    self.signs = labels.map { $0 == 1 ? 1 : -1 }
    self.targets = labels.map { Double($0) }
    self.costs = costs
    self.fitIntercept = fitIntercept
  }

  func objective(margins z: [Double], w: [Double]) -> Double {
    var loss = 0.0
    for i in 0..<n { loss += costs[i] * logisticLoss(margin: signs[i] * z[i]) }
    return loss + 0.5 * dot(w, w)
  }

  mutating func minimize(w initial: [Double], b initialB: Double, tolerance: Double, maximumIterations: Int)
    -> (w: [Double], b: Double, diagnostics: FitDiagnostics)
  {
    var w = initial
    var b = initialB
    var z = [Double](repeating: 0, count: n)
    features.multiply(w, into: &z)
    for i in 0..<n { z[i] += b }
    var f = objective(margins: z, w: w)
    var curvature = [Double](repeating: 0, count: n)
    var residual = [Double](repeating: 0, count: n)
    var gradient = [Double](repeating: 0, count: d)
    var iterations = 0
    var converged = false
    var firstNorm = 0.0
    var innerIterations = 0
    while iterations < maximumIterations {
      // Gradient and Hessian weights at the current point.
      var gradientB = logisticResiduals(margins: z, costs: costs, targets: targets, residual: &residual, curvature: &curvature)
      if !fitIntercept { gradientB = 0 }
      for j in 0..<d { gradient[j] = w[j] }
      features.transposeMultiply(residual, adding: &gradient)
      var largest = abs(gradientB)
      for j in 0..<d { largest = max(largest, abs(gradient[j])) }
      if largest <= tolerance {
        converged = true
        break
      }
      iterations += 1
      let norm = (dot(gradient, gradient) + gradientB * gradientB).squareRoot()
      if iterations == 1 { firstNorm = norm }

      // Solve H s = −g by conjugate gradients to a relative accuracy that tightens near the optimum.
      let forcing = min(0.5, (norm / max(firstNorm, .leastNormalMagnitude)).squareRoot()) * norm
      let (step, stepB, inner) = conjugateGradient(
        gradient: gradient, gradientB: gradientB, curvature: curvature, tolerance: forcing)
      innerIterations += inner

      // Backtracking (Armijo) line search along the Newton step; margins update linearly.
      var direction = [Double](repeating: 0, count: n)
      features.multiply(step, into: &direction)
      for i in 0..<n { direction[i] += stepB }
      let slope = dot(gradient, step) + gradientB * stepB
      let ww = dot(w, w)
      let ws = dot(w, step)
      let ss = dot(step, step)
      guard
        let (t, trial, trialObjective) = armijoStep(
          margins: z, direction: direction, signs: signs, costs: costs, objective: f, slope: slope, ww: ww, ws: ws, ss: ss)
      else {
        // No step lowers the objective by more than its rounding: at the optimum as far as
        // floating point can tell when the gradient is already near the tolerance.
        converged = largest <= tolerance * 1e3
        break
      }
      for j in 0..<d { w[j] += t * step[j] }
      b += t * stepB
      z = trial
      let improvement = f - trialObjective
      f = trialObjective
      if newtonStalled(improvement: improvement, objective: f, largestGradient: largest, tolerance: tolerance) {
        // Stalled at the limit of floating-point precision.
        converged = true
        break
      }
    }
    return (w, b, FitDiagnostics(iterations: iterations, converged: converged, objective: f, innerIterations: innerIterations))
  }

  /// The Newton step: `(Xᵀ D X + I) s + Xᵀ D 1 t = −g` and `1ᵀ D X s + (Σ D) t = −g_b` for the
  /// weights `s` and the intercept `t`. The unpenalized intercept is eliminated exactly: with the
  /// curvature-weighted mean row `μ = Xᵀ D 1 / Σ D`, `s` solves the Schur complement
  /// `(Σᵢ Dᵢ (xᵢ − μ)(xᵢ − μ)ᵀ + I) s = −g + μ g_b` and `t = −g_b / Σ D − μ·s`. Conjugate gradients
  /// then work on centred rows: the direction all rows share (strong in sentence embeddings, which
  /// all point much the same way) no longer stretches the spectrum, so far fewer iterations reach
  /// the same residual. The rows stay sparse; the centring costs two O(d) passes per iteration.
  func conjugateGradient(gradient: [Double], gradientB: Double, curvature: [Double], tolerance: Double)
    -> (step: [Double], stepB: Double, iterations: Int)
  {
    let curvatureTotal = fitIntercept ? curvature.reduce(0, +) : 0
    let centred = curvatureTotal > 0
    var mean = [Double](repeating: 0, count: d)
    if centred {
      features.transposeMultiply(curvature, adding: &mean)
      for j in 0..<d { mean[j] /= curvatureTotal }
    }
    var s = [Double](repeating: 0, count: d)
    var r = [Double](repeating: 0, count: d)
    for j in 0..<d { r[j] = -gradient[j] + (centred ? mean[j] * gradientB : 0) }
    var p = r
    var rr = dot(r, r)
    var product = [Double](repeating: 0, count: d)
    var projected = [Double](repeating: 0, count: n)
    let limit = max(50, min(d + 1, 1000))
    var iterations = 0
    while iterations < limit {
      if rr.squareRoot() <= tolerance { break }
      iterations += 1
      // product = (Xᵀ D X − (Σ D) μ μᵀ + I) p.
      features.multiply(p, into: &projected)
      for i in 0..<n { projected[i] *= curvature[i] }
      for j in 0..<d { product[j] = p[j] }
      features.transposeMultiply(projected, adding: &product)
      if centred {
        let along = curvatureTotal * dot(mean, p)
        for j in 0..<d { product[j] -= along * mean[j] }
      }
      let curvatureAlong = dot(p, product)
      if curvatureAlong <= 0 { break }
      let alpha = rr / curvatureAlong
      let rrNew = s.withUnsafeMutableBufferPointer { sBuffer in
        r.withUnsafeMutableBufferPointer { rBuffer in
          p.withUnsafeBufferPointer { pBuffer in
            product.withUnsafeBufferPointer { hBuffer in
              var total = 0.0
              for j in 0..<d {
                sBuffer[j] += alpha * pBuffer[j]
                rBuffer[j] -= alpha * hBuffer[j]
                total += rBuffer[j] * rBuffer[j]
              }
              return total
            }
          }
        }
      }
      let beta = rrNew / rr
      r.withUnsafeBufferPointer { rBuffer in
        p.withUnsafeMutableBufferPointer { pBuffer in
          for j in 0..<d { pBuffer[j] = rBuffer[j] + beta * pBuffer[j] }
        }
      }
      rr = rrNew
    }
    let stepB = centred ? -gradientB / curvatureTotal - dot(mean, s) : 0
    return (s, stepB, iterations)
  }
}
