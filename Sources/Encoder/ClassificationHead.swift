import Foundation
import Tensor

/// Named trainable tensors that an optimizer can visit in a fixed order.
///
/// ``BertWeights`` conforms as it is (its `namedTensors` / `updateEach` already exist); a gradient
/// is a value of the same type, so parameters and gradients pair up by name.
public protocol TrainableParameters<Scalar>: Sendable {
  associatedtype Scalar: BLASScalar
  /// Every tensor with a stable name, in a fixed order.
  var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { get }
  /// Applies `body` to every tensor in ``namedTensors`` order.
  mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void)
}

extension BertWeights: TrainableParameters {}

/// Inverted dropout: keep each element with probability `1 - p` and scale kept ones by `1 / (1 - p)`.
public enum Dropout {
  /// A mask of `count` multipliers (`0` or `1 / (1 - probability)`), drawn from `rng` in index
  /// order, so a given generator state always gives the same mask.
  /// - Precondition: `probability` is in `0..<1`.
  public static func mask<S: BLASScalar>(
    count: Int, probability: Double, using rng: inout some RandomNumberGenerator
  ) -> [S] {
    precondition((0..<1).contains(probability), "dropout probability \(probability) not in [0, 1)")
    let keep = S(1 / (1 - probability))
    return (0..<count).map { _ in Double.random(in: 0..<1, using: &rng) < probability ? 0 : keep }
  }
}

/// A linear classifier over the pooled encoder output: `logits = dropout(pool(hidden)) Wᵀ + b`,
/// as Hugging Face `BertForSequenceClassification` without the tanh pooler.
///
/// Shapes: `B` batch, `T` sequence length, `H` hidden size, `C` classes.
public struct ClassificationHead<Scalar: BLASScalar>: TrainableParameters, Equatable {
  /// `[C, H]`.
  public var weight: Tensor<Scalar>
  /// `[C]`.
  public var bias: Tensor<Scalar>
  /// How `[B, T, H]` hidden states become `[B, H]`.
  public var pooling: Pooling
  /// Dropout on the pooled vector in training mode (`0` disables it).
  public var dropoutProbability: Double

  /// - Precondition: `weight` is `[C, H]`, `bias` is `[C]`, `dropoutProbability` in `0..<1`.
  public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>, pooling: Pooling = .mean, dropoutProbability: Double = 0.1)
  {
    precondition(weight.rank == 2 && bias.shape == [weight.shape[0]], "head weight \(weight.shape), bias \(bias.shape)")
    precondition((0..<1).contains(dropoutProbability), "dropout probability \(dropoutProbability) not in [0, 1)")
    self.weight = weight
    self.bias = bias
    self.pooling = pooling
    self.dropoutProbability = dropoutProbability
  }

  /// A head with N(0, std²) weights (Box-Muller from `rng`) and zero biases, like BERT's init.
  public static func random(
    hiddenSize: Int, classCount: Int, pooling: Pooling = .mean, dropoutProbability: Double = 0.1,
    standardDeviation std: Double = 0.02, using rng: inout some RandomNumberGenerator
  ) -> ClassificationHead {
    let w = (0..<classCount * hiddenSize).map { _ in
      let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
      let u2 = Double.random(in: 0..<1, using: &rng)
      return Scalar(std * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2))
    }
    return ClassificationHead(
      weight: Tensor(shape: [classCount, hiddenSize], scalars: w), bias: Tensor(shape: [classCount]),
      pooling: pooling, dropoutProbability: dropoutProbability)
  }

  /// `H`.
  public var hiddenSize: Int { weight.shape[1] }
  /// `C`.
  public var classCount: Int { weight.shape[0] }

  /// `head.weight`, `head.bias`.
  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { [("weight", weight), ("bias", bias)] }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    body("weight", &weight)
    body("bias", &bias)
  }

  /// Evaluation-mode logits `[B, C]` (no dropout) from hidden states `[B, T, H]`.
  public func logits(hidden: Tensor<Scalar>, lengths: [Int]) -> Tensor<Scalar> {
    logits(pooled: Pool.apply(pooling, hidden, lengths: lengths))
  }

  /// Logits `[B, C]` from an already pooled `[B, H]`.
  public func logits(pooled: Tensor<Scalar>) -> Tensor<Scalar> {
    precondition(pooled.rank == 2 && pooled.shape[1] == hiddenSize, "pooled \(pooled.shape) for head \(weight.shape)")
    return Tensor.matmul(pooled, weight, transposeB: true).addingBias(bias)
  }

  /// What ``backward(_:logitsGradient:)`` needs from a forward pass.
  public struct Activations: Sendable {
    /// `[B, C]`.
    public let logits: Tensor<Scalar>
    /// The dropped-out pooled input of the linear layer `[B, H]`.
    let input: Tensor<Scalar>
    /// Dropout multipliers `[B * H]`, or nil when no dropout was applied.
    let mask: [Scalar]?
    let sequenceLength: Int
    let lengths: [Int]
  }

  /// The forward pass, saving activations. Dropout is applied only when `training` is true (and
  /// the probability is positive); only then is `rng` consumed (`B * H` draws).
  public func forward(
    hidden: Tensor<Scalar>, lengths: [Int], training: Bool, using rng: inout some RandomNumberGenerator
  ) -> Activations {
    precondition(hidden.rank == 3 && hidden.shape[2] == hiddenSize, "hidden \(hidden.shape) for head \(weight.shape)")
    var pooled = Pool.apply(pooling, hidden, lengths: lengths)
    var mask: [Scalar]? = nil
    if training && dropoutProbability > 0 {
      let m: [Scalar] = Dropout.mask(count: pooled.count, probability: dropoutProbability, using: &rng)
      pooled = Tensor(shape: pooled.shape, scalars: zip(pooled.scalars, m).map(*))
      mask = m
    }
    return Activations(
      logits: logits(pooled: pooled), input: pooled, mask: mask, sequenceLength: hidden.shape[1], lengths: lengths)
  }

  /// Gradients of the head's parameters (a value of the head's type holding `dW`, `db`) and of
  /// the hidden states `[B, T, H]`, from `dL/dlogits` `[B, C]`.
  public func backward(_ a: Activations, logitsGradient dz: Tensor<Scalar>) -> (
    parameters: ClassificationHead, hidden: Tensor<Scalar>
  ) {
    precondition(dz.shape == a.logits.shape, "logits gradient \(dz.shape) vs \(a.logits.shape)")
    let dW = Tensor.matmul(dz, a.input, transposeA: true)  // [C, H]
    var db = Tensor<Scalar>(shape: [classCount])
    let (b, c) = (dz.shape[0], classCount)
    for i in 0..<b { for j in 0..<c { db[j] += dz[i, j] } }
    var dPooled = Tensor.matmul(dz, weight)  // [B, H]
    if let m = a.mask { dPooled = Tensor(shape: dPooled.shape, scalars: zip(dPooled.scalars, m).map(*)) }
    let dHidden = Pool.backward(pooling, pooledGradient: dPooled, sequenceLength: a.sequenceLength, lengths: a.lengths)
    var g = self
    g.weight = dW
    g.bias = db
    return (g, dHidden)
  }
}

/// Tensors with names in a fixed order: gradients of any ``TrainableParameters``, or parameters
/// collected from several parts.
public struct NamedTensors<Scalar: BLASScalar>: TrainableParameters, Equatable {
  public private(set) var names: [String]
  public var tensors: [Tensor<Scalar>]

  public init(_ pairs: [(name: String, tensor: Tensor<Scalar>)] = []) {
    names = pairs.map(\.name)
    tensors = pairs.map(\.tensor)
  }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { Array(zip(names, tensors)) }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    for i in tensors.indices { body(names[i], &tensors[i]) }
  }

  public mutating func append(_ name: String, _ tensor: Tensor<Scalar>) {
    names.append(name)
    tensors.append(tensor)
  }

  /// `self += other` for tensors of the same names (others are appended).
  public mutating func add(_ other: NamedTensors) {
    var index: [String: Int] = [:]
    for (i, n) in names.enumerated() { index[n] = i }
    for (n, t) in other.namedTensors {
      guard let i = index[n] else {
        append(n, t)
        continue
      }
      tensors[i].withUnsafeMutableBufferPointer { a in
        t.withUnsafeBufferPointer { b in for j in 0..<a.count { a[j] += b[j] } }
      }
    }
  }

  public subscript(name: String) -> Tensor<Scalar>? {
    names.firstIndex(of: name).map { tensors[$0] }
  }
}
