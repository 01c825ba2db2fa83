import Foundation
import Testing

@testable import Text

@Suite("SparseMatrix and SparseVector")
struct SparseMatrixTests {
  let dense: [[Double]] = [[0, 2, 0, 1], [0, 0, 0, 0], [3, 0, -1, 0]]

  @Test("products and subsets agree with a dense reference")
  func products() throws {
    let matrix = try SparseMatrix(dense: dense, columnCount: 4)
    #expect(matrix.nonzeroCount == 4 && matrix.dense == dense)
    let v = [1.0, -2, 0.5, 3]
    let expected = dense.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
    #expect(matrix.multiply(v) == expected)
    let u = [1.0, 5, -2]
    let expectedT = (0..<4).map { j in (0..<3).reduce(0.0) { $0 + dense[$1][j] * u[$1] } }
    #expect(matrix.transposeMultiply(u) == expectedT)
    #expect(matrix.rows([2, 0, 2]).dense == [dense[2], dense[0], dense[2]])
    #expect(matrix.rowSquaredNorms() == [5, 0, 10])
    #expect(matrix.row(2)[2] == -1 && matrix.row(2)[1] == 0)
    #expect(matrix.row(0).dot(v) == expected[0])
  }

  @Test(
    "products with scattered entries and consecutive runs (an embedding block) of every length agree with a dense reference",
    arguments: [0, 1, 7, 8, 9, 12, 16, 33])
  func runProducts(run: Int) throws {
    // Rows: a few scattered columns, then `run` consecutive ones ending anywhere; an empty row; a
    // fully dense row; and a row of one run that starts at column 0.
    let columns = 64
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(run)
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
    var rows: [[Double]] = []
    for end in stride(from: run, through: columns, by: 5) {
      var row = [Double](repeating: 0, count: columns)
      for j in stride(from: 0, to: max(end - run - 1, 0), by: 3) { row[j] = next() }
      for j in (end - run)..<end { row[j] = next() }
      rows.append(row)
    }
    rows.append([Double](repeating: 0, count: columns))
    rows.append((0..<columns).map { _ in next() })
    rows.append((0..<columns).map { $0 < run ? 1 + next() : 0 })
    let matrix = try SparseMatrix(dense: rows, columnCount: columns)
    let v = (0..<columns).map { _ in next() }
    let u = rows.map { _ in next() }
    let expected = rows.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
    for (found, wanted) in zip(matrix.multiply(v), expected) { #expect(abs(found - wanted) <= 1e-12, "\(found) vs \(wanted)") }
    var expectedT = [Double](repeating: 0.25, count: columns)
    for (i, row) in rows.enumerated() { for j in 0..<columns { expectedT[j] += row[j] * u[i] } }
    var found = [Double](repeating: 0.25, count: columns)
    matrix.transposeMultiply(u, adding: &found)
    for (f, wanted) in zip(found, expectedT) { #expect(abs(f - wanted) <= 1e-12, "\(f) vs \(wanted)") }
    // A matrix without columns has nothing to multiply.
    let empty = try SparseMatrix(rowCount: 2, columnCount: 0, rowOffsets: [0, 0, 0], columnIndices: [], values: [])
    #expect(empty.multiply([]) == [0, 0] && empty.transposeMultiply([1, 2]).isEmpty)
  }

  @Test("rows without data take the mean of the others; nothing flagged or everything flagged leaves it as it is")
  func meanImputation() throws {
    let matrix = try SparseMatrix(dense: dense, columnCount: 4)
    // Rows 0 and 2 average to [1.5, 1, -0.5, 0.5]; column 3's zero mean is not stored.
    let imputed = try matrix.imputingMean(ofRowsWhere: [false, true, false])
    #expect(imputed.dense == [dense[0], [1.5, 1, -0.5, 0.5], dense[2]])
    let withZeroMean = try SparseMatrix(dense: [[1, 0], [0, 0], [-1, 0]], columnCount: 2)
    #expect(try withZeroMean.imputingMean(ofRowsWhere: [false, true, false]).row(1).nonzeroCount == 0)
    #expect(try matrix.imputingMean(ofRowsWhere: [true, false, true]).dense == [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    #expect(try matrix.imputingMean(ofRowsWhere: [false, false, false]) == matrix)
    #expect(try matrix.imputingMean(ofRowsWhere: [true, true, true]) == matrix)
    #expect(throws: VectorizerError.self) { try matrix.imputingMean(ofRowsWhere: [true]) }
  }

  @Test("invalid CSR arrays and vectors are rejected")
  func validation() {
    #expect(throws: VectorizerError.self) {
      try SparseMatrix(rowCount: 1, columnCount: 3, rowOffsets: [0, 2], columnIndices: [2, 1], values: [1, 1])
    }
    #expect(throws: VectorizerError.self) {
      try SparseMatrix(rowCount: 1, columnCount: 3, rowOffsets: [0, 1], columnIndices: [3], values: [1])
    }
    #expect(throws: VectorizerError.self) {
      try SparseMatrix(rowCount: 2, columnCount: 3, rowOffsets: [0, 1], columnIndices: [0], values: [1])
    }
    #expect(throws: VectorizerError.self) {
      try SparseVector(dimension: 2, indices: [0, 0], values: [1, 2])
    }
    #expect(throws: VectorizerError.self) {
      try SparseMatrix(rows: [SparseVector(dense: [1, 2])], columnCount: 3)
    }
  }

  @Test("JSON round trip, and decoding validates the structure")
  func codable() throws {
    let matrix = try SparseMatrix(dense: dense, columnCount: 4)
    let data = try JSONEncoder().encode(matrix)
    #expect(try JSONDecoder().decode(SparseMatrix.self, from: data) == matrix)
    let bad = #"{"row_count":1,"column_count":2,"row_offsets":[0,1],"column_indices":[5],"values":[1]}"#
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(SparseMatrix.self, from: Data(bad.utf8)) }
  }
}
