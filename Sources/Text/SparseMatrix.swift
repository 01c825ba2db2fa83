import Foundation

/// A sparse matrix of `Double` values in compressed sparse row (CSR) layout, as SciPy's
/// `csr_matrix` with sorted indices.
///
/// Row `i` holds the entries `rowOffsets[i]..<rowOffsets[i + 1]` of `columnIndices` and `values`;
/// the column indices of a row are strictly increasing. Memory: 12 bytes per stored entry plus
/// 8 bytes per row. The products below run over unsafe buffers and allocate only their result.
public struct SparseMatrix: Sendable, Hashable, Codable {
  /// The number of rows (documents).
  public let rowCount: Int
  /// The number of columns (features).
  public let columnCount: Int
  /// `rowCount + 1` offsets into `columnIndices` and `values`, starting at 0, non-decreasing.
  public let rowOffsets: [Int]
  /// The column of every stored entry, strictly increasing within a row.
  public let columnIndices: [Int32]
  /// The value of every stored entry.
  public let values: [Double]

  /// Creates a matrix from validated CSR arrays.
  ///
  /// - Throws: `VectorizerError.invalidSparseStructure` when the offsets do not start at 0, end at
  ///   the entry count or decrease, or when a row's columns are not strictly increasing within
  ///   `0..<columnCount`.
  public init(
    rowCount: Int, columnCount: Int, rowOffsets: [Int], columnIndices: [Int32], values: [Double]
  ) throws {
    guard rowCount >= 0, columnCount >= 0, columnCount <= Int(Int32.max) else {
      throw VectorizerError.invalidSparseStructure(
        reason: "expected non-negative shape with at most \(Int32.max) columns, found \(rowCount)x\(columnCount)")
    }
    guard rowOffsets.count == rowCount + 1, rowOffsets.first == 0, rowOffsets.last == columnIndices.count,
      columnIndices.count == values.count
    else {
      throw VectorizerError.invalidSparseStructure(
        reason: "expected \(rowCount + 1) row offsets from 0 to \(columnIndices.count) and as many values "
          + "as column indices, found \(rowOffsets.count) offsets ending at \(rowOffsets.last ?? -1) and "
          + "\(values.count) values for \(columnIndices.count) indices")
    }
    for row in 0..<rowCount {
      let start = rowOffsets[row]
      let end = rowOffsets[row + 1]
      guard start <= end else {
        throw VectorizerError.invalidSparseStructure(
          reason: "expected non-decreasing row offsets, found \(end) after \(start) at row \(row)")
      }
      var previous: Int32 = -1
      for k in start..<end {
        let column = columnIndices[k]
        guard column > previous, Int(column) < columnCount else {
          throw VectorizerError.invalidSparseStructure(
            reason: "expected strictly increasing columns in 0..<\(columnCount) in row \(row), found \(column) "
              + "after \(previous)")
        }
        previous = column
      }
    }
    self.init(
      uncheckedRowCount: rowCount, columnCount: columnCount, rowOffsets: rowOffsets,
      columnIndices: columnIndices, values: values)
  }

  /// Creates a matrix from CSR arrays without validating the column order, for code that builds
  /// them sorted.
  ///
  /// - Precondition: the array lengths agree (checked); columns sorted and in range (not checked).
  public init(
    uncheckedRowCount rowCount: Int, columnCount: Int, rowOffsets: [Int], columnIndices: [Int32],
    values: [Double]
  ) {
    precondition(rowOffsets.count == rowCount + 1 && columnIndices.count == values.count)
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.rowOffsets = rowOffsets
    self.columnIndices = columnIndices
    self.values = values
  }

  /// Stacks sparse rows of one dimension into a matrix.
  ///
  /// - Throws: `VectorizerError.dimensionMismatch` when a row's dimension is not `columnCount`.
  public init(rows: [SparseVector], columnCount: Int) throws {
    var offsets = [0]
    offsets.reserveCapacity(rows.count + 1)
    var indices: [Int32] = []
    var values: [Double] = []
    for (number, row) in rows.enumerated() {
      guard row.dimension == columnCount else {
        throw VectorizerError.dimensionMismatch(
          expected: columnCount, found: row.dimension, context: "row \(number) of a stacked matrix")
      }
      indices.append(contentsOf: row.indices)
      values.append(contentsOf: row.values)
      offsets.append(indices.count)
    }
    self.init(
      uncheckedRowCount: rows.count, columnCount: columnCount, rowOffsets: offsets, columnIndices: indices,
      values: values)
  }

  /// The sparse form of a dense row-major matrix whose rows all have `columnCount` entries.
  ///
  /// - Throws: `VectorizerError.dimensionMismatch` for a row of another length.
  public init(dense: [[Double]], columnCount: Int) throws {
    var rows: [SparseVector] = []
    for (number, row) in dense.enumerated() {
      guard row.count == columnCount else {
        throw VectorizerError.dimensionMismatch(
          expected: columnCount, found: row.count, context: "row \(number) of a dense matrix")
      }
      rows.append(SparseVector(dense: row))
    }
    try self.init(rows: rows, columnCount: columnCount)
  }

  /// `[self | other]`: the columns of `other` appended after this matrix's (same row count).
  /// - Throws: `VectorizerError.dimensionMismatch` when the row counts differ.
  public func horizontallyConcatenated(with other: SparseMatrix) throws -> SparseMatrix {
    guard other.rowCount == rowCount else {
      throw VectorizerError.dimensionMismatch(expected: rowCount, found: other.rowCount, context: "rows of a concatenated matrix")
    }
    var offsets = [0]
    var indices: [Int32] = []
    var out: [Double] = []
    indices.reserveCapacity(nonzeroCount + other.nonzeroCount)
    out.reserveCapacity(nonzeroCount + other.nonzeroCount)
    let shift = Int32(columnCount)
    for r in 0..<rowCount {
      indices += columnIndices[rowOffsets[r]..<rowOffsets[r + 1]]
      out += values[rowOffsets[r]..<rowOffsets[r + 1]]
      indices += other.columnIndices[other.rowOffsets[r]..<other.rowOffsets[r + 1]].map { $0 + shift }
      out += other.values[other.rowOffsets[r]..<other.rowOffsets[r + 1]]
      offsets.append(indices.count)
    }
    return SparseMatrix(
      uncheckedRowCount: rowCount, columnCount: columnCount + other.columnCount, rowOffsets: offsets,
      columnIndices: indices, values: out)
  }

  /// The matrix with every row flagged in `isMissing` replaced by the mean of the other rows.
  ///
  /// A record with no text has an all-zero TF-IDF row and the embedding of an empty string,
  /// neither of which says "unknown" to a linear model; the mean row does: it scores as the
  /// average record. Unchanged when no row, or every row, is flagged.
  /// - Throws: `VectorizerError.dimensionMismatch` when `isMissing` does not have one flag per row.
  public func imputingMean(ofRowsWhere isMissing: [Bool]) throws -> SparseMatrix {
    guard isMissing.count == rowCount else {
      throw VectorizerError.dimensionMismatch(expected: rowCount, found: isMissing.count, context: "flags of rows to impute")
    }
    let known = (0..<rowCount).filter { !isMissing[$0] }
    guard known.count < rowCount, !known.isEmpty else { return self }
    var sum = [Double](repeating: 0, count: columnCount)
    for r in known {
      for entry in rowOffsets[r]..<rowOffsets[r + 1] { sum[Int(columnIndices[entry])] += values[entry] }
    }
    let meanColumns = sum.indices.filter { sum[$0] != 0 }
    let meanIndices = meanColumns.map(Int32.init)
    let meanValues = meanColumns.map { sum[$0] / Double(known.count) }
    var offsets = [0]
    var indices: [Int32] = []
    var out: [Double] = []
    for r in 0..<rowCount {
      if isMissing[r] {
        indices += meanIndices
        out += meanValues
      } else {
        indices += columnIndices[rowOffsets[r]..<rowOffsets[r + 1]]
        out += values[rowOffsets[r]..<rowOffsets[r + 1]]
      }
      offsets.append(indices.count)
    }
    return SparseMatrix(
      uncheckedRowCount: rowCount, columnCount: columnCount, rowOffsets: offsets, columnIndices: indices, values: out)
  }

  /// The number of stored entries.
  public var nonzeroCount: Int { values.count }

  /// Row `index` as a sparse vector.
  ///
  /// - Precondition: `0 <= index < rowCount`.
  public func row(_ index: Int) -> SparseVector {
    precondition(index >= 0 && index < rowCount, "row \(index) out of 0..<\(rowCount)")
    let range = rowOffsets[index]..<rowOffsets[index + 1]
    return SparseVector(
      uncheckedDimension: columnCount, indices: Array(columnIndices[range]), values: Array(values[range]))
  }

  /// The matrix of the given rows, in the given order (repeats allowed).
  ///
  /// - Precondition: every index is in `0..<rowCount`.
  /// - Complexity: O(rows + their stored entries).
  public func rows(_ selection: [Int]) -> SparseMatrix {
    var offsets = [Int](repeating: 0, count: selection.count + 1)
    for (position, row) in selection.enumerated() {
      precondition(row >= 0 && row < rowCount, "row \(row) out of 0..<\(rowCount)")
      offsets[position + 1] = offsets[position] + rowOffsets[row + 1] - rowOffsets[row]
    }
    let total = offsets[selection.count]
    var indices = [Int32](repeating: 0, count: total)
    var newValues = [Double](repeating: 0, count: total)
    indices.withUnsafeMutableBufferPointer { outIndex in
      newValues.withUnsafeMutableBufferPointer { outValue in
        columnIndices.withUnsafeBufferPointer { inIndex in
          values.withUnsafeBufferPointer { inValue in
            for (position, row) in selection.enumerated() {
              var target = offsets[position]
              for k in rowOffsets[row]..<rowOffsets[row + 1] {
                outIndex[target] = inIndex[k]
                outValue[target] = inValue[k]
                target += 1
              }
            }
          }
        }
      }
    }
    return SparseMatrix(
      uncheckedRowCount: selection.count, columnCount: columnCount, rowOffsets: offsets,
      columnIndices: indices, values: newValues)
  }

  /// The product `self · vector`: one entry per row.
  ///
  /// - Precondition: `vector.count == columnCount`.
  /// - Complexity: O(stored entries).
  public func multiply(_ vector: [Double]) -> [Double] {
    var result = [Double](repeating: 0, count: rowCount)
    multiply(vector, into: &result)
    return result
  }

  /// Writes `self · vector` into `result` (overwriting it).
  ///
  /// - Precondition: `vector.count == columnCount`, `result.count == rowCount`.
  public func multiply(_ vector: [Double], into result: inout [Double]) {
    precondition(vector.count == columnCount, "vector has \(vector.count) entries, expected \(columnCount)")
    precondition(result.count == rowCount, "result has \(result.count) entries, expected \(rowCount)")
    rowOffsets.withUnsafeBufferPointer { offsets in
      columnIndices.withUnsafeBufferPointer { columns in
        values.withUnsafeBufferPointer { entries in
          vector.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { out in
              for row in 0..<rowCount {
                out[row] = Self.dot(
                  columns: columns, entries: entries, range: offsets[row]..<offsets[row + 1], with: x)
              }
            }
          }
        }
      }
    }
  }

  /// Where the run of at least eight consecutive columns that ends a row's entries `range` begins
  /// (`range.upperBound` when there is none): the dense
  /// block of a matrix concatenated with embeddings, or a dense row. Columns strictly increase, so
  /// entries `j..<end` are consecutive exactly when their columns span `end - j`, a test monotone in
  /// `j`; a binary search finds the first such `j` in O(log entries).
  @inline(__always)
  static func consecutiveTail(columns: UnsafeBufferPointer<Int32>, range: Range<Int>) -> Int {
    // Runs shorter than eight entries are not worth the search (TF-IDF rows end in short ones).
    let last = range.upperBound - 1
    guard range.count >= 8, Int(columns[last]) - Int(columns[last - 7]) == 7 else { return range.upperBound }
    var low = range.lowerBound, high = last - 7
    while low < high {
      let middle = (low + high) / 2
      if Int(columns[last]) - Int(columns[middle]) == last - middle { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// The dot product of the stored entries `range` with the dense vector `x`: the scattered
  /// entries in four running sums, the consecutive tail (an embedding block) with SIMD loads. One
  /// sum would be a chain of dependent additions, bound by the adder's latency rather than by the
  /// loads (about 3x slower on rows of TF-IDF and embeddings).
  @inline(__always)
  public static func dot(
    columns: UnsafeBufferPointer<Int32>, entries: UnsafeBufferPointer<Double>, range: Range<Int>,
    with x: UnsafeBufferPointer<Double>
  ) -> Double {
    let tail = consecutiveTail(columns: columns, range: range)
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var k = range.lowerBound
    while k + 4 <= tail {
      s0 += entries[k] * x[Int(columns[k])]
      s1 += entries[k + 1] * x[Int(columns[k + 1])]
      s2 += entries[k + 2] * x[Int(columns[k + 2])]
      s3 += entries[k + 3] * x[Int(columns[k + 3])]
      k += 4
    }
    while k < tail {
      s0 += entries[k] * x[Int(columns[k])]
      k += 1
    }
    let end = range.upperBound
    if tail < end, let entryBase = entries.baseAddress, let xBase = x.baseAddress {
      s2 += contiguousDot(entryBase + tail, xBase + Int(columns[tail]), count: end - tail)
    }
    return (s0 + s1) + (s2 + s3)
  }

  /// `Σ a[k] b[k]` over `count` contiguous entries, in SIMD running sums: a row's dense run here,
  /// a row of a Gram matrix in logistic regression's row-span solver.
  @inline(__always)
  public static func contiguousDot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
    var v0 = SIMD4<Double>(), v1 = SIMD4<Double>()
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    let stride = MemoryLayout<Double>.stride
    var k = 0
    while k + 8 <= count {
      v0 += ra.loadUnaligned(fromByteOffset: k * stride, as: SIMD4<Double>.self)
        * rb.loadUnaligned(fromByteOffset: k * stride, as: SIMD4<Double>.self)
      v1 += ra.loadUnaligned(fromByteOffset: (k + 4) * stride, as: SIMD4<Double>.self)
        * rb.loadUnaligned(fromByteOffset: (k + 4) * stride, as: SIMD4<Double>.self)
      k += 8
    }
    var tail = 0.0
    while k < count {
      tail += a[k] * b[k]
      k += 1
    }
    return (v0 + v1).sum() + tail
  }

  /// Adds `scale` times the stored entries `range` to the dense `out` (the scattered entries one by
  /// one, the consecutive tail with SIMD).
  @inline(__always)
  static func addScaled(
    columns: UnsafeBufferPointer<Int32>, entries: UnsafeBufferPointer<Double>, range: Range<Int>, scale: Double,
    to out: UnsafeMutableBufferPointer<Double>
  ) {
    let tail = consecutiveTail(columns: columns, range: range)
    for k in range.lowerBound..<tail { out[Int(columns[k])] += entries[k] * scale }
    let end = range.upperBound
    guard tail < end, let entryBase = entries.baseAddress, let outBase = out.baseAddress else { return }
    let a = UnsafeRawPointer(entryBase + tail)
    let target = UnsafeMutableRawPointer(outBase + Int(columns[tail]))
    let count = end - tail
    let stride = MemoryLayout<Double>.stride
    let factor = SIMD4<Double>(repeating: scale)
    var t = 0
    while t + 4 <= count {
      let sum = target.loadUnaligned(fromByteOffset: t * stride, as: SIMD4<Double>.self)
        + a.loadUnaligned(fromByteOffset: t * stride, as: SIMD4<Double>.self) * factor
      target.storeBytes(of: sum, toByteOffset: t * stride, as: SIMD4<Double>.self)
      t += 4
    }
    while t < count {
      outBase[Int(columns[tail]) + t] += entryBase[tail + t] * scale
      t += 1
    }
  }

  /// The product `selfᵀ · vector`: one entry per column.
  ///
  /// - Precondition: `vector.count == rowCount`.
  /// - Complexity: O(stored entries + columns).
  public func transposeMultiply(_ vector: [Double]) -> [Double] {
    var result = [Double](repeating: 0, count: columnCount)
    transposeMultiply(vector, adding: &result)
    return result
  }

  /// Adds `selfᵀ · vector` to `result`.
  ///
  /// - Precondition: `vector.count == rowCount`, `result.count == columnCount`.
  public func transposeMultiply(_ vector: [Double], adding result: inout [Double]) {
    precondition(vector.count == rowCount, "vector has \(vector.count) entries, expected \(rowCount)")
    precondition(result.count == columnCount, "result has \(result.count) entries, expected \(columnCount)")
    rowOffsets.withUnsafeBufferPointer { offsets in
      columnIndices.withUnsafeBufferPointer { columns in
        values.withUnsafeBufferPointer { entries in
          vector.withUnsafeBufferPointer { u in
            result.withUnsafeMutableBufferPointer { out in
              for row in 0..<rowCount {
                let scale = u[row]
                if scale == 0 { continue }
                Self.addScaled(
                  columns: columns, entries: entries, range: offsets[row]..<offsets[row + 1], scale: scale, to: out)
              }
            }
          }
        }
      }
    }
  }

  /// The squared Euclidean norm of every row.
  public func rowSquaredNorms() -> [Double] {
    var result = [Double](repeating: 0, count: rowCount)
    values.withUnsafeBufferPointer { entries in
      for row in 0..<rowCount {
        var sum = 0.0
        for k in rowOffsets[row]..<rowOffsets[row + 1] { sum += entries[k] * entries[k] }
        result[row] = sum
      }
    }
    return result
  }

  /// The dense row-major form (for tests and tiny matrices).
  public var dense: [[Double]] {
    (0..<rowCount).map { row($0).dense }
  }

  // MARK: - Codable

  private enum CodingKeys: String, CodingKey {
    case rowCount = "row_count"
    case columnCount = "column_count"
    case rowOffsets = "row_offsets"
    case columnIndices = "column_indices"
    case values
  }

  /// Decodes a matrix, validating its CSR structure.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    do {
      try self.init(
        rowCount: container.decode(Int.self, forKey: .rowCount),
        columnCount: container.decode(Int.self, forKey: .columnCount),
        rowOffsets: container.decode([Int].self, forKey: .rowOffsets),
        columnIndices: container.decode([Int32].self, forKey: .columnIndices),
        values: container.decode([Double].self, forKey: .values))
    } catch let error as VectorizerError {
      throw DecodingError.dataCorruptedError(
        forKey: .rowOffsets, in: container, debugDescription: error.description)
    }
  }
}
