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
