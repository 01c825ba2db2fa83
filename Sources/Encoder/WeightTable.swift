import Tensor

/// The one description of every encoder weight tensor: its stable csmed name, its Hugging Face
/// checkpoint name(s), its shape and how tests initialise it. Storage order, the flat gradient
/// layout, naming, zeroing, loading, saving and the optimizer's walk are all derived from
/// ``EmbeddingTensor/spec`` and ``LayerTensor/spec``, so a new tensor is one new case here.
struct TensorSpec: Sendable {
  /// The name after `embeddings.` or `layerN.` (optimizer state, dense gradients, full fine-tuning files).
  let name: String
  /// Hugging Face names inside `embeddings.` or `encoder.layer.N.`; several are stacked by rows.
  let checkpointNames: [String]
  let shape: @Sendable (BertConfiguration) -> [Int]
  let initialization: Initialization

  /// How ``BertWeights/random(configuration:standardDeviation:using:)`` draws the tensor.
  enum Initialization: Sendable {
    /// N(0, 1): embedding tables.
    case table
    /// N(0, std): projection matrices.
    case matrix
    /// N(0, 0.1): biases and LayerNorm shifts.
    case bias
    /// N(1, 0.1): LayerNorm scales.
    case scale
  }

  /// The checkpoint name shown in errors: `a.{query,key,value}.weight` for stacked tensors.
  var displayName: String {
    guard checkpointNames.count > 1 else { return checkpointNames[0] }
    let parts = checkpointNames.map { $0.split(separator: ".") }
    // The stacked names differ in one component (query / key / value).
    guard let differing = parts[0].indices.first(where: { i in parts.contains { $0[i] != parts[0][i] } }) else {
      return checkpointNames[0]
    }
    var shown = parts[0].map(String.init)
    shown[differing] = "{" + parts.map { String($0[differing]) }.joined(separator: ",") + "}"
    return shown.joined(separator: ".")
  }
}

/// The tensors of the embedding block, in storage order.
public enum EmbeddingTensor: Int, CaseIterable, Sendable {
  case word, position, type, normWeight, normBias

  var spec: TensorSpec {
    switch self {
    case .word:
      TensorSpec(name: "word", checkpointNames: ["word_embeddings.weight"], shape: { [$0.vocabSize, $0.hiddenSize] }, initialization: .table)
    case .position:
      TensorSpec(
        name: "position", checkpointNames: ["position_embeddings.weight"],
        shape: { [$0.maxPositionEmbeddings, $0.hiddenSize] }, initialization: .table)
    case .type:
      TensorSpec(
        name: "type", checkpointNames: ["token_type_embeddings.weight"], shape: { [$0.typeVocabSize, $0.hiddenSize] },
        initialization: .table)
    case .normWeight:
      TensorSpec(name: "norm.weight", checkpointNames: ["LayerNorm.weight"], shape: { [$0.hiddenSize] }, initialization: .scale)
    case .normBias:
      TensorSpec(name: "norm.bias", checkpointNames: ["LayerNorm.bias"], shape: { [$0.hiddenSize] }, initialization: .bias)
    }
  }
}

/// The twelve tensors of a transformer layer, in storage order. Linear weights are `[out, in]`.
public enum LayerTensor: Int, CaseIterable, Sendable {
  /// Query, key and value stacked by rows, `[3H, H]`: rows `0..<H` the query, then key, value.
  case qkvWeight, qkvBias
  case attentionOutputWeight, attentionOutputBias
  /// The LayerNorm after attention.
  case attentionNormWeight, attentionNormBias
  /// The FFN up-projection `[I, H]`.
  case intermediateWeight, intermediateBias
  /// The FFN down-projection `[H, I]`.
  case outputWeight, outputBias
  /// The LayerNorm after the FFN.
  case outputNormWeight, outputNormBias

  var spec: TensorSpec {
    let qkv = ["query", "key", "value"]
    switch self {
    case .qkvWeight:
      return TensorSpec(
        name: "qkv.weight", checkpointNames: qkv.map { "attention.self.\($0).weight" },
        shape: { [3 * $0.hiddenSize, $0.hiddenSize] }, initialization: .matrix)
    case .qkvBias:
      return TensorSpec(
        name: "qkv.bias", checkpointNames: qkv.map { "attention.self.\($0).bias" }, shape: { [3 * $0.hiddenSize] },
        initialization: .bias)
    case .attentionOutputWeight:
      return TensorSpec(
        name: "attention.output.weight", checkpointNames: ["attention.output.dense.weight"],
        shape: { [$0.hiddenSize, $0.hiddenSize] }, initialization: .matrix)
    case .attentionOutputBias:
      return TensorSpec(
        name: "attention.output.bias", checkpointNames: ["attention.output.dense.bias"], shape: { [$0.hiddenSize] },
        initialization: .bias)
    case .attentionNormWeight:
      return TensorSpec(
        name: "norm1.weight", checkpointNames: ["attention.output.LayerNorm.weight"], shape: { [$0.hiddenSize] },
        initialization: .scale)
    case .attentionNormBias:
      return TensorSpec(
        name: "norm1.bias", checkpointNames: ["attention.output.LayerNorm.bias"], shape: { [$0.hiddenSize] },
        initialization: .bias)
    case .intermediateWeight:
      return TensorSpec(
        name: "ffn.up.weight", checkpointNames: ["intermediate.dense.weight"],
        shape: { [$0.intermediateSize, $0.hiddenSize] }, initialization: .matrix)
    case .intermediateBias:
      return TensorSpec(
        name: "ffn.up.bias", checkpointNames: ["intermediate.dense.bias"], shape: { [$0.intermediateSize] },
        initialization: .bias)
    case .outputWeight:
      return TensorSpec(
        name: "ffn.down.weight", checkpointNames: ["output.dense.weight"], shape: { [$0.hiddenSize, $0.intermediateSize] },
        initialization: .matrix)
    case .outputBias:
      return TensorSpec(
        name: "ffn.down.bias", checkpointNames: ["output.dense.bias"], shape: { [$0.hiddenSize] }, initialization: .bias)
    case .outputNormWeight:
      return TensorSpec(
        name: "norm2.weight", checkpointNames: ["output.LayerNorm.weight"], shape: { [$0.hiddenSize] },
        initialization: .scale)
    case .outputNormBias:
      return TensorSpec(
        name: "norm2.bias", checkpointNames: ["output.LayerNorm.bias"], shape: { [$0.hiddenSize] }, initialization: .bias)
    }
  }
}

extension LinearModule {
  /// The layer tensors holding this map's weight and bias, and its row block in them (query,
  /// key and value are thirds of the stacked QKV tensors; nil for an unstacked map).
  var tensors: (weight: LayerTensor, bias: LayerTensor, rowBlock: Int?) {
    switch self {
    case .query, .key, .value: (.qkvWeight, .qkvBias, order)
    case .attentionOutput: (.attentionOutputWeight, .attentionOutputBias, nil)
    case .intermediate: (.intermediateWeight, .intermediateBias, nil)
    case .output: (.outputWeight, .outputBias, nil)
    }
  }
}

/// Every tensor of a configuration in storage order, with its full stable name: what the flat
/// gradient buffer, ``BertWeights/namedTensors`` and the optimizer walk.
struct WeightLayout: Sendable {
  /// Offsets in a flat buffer, by ``EmbeddingTensor`` raw value.
  let embeddings: [Int]
  /// Per layer, offsets by ``LayerTensor`` raw value.
  let layers: [[Int]]
  let shapes: [[Int]]
  let total: Int

  init(_ c: BertConfiguration) {
    var offset = 0
    var shapes: [[Int]] = []
    func place(_ spec: TensorSpec) -> Int {
      defer {
        shapes.append(spec.shape(c))
        offset += spec.shape(c).reduce(1, *)
      }
      return offset
    }
    embeddings = EmbeddingTensor.allCases.map { place($0.spec) }
    layers = (0..<c.layerCount).map { _ in LayerTensor.allCases.map { place($0.spec) } }
    self.shapes = shapes
    total = offset
  }

  /// The stable names in storage order (`embeddings.word`, ..., `layerN.norm2.bias`).
  static func names(layerCount: Int) -> [String] {
    EmbeddingTensor.allCases.map { "embeddings." + $0.spec.name }
      + (0..<layerCount).flatMap { n in LayerTensor.allCases.map { "layer\(n)." + $0.spec.name } }
  }
}
