import Foundation
import Tensor
import Text

/// Sentence embeddings from a BERT checkpoint directory, as sentence-transformers computes them
/// for all-MiniLM-L6-v2: tokenize (truncate to `maxLength`), encode, mean-pool over the
/// attention mask, L2-normalise.
///
/// Texts are sorted by token count and batched, each batch padded only to its own longest
/// sequence (dynamic padding), and results are returned in input order.
public struct SentenceEmbedder: Sendable {
  /// The tokenizer (from `vocab.txt`).
  public let tokenizer: BertTokenizer
  /// The encoder (from `config.json` and `model.safetensors`).
  public var model: BertModel<Float>
  /// Maximum tokens per text, special tokens included (sentence-transformers' `max_seq_length`).
  public var maxLength = 256
  /// Texts per forward pass.
  public var batchSize = 32
  /// The pooling.
  public var pooling = Pooling.mean
  /// Whether to L2-normalise the pooled vectors.
  public var normalize = true
  /// Worker threads for the forward pass.
  public var workers = Parallel.defaultWorkerCount
  /// Replaces `model.forward` (an adapted encoder whose adapters cannot be merged).
  public var forward: (@Sendable (TokenBatch) throws(EncoderError) -> Tensor<Float>)?

  /// Pairs a tokenizer and a model.
  /// - Throws: ``EncoderError/vocabularyMismatch(vocabularyFile:tokens:configVocabSize:)`` when
  ///   the vocabulary has more tokens than the model has embeddings.
  public init(tokenizer: BertTokenizer, model: BertModel<Float>) throws(EncoderError) {
    guard tokenizer.vocabulary.count <= model.configuration.vocabSize else {
      throw .vocabularyMismatch(
        vocabularyFile: tokenizer.vocabulary.source, tokens: tokenizer.vocabulary.count,
        configVocabSize: model.configuration.vocabSize)
    }
    self.tokenizer = tokenizer
    self.model = model
    self.maxLength = min(maxLength, model.configuration.maxPositionEmbeddings)
  }

  /// Loads `vocab.txt`, `config.json` and `model.safetensors` from `directory`.
  /// - Throws: ``EncoderError`` naming the missing or invalid file.
  public init(directory: URL) throws(EncoderError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw .fileNotFound(path: directory.path) }
    let tokenizer: BertTokenizer
    do {
      tokenizer = try BertTokenizer(vocabularyURL: directory.appendingPathComponent("vocab.txt"))
    } catch {
      throw .tokenizer(error)
    }
    try self.init(tokenizer: tokenizer, model: BertModel<Float>.load(directory: directory))
  }

  /// The embedding dimension.
  public var dimension: Int { model.configuration.hiddenSize }

  /// Embeds texts; returns one `[H]` vector per text, in input order.
  /// - Throws: ``EncoderError`` for invalid settings.
  public func embed(_ texts: [String]) throws(EncoderError) -> [[Float]] {
    var encodings: [Encoding] = []
    encodings.reserveCapacity(texts.count)
    for text in texts {
      do { encodings.append(try tokenizer.encode(text, maxLength: maxLength)) } catch {
        throw .tokenizer(error)
      }
    }
    return try embed(encodings: encodings)
  }

  /// Embeds pre-tokenized inputs (dynamic padding by length); one `[H]` vector each, in order.
  /// - Throws: ``EncoderError`` for invalid settings or ids.
  public func embed(encodings: [Encoding]) throws(EncoderError) -> [[Float]] {
    guard batchSize > 0 else { throw .invalidInput(reason: "batch size \(batchSize) must be positive") }
    let order = encodings.indices.sorted { (encodings[$0].count, $0) > (encodings[$1].count, $1) }
    var out = [[Float]](repeating: [], count: encodings.count)
    var start = 0
    while start < order.count {
      let idx = Array(order[start..<min(start + batchSize, order.count)])
      let batch = try TokenBatch(encodings: idx.map { encodings[$0] }, paddingID: tokenizer.paddingID)
      let hidden: Tensor<Float>
      if let forward { hidden = try forward(batch) } else { hidden = try model.forward(batch, workers: workers) }
      var pooled = Pool.apply(pooling, hidden, lengths: batch.lengths)
      if normalize { pooled = Pool.l2Normalized(pooled) }
      let h = dimension
      for (row, i) in idx.enumerated() {
        out[i] = Array(pooled.scalars[row * h..<(row + 1) * h])
      }
      start += batchSize
      // csmed keeps freed blocks in the heap (AllocatorTuning, for the train steps' reuse), and
      // int8 passes free buffers of many sizes (oneDNN's packing, per-chunk scratch), which then
      // fragment it: a 5,120-record screen peaked at 1.6-1.9 GB with 255 MB live. Trimming after
      // every batch cost 15% of the time (the pages fault back in); every eighth costs ~nothing.
      if model.precision == .int8, (start / batchSize) % 8 == 0 || start >= order.count {
        AllocatorTuning.releaseFreeMemory()
      }
    }
    return out
  }
}
