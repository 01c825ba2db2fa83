import Text

/// Token sequences right-padded to a common length: the input of ``BertModel/forward(_:workers:)``.
///
/// The attention mask is implied by `lengths`: item `b` attends to positions `0..<lengths[b]`.
public struct TokenBatch: Sendable, Equatable {
  /// `B`, the number of sequences.
  public let batchSize: Int
  /// `T`, the padded length.
  public let sequenceLength: Int
  /// `[B * T]` token ids, row-major by sequence.
  public let inputIDs: [Int32]
  /// `[B * T]` token type (segment) ids.
  public let tokenTypeIDs: [Int32]
  /// `[B]` valid (unpadded) lengths, each in `1...T`.
  public let lengths: [Int]

  /// Pads `encodings` to the longest of them (dynamic padding) with `paddingID` and type 0.
  /// - Throws: ``EncoderError/invalidInput(reason:)`` for an empty batch or an empty encoding.
  public init(encodings: [Encoding], paddingID: Int32) throws(EncoderError) {
    guard !encodings.isEmpty else { throw .invalidInput(reason: "empty batch") }
    guard encodings.allSatisfy({ $0.count > 0 }) else {
      throw .invalidInput(reason: "an encoding has no tokens")
    }
    let t = encodings.map(\.count).max() ?? 0
    var ids = [Int32](repeating: paddingID, count: encodings.count * t)
    var types = [Int32](repeating: 0, count: encodings.count * t)
    for (b, e) in encodings.enumerated() {
      for i in 0..<e.count {
        ids[b * t + i] = e.inputIDs[i]
        types[b * t + i] = e.tokenTypeIDs[i]
      }
    }
    self.batchSize = encodings.count
    self.sequenceLength = t
    self.inputIDs = ids
    self.tokenTypeIDs = types
    self.lengths = encodings.map(\.count)
  }

  /// A batch from raw arrays.
  /// - Throws: ``EncoderError/invalidInput(reason:)`` when the sizes are inconsistent.
  public init(
    batchSize: Int, sequenceLength: Int, inputIDs: [Int32], tokenTypeIDs: [Int32]? = nil,
    lengths: [Int]? = nil
  ) throws(EncoderError) {
    guard batchSize > 0, sequenceLength > 0 else {
      throw .invalidInput(reason: "batch \(batchSize) x \(sequenceLength) is empty")
    }
    let n = batchSize * sequenceLength
    guard inputIDs.count == n else {
      throw .invalidInput(reason: "\(inputIDs.count) input ids for batch \(batchSize) x \(sequenceLength)")
    }
    let types = tokenTypeIDs ?? [Int32](repeating: 0, count: n)
    guard types.count == n else {
      throw .invalidInput(reason: "\(types.count) token type ids for batch \(batchSize) x \(sequenceLength)")
    }
    let lengths = lengths ?? [Int](repeating: sequenceLength, count: batchSize)
    guard lengths.count == batchSize, lengths.allSatisfy({ (1...sequenceLength).contains($0) }) else {
      throw .invalidInput(reason: "lengths \(lengths) must be \(batchSize) values in 1...\(sequenceLength)")
    }
    self.batchSize = batchSize
    self.sequenceLength = sequenceLength
    self.inputIDs = inputIDs
    self.tokenTypeIDs = types
    self.lengths = lengths
  }

  /// `[B * T]` attention mask: 1 for real tokens, 0 for padding.
  public var attentionMask: [Int32] {
    (0..<batchSize).flatMap { b in
      (0..<sequenceLength).map { $0 < lengths[b] ? Int32(1) : 0 }
    }
  }
}
