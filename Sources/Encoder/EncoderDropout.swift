import Tensor

/// BERT's dropout while training: on the embedding output, on each attention and FFN sub-layer
/// output before its residual (`hidden_dropout_prob`), and on the attention probabilities
/// (`attention_probs_dropout_prob`).
///
/// Masks are not stored: each row's mask is a pure function of `(seed, stream, row)`, so the
/// backward pass regenerates exactly the mask the forward pass used, in any thread order.
public struct EncoderDropout: Sendable, Equatable, Codable {
  public var hidden: Double
  public var attention: Double
  public var seed: UInt64

  /// - Precondition: both probabilities in `0..<1`.
  public init(hidden: Double = 0.1, attention: Double = 0.1, seed: UInt64) {
    precondition((0..<1).contains(hidden) && (0..<1).contains(attention), "dropout \(hidden), \(attention) not in [0, 1)")
    self.hidden = hidden
    self.attention = attention
    self.seed = seed
  }

  /// Mask streams: one per place in the network.
  enum Stream: UInt64 {
    case embedding = 1, attentionOutput, ffnOutput, attentionProbabilities
  }

  /// Multiplies `count` values by this row's mask: 0 with probability `p`, else `1 / (1 − p)`.
  @inline(__always)
  static func apply<S: BLASScalar>(
    _ values: UnsafeMutablePointer<S>, count: Int, probability p: Double, seed: UInt64, stream: Stream, layer: Int, row: Int
  ) {
    guard p > 0 else { return }
    let threshold = UInt16(min(65535, (p * 65536).rounded()))
    let keep = S(1 / (1 - p))
    var state = mix(seed ^ (stream.rawValue &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(layer) &* 0xD1B5_4A32_D192_ED03) ^ (UInt64(row) &* 0xBF58_476D_1CE4_E5B9))
    var i = 0
    while i < count {
      state &+= 0x9E37_79B9_7F4A_7C15
      var bits = mix(state)
      // Four 16-bit uniforms per draw.
      for _ in 0..<4 where i < count {
        values[i] = UInt16(truncatingIfNeeded: bits) < threshold ? 0 : values[i] * keep
        bits >>= 16
        i += 1
      }
    }
  }

  @inline(__always)
  static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
