import Foundation

/// A sparse vector of `Double` values: strictly increasing `Int32` indices and their values.
///
/// The layout is the one of a row of `SparseMatrix` (CSR), so rows move between the two without
/// re-sorting. Values are `Double` so that features match scikit-learn's float64 output.
public struct SparseVector: Sendable, Hashable, Codable {
  /// The number of dimensions (columns) of the dense vector this one stands for.
  public let dimension: Int
  /// The positions of the stored entries, strictly increasing, each in `0..<dimension`.
  public let indices: [Int32]
  /// The stored values, one per index.
  public let values: [Double]

  /// Creates a vector from validated arrays.
  ///
  /// - Throws: `VectorizerError.invalidSparseStructure` when the arrays differ in length, the
  ///   indices are not strictly increasing, or an index falls outside `0..<dimension`.
  public init(dimension: Int, indices: [Int32], values: [Double]) throws {
    try Self.validate(dimension: dimension, indices: indices, values: values)
    self.init(uncheckedDimension: dimension, indices: indices, values: values)
  }

  /// Creates a vector without validation, for callers that build sorted, in-range indices.
  ///
  /// - Precondition: `indices.count == values.count` (checked); indices sorted and in range
  ///   (not checked).
  public init(uncheckedDimension dimension: Int, indices: [Int32], values: [Double]) {
    precondition(indices.count == values.count, "indices and values differ in length")
    self.dimension = dimension
    self.indices = indices
    self.values = values
  }

  /// The sparse form of a dense vector, keeping its non-zero entries.
  public init(dense: [Double]) {
    var indices: [Int32] = []
    var values: [Double] = []
    for (index, value) in dense.enumerated() where value != 0 {
      indices.append(Int32(index))
      values.append(value)
    }
    self.init(uncheckedDimension: dense.count, indices: indices, values: values)
  }

  /// The number of stored entries.
  public var nonzeroCount: Int { indices.count }

  /// The value at `index` (zero when not stored).
  ///
  /// - Complexity: O(log *k*) for *k* stored entries.
  public subscript(index: Int) -> Double {
    var low = 0
    var high = indices.count
    while low < high {
      let middle = (low + high) / 2
      if Int(indices[middle]) < index { low = middle + 1 } else { high = middle }
    }
    return low < indices.count && Int(indices[low]) == index ? values[low] : 0
  }

  /// The dot product with a dense vector of `dimension` entries.
  ///
  /// - Precondition: `dense.count == dimension`.
  public func dot(_ dense: [Double]) -> Double {
    precondition(dense.count == dimension, "dense vector has \(dense.count) entries, expected \(dimension)")
    return indices.withUnsafeBufferPointer { idx in
      values.withUnsafeBufferPointer { val in
        dense.withUnsafeBufferPointer { d in
          var sum = 0.0
          for k in 0..<idx.count { sum += val[k] * d[Int(idx[k])] }
          return sum
        }
      }
    }
  }

  /// The Euclidean norm.
  public var norm: Double { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

  /// The dense form.
  public var dense: [Double] {
    var result = [Double](repeating: 0, count: dimension)
    for (index, value) in zip(indices, values) { result[Int(index)] = value }
    return result
  }

  static func validate(dimension: Int, indices: [Int32], values: [Double]) throws {
    guard dimension >= 0, dimension <= Int(Int32.max) else {
      throw VectorizerError.invalidSparseStructure(
        reason: "expected a dimension in 0...\(Int32.max), found \(dimension)")
    }
    guard indices.count == values.count else {
      throw VectorizerError.invalidSparseStructure(
        reason: "expected as many values as indices, found \(values.count) values for \(indices.count) indices")
    }
    var previous: Int32 = -1
    for (position, index) in indices.enumerated() {
      guard index > previous, Int(index) < dimension else {
        throw VectorizerError.invalidSparseStructure(
          reason: "expected strictly increasing indices in 0..<\(dimension), found \(index) at position "
            + "\(position) after \(previous)")
      }
      previous = index
    }
  }

  // MARK: - Codable

  private enum CodingKeys: String, CodingKey {
    case dimension, indices, values
  }

  /// Decodes a vector, validating its structure.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let dimension = try container.decode(Int.self, forKey: .dimension)
    let indices = try container.decode([Int32].self, forKey: .indices)
    let values = try container.decode([Double].self, forKey: .values)
    do {
      try self.init(dimension: dimension, indices: indices, values: values)
    } catch {
      throw DecodingError.dataCorruptedError(
        forKey: .indices, in: container, debugDescription: String(describing: error))
    }
  }
}
