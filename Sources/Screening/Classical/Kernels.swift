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
