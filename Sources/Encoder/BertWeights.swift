import Foundation
import Tensor

/// The weights of one transformer layer, one tensor per ``LayerTensor`` (PyTorch-ordered `[out, in]`).
public struct BertLayerWeights<Scalar: BLASScalar>: Sendable, Equatable {
  /// By ``LayerTensor`` raw value.
  public var tensors: [Tensor<Scalar>]

  /// Builds each tensor in storage order.
  public init<E: Error>(_ make: (LayerTensor) throws(E) -> Tensor<Scalar>) throws(E) {
    var tensors: [Tensor<Scalar>] = []
    for t in LayerTensor.allCases { tensors.append(try make(t)) }
    self.tensors = tensors
  }

  public subscript(_ t: LayerTensor) -> Tensor<Scalar> {
    get { tensors[t.rawValue] }
    set { tensors[t.rawValue] = newValue }
  }
}

/// All encoder weights of a BERT model (the pooler is not used for sentence embeddings).
public struct BertWeights<Scalar: BLASScalar>: Sendable, Equatable {
  /// By ``EmbeddingTensor`` raw value.
  public var embeddings: [Tensor<Scalar>]
  /// The transformer layers.
  public var layers: [BertLayerWeights<Scalar>]

  public init(embeddings: [Tensor<Scalar>], layers: [BertLayerWeights<Scalar>]) {
    precondition(embeddings.count == EmbeddingTensor.allCases.count, "\(embeddings.count) embedding tensors")
    self.embeddings = embeddings
    self.layers = layers
  }

  /// Builds every tensor in storage order (embeddings, then layer by layer): `make(spec, layer)`
  /// with a nil layer for the embeddings.
  init<E: Error>(
    configuration c: BertConfiguration, _ make: (TensorSpec, _ layer: Int?) throws(E) -> Tensor<Scalar>
  ) throws(E) {
    var embeddings: [Tensor<Scalar>] = []
    for e in EmbeddingTensor.allCases { embeddings.append(try make(e.spec, nil)) }
    var layers: [BertLayerWeights<Scalar>] = []
    for n in 0..<c.layerCount { layers.append(try BertLayerWeights { t throws(E) in try make(t.spec, n) }) }
    self.init(embeddings: embeddings, layers: layers)
  }

  public subscript(_ e: EmbeddingTensor) -> Tensor<Scalar> {
    get { embeddings[e.rawValue] }
    set { embeddings[e.rawValue] = newValue }
  }

  /// `[vocab, hidden]` (AdaLink folds its adapter into it).
  public var wordEmbeddings: Tensor<Scalar> {
    get { self[.word] }
    set { self[.word] = newValue }
  }

  /// Random weights for tests: N(0, std) matrices, N(0, 1) embeddings, small random biases,
  /// LayerNorm weights near 1. Deterministic for a given generator state.
  public static func random<G: RandomNumberGenerator>(
    configuration c: BertConfiguration, standardDeviation std: Double = 0.2, using rng: inout G
  ) -> BertWeights {
    BertWeights(configuration: c) { spec, _ in
      let (mean, deviation): (Double, Double) =
        switch spec.initialization {
        case .table: (0, 1)
        case .matrix: (0, std)
        case .bias: (0, 0.1)
        case .scale: (1, 0.1)
        }
      let shape = spec.shape(c)
      return Tensor(
        shape: shape,
        scalars: (0..<shape.reduce(1, *)).map { _ in
          // Box-Muller.
          let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
          let u2 = Double.random(in: 0..<1, using: &rng)
          return Scalar(mean + deviation * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2))
        })
    }
  }

  /// All-zero weights of the configuration's shapes (a gradient accumulator).
  public static func zeros(configuration c: BertConfiguration) -> BertWeights {
    BertWeights(configuration: c) { spec, _ in Tensor(shape: spec.shape(c)) }
  }

  /// Every tensor in storage order, each with its layer (nil for the embeddings) and spec.
  func enumerated() -> [(layer: Int?, spec: TensorSpec, tensor: Tensor<Scalar>)] {
    EmbeddingTensor.allCases.map { (nil, $0.spec, self[$0]) }
      + layers.indices.flatMap { n in LayerTensor.allCases.map { (n, $0.spec, layers[n][$0]) } }
  }

  /// Every tensor with a stable name, in a fixed order (for optimizers and checks).
  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    zip(WeightLayout.names(layerCount: layers.count), enumerated()).map { ($0, $1.tensor) }
  }

  /// Applies `body` to every tensor in ``namedTensors`` order.
  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    var names = WeightLayout.names(layerCount: layers.count).makeIterator()
    for e in EmbeddingTensor.allCases { body(names.next() ?? "", &embeddings[e.rawValue]) }
    for n in layers.indices {
      for t in LayerTensor.allCases { body(names.next() ?? "", &layers[n].tensors[t.rawValue]) }
    }
  }

  /// The weights converted to another scalar type (e.g. `Double` for gradient checks).
  public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> BertWeights<Other> {
    BertWeights<Other>(
      embeddings: embeddings.map { $0.converted() },
      layers: layers.map { l in BertLayerWeights<Other> { l[$0].converted() } })
  }

  /// Checks every tensor's shape against `configuration`.
  /// - Throws: ``EncoderError/shapeMismatch(file:tensor:expected:found:)`` (file "<memory>").
  public func validate(against c: BertConfiguration) throws(EncoderError) {
    guard layers.count == c.layerCount else {
      throw .invalidInput(reason: "\(layers.count) layers but the configuration has \(c.layerCount)")
    }
    for (layer, spec, tensor) in enumerated() where tensor.shape != spec.shape(c) {
      throw .shapeMismatch(
        file: "<memory>", tensor: Self.checkpointPrefix(layer) + spec.displayName, expected: spec.shape(c),
        found: tensor.shape)
    }
  }

  /// `embeddings.` or `encoder.layer.N.`: where Hugging Face `BertModel` keeps a tensor.
  static func checkpointPrefix(_ layer: Int?) -> String { layer.map { "encoder.layer.\($0)." } ?? "embeddings." }
}

// MARK: - Checkpoint I/O

extension BertWeights {
  /// Reads BERT weights from a safetensors checkpoint laid out like Hugging Face `BertModel`
  /// (`embeddings.*`, `encoder.layer.N.*`), with or without a `bert.` prefix, accepting the
  /// older `LayerNorm.gamma`/`beta` names. Float tensors may be F32, F16 or BF16.
  ///
  /// - Throws: ``EncoderError`` naming the file and tensor for a missing tensor, a wrong shape
  ///   or dtype.
  public static func load(from file: SafeTensorsFile, configuration c: BertConfiguration)
    throws(EncoderError) -> BertWeights
  {
    let prefix = file.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
    func get(_ name: String, _ shape: [Int]) throws(EncoderError) -> Tensor<Scalar> {
      var key = prefix + name
      if file.entries[key] == nil {
        // TF-converted checkpoints name LayerNorm parameters gamma/beta.
        let alt = key.replacingOccurrences(of: "LayerNorm.weight", with: "LayerNorm.gamma")
          .replacingOccurrences(of: "LayerNorm.bias", with: "LayerNorm.beta")
        if file.entries[alt] != nil { key = alt }
      }
      return try file.tensor(key, shape: shape)
    }
    return try BertWeights(configuration: c) { spec, layer throws(EncoderError) in
      // Stacked tensors (Q, K, V) are read part by part and concatenated by rows.
      var shape = spec.shape(c)
      let parts = spec.checkpointNames.count
      shape[0] /= parts
      var scalars: [Scalar] = []
      for name in spec.checkpointNames { scalars += try get(checkpointPrefix(layer) + name, shape).scalars }
      shape[0] *= parts
      return Tensor(shape: shape, scalars: scalars)
    }
  }

  /// The weights as safetensors values with Hugging Face `BertModel` names (no prefix), Q/K/V
  /// unstacked, stored as `dtype` (F32, F16 or BF16).
  public func safeTensorsValues(dtype: SafeTensorsDType = .f32) -> [SafeTensorsValue] {
    enumerated().flatMap { layer, spec, t in
      // A stacked tensor is written as its row blocks, one per checkpoint name.
      let parts = spec.checkpointNames.count
      var shape = t.shape
      shape[0] /= parts
      let width = t.count / parts
      return spec.checkpointNames.enumerated().map { part, name in
        SafeTensorsValue.float(
          Self.checkpointPrefix(layer) + name, shape: shape, t.scalars[part * width..<(part + 1) * width].map { Float($0) },
          as: dtype)
      }
    }
  }
}
