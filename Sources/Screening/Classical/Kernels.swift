import Foundation
import Text

// Internal numerical helpers shared by the classical screeners.

@inline(__always)
func sigmoid(_ z: Double) -> Double {
  z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
}

/// `ln(1 + exp(−m))` without overflow.
@inline(__always)
func logisticLoss(margin m: Double) -> Double {
  m > 0 ? Foundation.log1p(Foundation.exp(-m)) : -m + Foundation.log1p(Foundation.exp(m))
}

/// A matrix restricted to the columns some row uses, with the map back to the original columns.
struct ColumnCompaction {
  /// The original column of every compacted column, increasing.
  let usedColumns: [Int]
  /// The rows over the used columns only.
  let matrix: SparseMatrix

  init(_ original: SparseMatrix) {
    var newColumn = [Int32](repeating: -1, count: original.columnCount)
    for column in original.columnIndices { newColumn[Int(column)] = 0 }
    var used: [Int] = []
    for column in 0..<original.columnCount where newColumn[column] == 0 {
      newColumn[column] = Int32(used.count)
      used.append(column)
    }
    usedColumns = used
    if used.count == original.columnCount {
      matrix = original
    } else {
      let remapped = original.columnIndices.map { newColumn[Int($0)] }
      matrix = SparseMatrix(
        uncheckedRowCount: original.rowCount, columnCount: used.count, rowOffsets: original.rowOffsets,
        columnIndices: remapped, values: original.values)
    }
  }
}

@inline(__always)
func dot(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count)
  return a.withUnsafeBufferPointer { x in
    b.withUnsafeBufferPointer { y in
      var sum = 0.0
      for k in 0..<x.count { sum += x[k] * y[k] }
      return sum
    }
  }
}

/// The backtracking (Armijo) line search of both Newton solvers: halves the step from 1 until the
/// objective `Σᵢ cᵢ ℓ(yᵢ zᵢ(t)) + ½ ‖w + t s‖²`, with margins `z + t · direction` and
/// `‖w + t s‖² = ww + 2t ws + t² ss`, is at most `f + 1e-4 t slope`; nil when 40 halvings do not
/// get there (the objective cannot fall by more than its rounding).
func armijoStep(
  margins z: [Double], direction: [Double], signs: [Double], costs: [Double], objective f: Double, slope: Double,
  ww: Double, ws: Double, ss: Double
) -> (step: Double, margins: [Double], objective: Double)? {
  var t = 1.0
  var trial = [Double](repeating: 0, count: z.count)
  for _ in 0..<40 {
    var loss = 0.0
    for i in 0..<z.count {
      trial[i] = z[i] + t * direction[i]
      loss += costs[i] * logisticLoss(margin: signs[i] * trial[i])
    }
    let objective = loss + 0.5 * (ww + 2 * t * ws + t * t * ss)
    if objective <= f + 1e-4 * t * slope { return (t, trial, objective) }
    t *= 0.5
  }
  return nil
}

/// The loss's gradient `rᵢ = cᵢ (pᵢ − tᵢ)` and curvature `Dᵢ = cᵢ pᵢ (1 − pᵢ)` per margin (`pᵢ` the
/// sigmoid), written into `residual` and `curvature`; returns `Σ rᵢ`, the intercept's gradient.
func logisticResiduals(
  margins z: [Double], costs: [Double], targets: [Double], residual: inout [Double], curvature: inout [Double]
) -> Double {
  var total = 0.0
  for i in 0..<z.count {
    let p = sigmoid(z[i])
    residual[i] = costs[i] * (p - targets[i])
    curvature[i] = costs[i] * p * (1 - p)
    total += residual[i]
  }
  return total
}

/// Whether a Newton solver has stalled at the limit of floating-point precision: the last step
/// improved the objective `f` by no more than its rounding and the gradient is near the tolerance.
func newtonStalled(improvement: Double, objective f: Double, largestGradient: Double, tolerance: Double) -> Bool {
  improvement <= 1e-15 * max(1, abs(f)) && largestGradient <= tolerance * 1e3
}
