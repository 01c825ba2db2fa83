import Foundation
import Tensor

/// The weights of one transformer layer. Linear weights are PyTorch-ordered `[out, in]`.
public struct BertLayerWeights<Scalar: BLASScalar>: Sendable, Equatable {
  /// Query, key and value projections stacked by rows: `[3 * hidden, hidden]`
  /// (rows `0..<H` are the query, `H..<2H` the key, `2H..<3H` the value).
  public var qkvWeight: Tensor<Scalar>
  /// `[3 * hidden]`.
  public var qkvBias: Tensor<Scalar>
  /// Attention output projection `[hidden, hidden]`.
  public var attentionOutputWeight: Tensor<Scalar>
  /// `[hidden]`.
  public var attentionOutputBias: Tensor<Scalar>
  /// LayerNorm after attention: `[hidden]` each.
  public var attentionNormWeight: Tensor<Scalar>
  /// `[hidden]`.
  public var attentionNormBias: Tensor<Scalar>
  /// FFN up-projection `[intermediate, hidden]`.
  public var intermediateWeight: Tensor<Scalar>
  /// `[intermediate]`.
  public var intermediateBias: Tensor<Scalar>
  /// FFN down-projection `[hidden, intermediate]`.
  public var outputWeight: Tensor<Scalar>
  /// `[hidden]`.
  public var outputBias: Tensor<Scalar>
  /// LayerNorm after the FFN: `[hidden]` each.
  public var outputNormWeight: Tensor<Scalar>
  /// `[hidden]`.
  public var outputNormBias: Tensor<Scalar>
}

/// All encoder weights of a BERT model (the pooler is not used for sentence embeddings).
public struct BertWeights<Scalar: BLASScalar>: Sendable, Equatable {
  /// `[vocab, hidden]`.
  public var wordEmbeddings: Tensor<Scalar>
  /// `[maxPositions, hidden]`.
  public var positionEmbeddings: Tensor<Scalar>
  /// `[typeVocab, hidden]`.
  public var tokenTypeEmbeddings: Tensor<Scalar>
  /// Embedding LayerNorm `[hidden]`.
  public var embeddingNormWeight: Tensor<Scalar>
  /// `[hidden]`.
  public var embeddingNormBias: Tensor<Scalar>
  /// The transformer layers.
  public var layers: [BertLayerWeights<Scalar>]

  /// Random weights for tests: N(0, std) matrices and embeddings, small random biases,
  /// LayerNorm weights near 1. Deterministic for a given generator state.
  public static func random<G: RandomNumberGenerator>(
    configuration c: BertConfiguration, standardDeviation std: Double = 0.2, using rng: inout G
  ) -> BertWeights {
    func t(_ shape: [Int], mean: Double = 0, std: Double) -> Tensor<Scalar> {
      Tensor(
        shape: shape,
        scalars: (0..<shape.reduce(1, *)).map { _ in
          // Box-Muller.
          let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
          let u2 = Double.random(in: 0..<1, using: &rng)
          return Scalar(mean + std * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2))
        })
    }
    let (h, i) = (c.hiddenSize, c.intermediateSize)
    return BertWeights(
      wordEmbeddings: t([c.vocabSize, h], std: 1), positionEmbeddings: t([c.maxPositionEmbeddings, h], std: 1),
      tokenTypeEmbeddings: t([c.typeVocabSize, h], std: 1),
      embeddingNormWeight: t([h], mean: 1, std: 0.1), embeddingNormBias: t([h], std: 0.1),
      layers: (0..<c.layerCount).map { _ in
        BertLayerWeights(
          qkvWeight: t([3 * h, h], std: std), qkvBias: t([3 * h], std: 0.1),
          attentionOutputWeight: t([h, h], std: std), attentionOutputBias: t([h], std: 0.1),
          attentionNormWeight: t([h], mean: 1, std: 0.1), attentionNormBias: t([h], std: 0.1),
          intermediateWeight: t([i, h], std: std), intermediateBias: t([i], std: 0.1),
          outputWeight: t([h, i], std: std), outputBias: t([h], std: 0.1),
          outputNormWeight: t([h], mean: 1, std: 0.1), outputNormBias: t([h], std: 0.1))
      })
  }

  /// The weights converted to another scalar type (e.g. `Double` for gradient checks).
  public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> BertWeights<Other> {
    BertWeights<Other>(
      wordEmbeddings: wordEmbeddings.converted(), positionEmbeddings: positionEmbeddings.converted(),
      tokenTypeEmbeddings: tokenTypeEmbeddings.converted(),
      embeddingNormWeight: embeddingNormWeight.converted(),
      embeddingNormBias: embeddingNormBias.converted(),
      layers: layers.map { l in
        BertLayerWeights<Other>(
          qkvWeight: l.qkvWeight.converted(), qkvBias: l.qkvBias.converted(),
          attentionOutputWeight: l.attentionOutputWeight.converted(),
          attentionOutputBias: l.attentionOutputBias.converted(),
          attentionNormWeight: l.attentionNormWeight.converted(),
          attentionNormBias: l.attentionNormBias.converted(),
          intermediateWeight: l.intermediateWeight.converted(),
          intermediateBias: l.intermediateBias.converted(),
          outputWeight: l.outputWeight.converted(), outputBias: l.outputBias.converted(),
          outputNormWeight: l.outputNormWeight.converted(),
          outputNormBias: l.outputNormBias.converted())
      })
  }

  /// Checks every tensor's shape against `configuration`.
  /// - Throws: ``EncoderError/shapeMismatch(file:tensor:expected:found:)`` (file "<memory>").
  public func validate(against c: BertConfiguration) throws(EncoderError) {
    func check(_ t: Tensor<Scalar>, _ name: String, _ shape: [Int]) throws(EncoderError) {
      guard t.shape == shape else {
        throw .shapeMismatch(file: "<memory>", tensor: name, expected: shape, found: t.shape)
      }
    }
    let (h, i) = (c.hiddenSize, c.intermediateSize)
    try check(wordEmbeddings, "embeddings.word_embeddings.weight", [c.vocabSize, h])
    try check(positionEmbeddings, "embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h])
    try check(tokenTypeEmbeddings, "embeddings.token_type_embeddings.weight", [c.typeVocabSize, h])
    try check(embeddingNormWeight, "embeddings.LayerNorm.weight", [h])
    try check(embeddingNormBias, "embeddings.LayerNorm.bias", [h])
    guard layers.count == c.layerCount else {
      throw .invalidInput(reason: "\(layers.count) layers but the configuration has \(c.layerCount)")
    }
    for (n, l) in layers.enumerated() {
      let p = "encoder.layer.\(n)."
      try check(l.qkvWeight, p + "attention.self.{query,key,value}.weight", [3 * h, h])
      try check(l.qkvBias, p + "attention.self.{query,key,value}.bias", [3 * h])
      try check(l.attentionOutputWeight, p + "attention.output.dense.weight", [h, h])
      try check(l.attentionOutputBias, p + "attention.output.dense.bias", [h])
      try check(l.attentionNormWeight, p + "attention.output.LayerNorm.weight", [h])
      try check(l.attentionNormBias, p + "attention.output.LayerNorm.bias", [h])
      try check(l.intermediateWeight, p + "intermediate.dense.weight", [i, h])
      try check(l.intermediateBias, p + "intermediate.dense.bias", [i])
      try check(l.outputWeight, p + "output.dense.weight", [h, i])
      try check(l.outputBias, p + "output.dense.bias", [h])
      try check(l.outputNormWeight, p + "output.LayerNorm.weight", [h])
      try check(l.outputNormBias, p + "output.LayerNorm.bias", [h])
    }
  }
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
    func stack(_ parts: [Tensor<Scalar>], shape: [Int]) -> Tensor<Scalar> {
      Tensor(shape: shape, scalars: parts.flatMap(\.scalars))
    }
    let (h, i) = (c.hiddenSize, c.intermediateSize)
    var layers: [BertLayerWeights<Scalar>] = []
    for n in 0..<c.layerCount {
      let p = "encoder.layer.\(n)."
      let q = try get(p + "attention.self.query.weight", [h, h])
      let k = try get(p + "attention.self.key.weight", [h, h])
      let v = try get(p + "attention.self.value.weight", [h, h])
      let qb = try get(p + "attention.self.query.bias", [h])
      let kb = try get(p + "attention.self.key.bias", [h])
      let vb = try get(p + "attention.self.value.bias", [h])
      layers.append(
        BertLayerWeights(
          qkvWeight: stack([q, k, v], shape: [3 * h, h]), qkvBias: stack([qb, kb, vb], shape: [3 * h]),
          attentionOutputWeight: try get(p + "attention.output.dense.weight", [h, h]),
          attentionOutputBias: try get(p + "attention.output.dense.bias", [h]),
          attentionNormWeight: try get(p + "attention.output.LayerNorm.weight", [h]),
          attentionNormBias: try get(p + "attention.output.LayerNorm.bias", [h]),
          intermediateWeight: try get(p + "intermediate.dense.weight", [i, h]),
          intermediateBias: try get(p + "intermediate.dense.bias", [i]),
          outputWeight: try get(p + "output.dense.weight", [h, i]),
          outputBias: try get(p + "output.dense.bias", [h]),
          outputNormWeight: try get(p + "output.LayerNorm.weight", [h]),
          outputNormBias: try get(p + "output.LayerNorm.bias", [h])))
    }
    return BertWeights(
      wordEmbeddings: try get("embeddings.word_embeddings.weight", [c.vocabSize, h]),
      positionEmbeddings: try get("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h]),
      tokenTypeEmbeddings: try get("embeddings.token_type_embeddings.weight", [c.typeVocabSize, h]),
      embeddingNormWeight: try get("embeddings.LayerNorm.weight", [h]),
      embeddingNormBias: try get("embeddings.LayerNorm.bias", [h]),
      layers: layers)
  }

  /// The weights as safetensors values with Hugging Face `BertModel` names (no prefix), Q/K/V
  /// unstacked, stored as `dtype` (F32, F16 or BF16).
  public func safeTensorsValues(dtype: SafeTensorsDType = .f32) -> [SafeTensorsValue] {
    func value(_ name: String, _ t: Tensor<Scalar>) -> SafeTensorsValue {
      .float(name, shape: t.shape, t.scalars.map { Float($0) }, as: dtype)
    }
    func rows(_ t: Tensor<Scalar>, _ part: Int, _ n: Int) -> Tensor<Scalar> {
      let width = t.count / t.shape[0]
      let shape = t.rank == 2 ? [n, t.shape[1]] : [n]
      return Tensor(shape: shape, scalars: Array(t.scalars[part * n * width..<(part + 1) * n * width]))
    }
    var out: [SafeTensorsValue] = [
      value("embeddings.word_embeddings.weight", wordEmbeddings),
      value("embeddings.position_embeddings.weight", positionEmbeddings),
      value("embeddings.token_type_embeddings.weight", tokenTypeEmbeddings),
      value("embeddings.LayerNorm.weight", embeddingNormWeight),
      value("embeddings.LayerNorm.bias", embeddingNormBias),
    ]
    for (n, l) in layers.enumerated() {
      let p = "encoder.layer.\(n)."
      let h = l.qkvWeight.shape[1]
      for (part, name) in ["query", "key", "value"].enumerated() {
        out.append(value(p + "attention.self.\(name).weight", rows(l.qkvWeight, part, h)))
        out.append(value(p + "attention.self.\(name).bias", rows(l.qkvBias, part, h)))
      }
      out += [
        value(p + "attention.output.dense.weight", l.attentionOutputWeight),
        value(p + "attention.output.dense.bias", l.attentionOutputBias),
        value(p + "attention.output.LayerNorm.weight", l.attentionNormWeight),
        value(p + "attention.output.LayerNorm.bias", l.attentionNormBias),
        value(p + "intermediate.dense.weight", l.intermediateWeight),
        value(p + "intermediate.dense.bias", l.intermediateBias),
        value(p + "output.dense.weight", l.outputWeight),
        value(p + "output.dense.bias", l.outputBias),
        value(p + "output.LayerNorm.weight", l.outputNormWeight),
        value(p + "output.LayerNorm.bias", l.outputNormBias),
      ]
    }
    return out
  }
}
