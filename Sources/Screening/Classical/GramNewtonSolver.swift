import Foundation
import Text

/// The Gram matrix `K = X Xᵀ` of a training set that grows by appending rows, as in the screening
/// loop: each retraining adds one labelled record, whose row of `K` costs one pass over the
/// training rows, and the earlier rows' entries are kept.
struct GramMatrix: Sendable {
  /// The rows `K` was computed from.
  private(set) var rows: SparseMatrix
  /// Row-major, `capacity` apart, the first `rows.rowCount` rows and columns filled.
  private(set) var entries: [Double]
  private(set) var capacity: Int

  var count: Int { rows.rowCount }

  init(_ rows: SparseMatrix) {
    self.rows = SparseMatrix(
      uncheckedRowCount: 0, columnCount: rows.columnCount, rowOffsets: [0], columnIndices: [], values: [])
    entries = []
    capacity = 0
    extend(to: rows)
  }

  /// Whether `rows` begins with the rows `K` holds (same columns, same entries).
  func isPrefix(of rows: SparseMatrix) -> Bool {
    let old = self.rows
    guard rows.columnCount == old.columnCount, rows.rowCount >= old.rowCount else { return false }
    return Self.samePrefix(rows.rowOffsets, old.rowOffsets) && Self.samePrefix(rows.columnIndices, old.columnIndices)
      && Self.samePrefix(rows.values, old.values)
  }

  /// Whether `array` begins with the bytes of `prefix` (one memcmp: this runs at every retraining).
  private static func samePrefix<Element>(_ array: [Element], _ prefix: [Element]) -> Bool {
    guard array.count >= prefix.count else { return false }
    return array.withUnsafeBytes { a in
      prefix.withUnsafeBytes { p in p.isEmpty || memcmp(a.baseAddress!, p.baseAddress!, p.count) == 0 }
    }
  }

  /// Adds the rows of `rows` beyond the ones held (which must be a prefix of it).
  mutating func extend(to rows: SparseMatrix) {
    let old = count, n = rows.rowCount
    if n > capacity {
      let newCapacity = max(n, 2 * capacity, 64)
      var grown = [Double](repeating: 0, count: newCapacity * newCapacity)
      for i in 0..<old {
        for j in 0..<old { grown[i * newCapacity + j] = entries[i * capacity + j] }
      }
      entries = grown
      capacity = newCapacity
    }
    guard n > old else {
      self.rows = rows
      return
    }
    var scattered = [Double](repeating: 0, count: rows.columnCount)
    var products = [Double](repeating: 0, count: n)
    for j in old..<n {
      let range = rows.rowOffsets[j]..<rows.rowOffsets[j + 1]
      for k in range { scattered[Int(rows.columnIndices[k])] = rows.values[k] }
      // x_i · x_j for every row i ≤ j: one pass over the rows up to j.
      rows.rowOffsets.withUnsafeBufferPointer { offsets in
        rows.columnIndices.withUnsafeBufferPointer { columns in
          rows.values.withUnsafeBufferPointer { values in
            scattered.withUnsafeBufferPointer { x in
              for i in 0...j {
                products[i] = SparseMatrix.dot(columns: columns, entries: values, range: offsets[i]..<offsets[i + 1], with: x)
              }
            }
          }
        }
      }
      for i in 0...j {
        entries[i * capacity + j] = products[i]
        entries[j * capacity + i] = products[i]
      }
      for k in range { scattered[Int(rows.columnIndices[k])] = 0 }
    }
    self.rows = rows
  }

  /// `K v` (`v.count == count`).
  func multiply(_ v: [Double]) -> [Double] {
    let n = count
    var result = [Double](repeating: 0, count: n)
    entries.withUnsafeBufferPointer { k in
      v.withUnsafeBufferPointer { x in
        for i in 0..<n { result[i] = SparseMatrix.contiguousDot(k.baseAddress! + i * capacity, x.baseAddress!, count: n) }
      }
    }
    return result
  }
}

/// The same line-search Newton-CG as `NewtonSolver`, with the weights kept as `w = Xᵀβ`, one
/// coefficient per training row (the optimum lies in the rows' span, and so does every Newton and
/// conjugate-gradient iterate started there). Products with `X` and `Xᵀ` become products with the
/// Gram matrix: n² contiguous multiply-adds instead of two passes over the rows' stored entries,
/// several times cheaper while the training rows are fewer than their entries (the screening
/// loop's early and middle stages, and every stage for rows with an embedding block). The
/// iterates, the stopping test (on the primal gradient `Xᵀ(r + β)`) and so the optimum are the
/// primal solver's.
struct GramNewtonSolver {
  let gram: GramMatrix
  let signs: [Double]
  let targets: [Double]
  let costs: [Double]
  var n: Int { gram.count }

  init(gram: GramMatrix, labels: [Int], costs: [Double]) {
    self.gram = gram
    signs = labels.map { $0 == 1 ? 1 : -1 }
    targets = labels.map { Double($0) }
    self.costs = costs
  }

  /// Minimizes from `β`, `b` (with the intercept, which the screening models always fit).
  func minimize(beta initial: [Double], b initialB: Double, tolerance: Double, maximumIterations: Int)
    -> (beta: [Double], b: Double, diagnostics: FitDiagnostics)
  {
    let X = gram.rows
    var beta = initial
    var b = initialB
    var kBeta = gram.multiply(beta)
    var z = kBeta.map { $0 + b }
    var wNorm = dot(beta, kBeta)
    func loss(_ margins: [Double]) -> Double {
      var total = 0.0
      for i in 0..<n { total += costs[i] * logisticLoss(margin: signs[i] * margins[i]) }
      return total
    }
    var f = loss(z) + 0.5 * wNorm
    var residual = [Double](repeating: 0, count: n)
    var curvature = [Double](repeating: 0, count: n)
    var gradient: [Double] = []  // formed only when the Gram norms leave the stopping test open
    var iterations = 0, innerIterations = 0
    var converged = false
    var firstNorm = 0.0
    while iterations < maximumIterations {
      let gradientB = logisticResiduals(margins: z, costs: costs, targets: targets, residual: &residual, curvature: &curvature)
      // The primal gradient g = Xᵀγ, γ = r + β, for the primal solver's stopping test
      // ‖(g, g_b)‖∞ ≤ tolerance. Its 2-norm comes from K (‖g‖² = γᵀKγ), and ‖·‖₂ / √(d+1) ≤ ‖·‖∞ ≤
      // ‖·‖₂ decides the test without forming g unless the norm falls between the two bounds.
      let gamma = zip(residual, beta).map { $0 + $1 }
      let kGamma = zip(gram.multiply(residual), kBeta).map { $0 + $1 }
      let norm = (max(dot(gamma, kGamma), 0) + gradientB * gradientB).squareRoot()
      var largest = norm
      if norm > tolerance && norm <= tolerance * Double(X.columnCount + 1).squareRoot() {
        gradient = [Double](repeating: 0, count: X.columnCount)
        X.transposeMultiply(gamma, adding: &gradient)
        largest = abs(gradientB)
        for value in gradient { largest = max(largest, abs(value)) }
      }
      if largest <= tolerance {
        converged = true
        break
      }
      iterations += 1
      if iterations == 1 { firstNorm = norm }
      let forcing = min(0.5, (norm / max(firstNorm, .leastNormalMagnitude)).squareRoot()) * norm
      let (sigma, kSigma, t, inner) = conjugateGradient(
        gamma: gamma, kGamma: kGamma, gradientB: gradientB, curvature: curvature, tolerance: forcing)
      innerIterations += inner

      // Backtracking line search along the step, as the primal solver's.
      let direction = kSigma.map { $0 + t }
      let slope = dot(gamma, kSigma) + gradientB * t
      let ws = dot(beta, kSigma), ss = dot(sigma, kSigma)
      guard
        let (step, trial, trialObjective) = armijoStep(
          margins: z, direction: direction, signs: signs, costs: costs, objective: f, slope: slope, ww: wNorm, ws: ws, ss: ss)
      else {
        converged = largest <= tolerance * 1e3
        break
      }
      for i in 0..<n {
        beta[i] += step * sigma[i]
        kBeta[i] += step * kSigma[i]
      }
      b += step * t
      wNorm += 2 * step * ws + step * step * ss
      z = trial
      let improvement = f - trialObjective
      f = trialObjective
      if newtonStalled(improvement: improvement, objective: f, largestGradient: largest, tolerance: tolerance) {
        converged = true
        break
      }
    }
    return (beta, b, FitDiagnostics(iterations: iterations, converged: converged, objective: f, innerIterations: innerIterations))
  }

  /// `NewtonSolver.conjugateGradient` (intercept eliminated, curvature-centred rows) with every
  /// weight vector `Xᵀv` held as its coefficients `v` and its Gram image `K v`. Returns the step's
  /// coefficients, their Gram image, the intercept step and the iterations.
  func conjugateGradient(gamma: [Double], kGamma: [Double], gradientB: Double, curvature: [Double], tolerance: Double)
    -> ([Double], [Double], Double, Int)
  {
    let total = curvature.reduce(0, +)
    let centred = total > 0
    // μ = Xᵀ m with m = D / Σ D.
    let m = centred ? curvature.map { $0 / total } : [Double](repeating: 0, count: n)
    let km = gram.multiply(m)
    // Right-hand side −g + μ g_b.
    var rho = (0..<n).map { -gamma[$0] + m[$0] * gradientB }
    var kRho = (0..<n).map { -kGamma[$0] + km[$0] * gradientB }
    var rr = dot(rho, kRho)
    var sigma = [Double](repeating: 0, count: n), kSigma = sigma
    var pi = rho, kPi = kRho
    var q = [Double](repeating: 0, count: n)
    let limit = max(50, min(n + 1, 1000))
    var iterations = 0
    while iterations < limit {
      if max(rr, 0).squareRoot() <= tolerance { break }
      iterations += 1
      // S p = Xᵀ [D ⊙ K π − (Σ D) m (mᵀ K π) + π].
      let along = total * dot(km, pi)
      for i in 0..<n { q[i] = curvature[i] * kPi[i] - along * m[i] + pi[i] }
      let curvatureAlong = dot(kPi, q)
      if curvatureAlong <= 0 { break }
      let alpha = rr / curvatureAlong
      let kq = gram.multiply(q)
      for i in 0..<n {
        sigma[i] += alpha * pi[i]
        kSigma[i] += alpha * kPi[i]
        rho[i] -= alpha * q[i]
        kRho[i] -= alpha * kq[i]
      }
      let rrNew = dot(rho, kRho)
      let beta = rrNew / rr
      for i in 0..<n {
        pi[i] = rho[i] + beta * pi[i]
        kPi[i] = kRho[i] + beta * kPi[i]
      }
      rr = rrNew
    }
    let t = centred ? -gradientB / total - dot(m, kSigma) : 0
    return (sigma, kSigma, t, iterations)
  }
}
