import Foundation

/// The fields of a BERT `config.json` the encoder uses, validated on decoding.
///
/// JSON keys are snake_case (`hidden_size`, ...). Required: `hidden_size`, `num_hidden_layers`,
/// `num_attention_heads`, `intermediate_size`, `vocab_size`. Optional with BERT defaults:
/// `max_position_embeddings` (512), `type_vocab_size` (2), `layer_norm_eps` (1e-12),
/// `hidden_act` ("gelu"; the only one supported), `position_embedding_type` ("absolute"; the only
/// one supported), `pad_token_id` (0).
public struct BertConfiguration: Sendable, Equatable, Codable {
  /// `H`, the hidden size (`hidden_size`).
  public var hiddenSize: Int
  /// `L`, the number of transformer layers (`num_hidden_layers`).
  public var layerCount: Int
  /// `NH`, attention heads per layer (`num_attention_heads`).
  public var headCount: Int
  /// `I`, the FFN width (`intermediate_size`).
  public var intermediateSize: Int
  /// Rows of the word embedding table (`vocab_size`).
  public var vocabSize: Int
  /// Rows of the position embedding table, the longest sequence (`max_position_embeddings`).
  public var maxPositionEmbeddings: Int
  /// Rows of the token type embedding table (`type_vocab_size`).
  public var typeVocabSize: Int
  /// LayerNorm epsilon (`layer_norm_eps`).
  public var layerNormEpsilon: Double
  /// The FFN activation (`hidden_act`); only `"gelu"` is supported.
  public var hiddenActivation: String
  /// `position_embedding_type`; only `"absolute"` is supported.
  public var positionEmbeddingType: String
  /// `pad_token_id`.
  public var padTokenID: Int

  /// `hiddenSize / headCount`.
  public var headSize: Int { hiddenSize / headCount }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case hiddenSize = "hidden_size"
    case layerCount = "num_hidden_layers"
    case headCount = "num_attention_heads"
    case intermediateSize = "intermediate_size"
    case vocabSize = "vocab_size"
    case maxPositionEmbeddings = "max_position_embeddings"
    case typeVocabSize = "type_vocab_size"
    case layerNormEpsilon = "layer_norm_eps"
    case hiddenActivation = "hidden_act"
    case positionEmbeddingType = "position_embedding_type"
    case padTokenID = "pad_token_id"
  }

  /// Creates a configuration.
  /// - Throws: ``EncoderError/invalidConfig(file:key:reason:)`` for invalid values.
  public init(
    hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int, vocabSize: Int,
    maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, layerNormEpsilon: Double = 1e-12,
    hiddenActivation: String = "gelu", positionEmbeddingType: String = "absolute",
    padTokenID: Int = 0, file: String = "<memory>"
  ) throws(EncoderError) {
    self.hiddenSize = hiddenSize
    self.layerCount = layerCount
    self.headCount = headCount
    self.intermediateSize = intermediateSize
    self.vocabSize = vocabSize
    self.maxPositionEmbeddings = maxPositionEmbeddings
    self.typeVocabSize = typeVocabSize
    self.layerNormEpsilon = layerNormEpsilon
    self.hiddenActivation = hiddenActivation
    self.positionEmbeddingType = positionEmbeddingType
    self.padTokenID = padTokenID
    try validate(file: file)
  }

  /// Decodes the JSON keys (no validation; ``decode(_:file:)`` validates).
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
    layerCount = try c.decode(Int.self, forKey: .layerCount)
    headCount = try c.decode(Int.self, forKey: .headCount)
    intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
    vocabSize = try c.decode(Int.self, forKey: .vocabSize)
    maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 512
    typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? 2
    layerNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-12
    hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
    positionEmbeddingType =
      try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? "absolute"
    padTokenID = try c.decodeIfPresent(Int.self, forKey: .padTokenID) ?? 0
  }

  /// Loads and validates `config.json`.
  /// - Throws: ``EncoderError`` naming the file and the offending key.
  public static func load(from url: URL) throws(EncoderError) -> BertConfiguration {
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .io(path: path, reason: error.localizedDescription)
    }
    return try decode(data, file: path)
  }

  /// Decodes and validates config JSON; `file` labels error messages.
  public static func decode(_ data: Data, file: String) throws(EncoderError) -> BertConfiguration {
    let config: BertConfiguration
    do {
      config = try JSONDecoder().decode(BertConfiguration.self, from: data)
    } catch let error as DecodingError {
      switch error {
      case .keyNotFound(let key, _):
        throw .invalidConfig(file: file, key: key.stringValue, reason: "required key is missing")
      case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
        throw .invalidConfig(
          file: file, key: context.codingPath.map(\.stringValue).joined(separator: "."),
          reason: "expected a value of type \(type)")
      case .dataCorrupted(let context):
        throw .invalidConfig(
          file: file, key: context.codingPath.map(\.stringValue).joined(separator: "."),
          reason: "not valid JSON: \(context.debugDescription)")
      @unknown default:
        throw .invalidConfig(file: file, key: "", reason: "\(error)")
      }
    } catch {
      throw .invalidConfig(file: file, key: "", reason: "\(error)")
    }
    try config.validate(file: file)
    return config
  }

  /// Checks value ranges and supported options.
  /// - Throws: ``EncoderError/invalidConfig(file:key:reason:)``.
  public func validate(file: String) throws(EncoderError) {
    func positive(_ value: Int, _ key: CodingKeys) throws(EncoderError) {
      guard value > 0 else {
        throw .invalidConfig(file: file, key: key.rawValue, reason: "must be positive, found \(value)")
      }
    }
    try positive(hiddenSize, .hiddenSize)
    try positive(layerCount, .layerCount)
    try positive(headCount, .headCount)
    try positive(intermediateSize, .intermediateSize)
    try positive(vocabSize, .vocabSize)
    try positive(maxPositionEmbeddings, .maxPositionEmbeddings)
    try positive(typeVocabSize, .typeVocabSize)
    guard hiddenSize % headCount == 0 else {
      throw .invalidConfig(
        file: file, key: CodingKeys.headCount.rawValue,
        reason: "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(headCount)")
    }
    guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
      throw .invalidConfig(
        file: file, key: CodingKeys.layerNormEpsilon.rawValue,
        reason: "must be positive and finite, found \(layerNormEpsilon)")
    }
    guard hiddenActivation == "gelu" else {
      throw .invalidConfig(
        file: file, key: CodingKeys.hiddenActivation.rawValue,
        reason: "only \"gelu\" (erf form) is supported, found \"\(hiddenActivation)\"")
    }
    guard positionEmbeddingType == "absolute" else {
      throw .invalidConfig(
        file: file, key: CodingKeys.positionEmbeddingType.rawValue,
        reason: "only \"absolute\" is supported, found \"\(positionEmbeddingType)\"")
    }
    guard padTokenID >= 0, padTokenID < vocabSize else {
      throw .invalidConfig(
        file: file, key: CodingKeys.padTokenID.rawValue,
        reason: "must be in 0..<vocab_size (\(vocabSize)), found \(padTokenID)")
    }
  }
}
