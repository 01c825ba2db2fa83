import Foundation
import Tensor
import Text

/// A BERT encoder (embeddings, `L` post-LayerNorm transformer layers with GELU FFNs), as
/// Hugging Face `BertModel` computes `last_hidden_state`.
///
/// Shapes: `B` batch size, `T` padded sequence length, `H` hidden size, `I` intermediate size,
/// `NH` heads of size `dh = H / NH`.
public struct BertModel<Scalar: BLASScalar>: Sendable {
  /// The validated configuration.
  public let configuration: BertConfiguration
  /// The weights, shapes checked against `configuration`.
  public let weights: BertWeights<Scalar>

  /// Rows per work item in the token-wise phases of ``forward(_:workers:)``. Large, because each
  /// item's GEMM packs the weight matrix again (OpenBLAS's copy routines took ~10% of a LoRA step at 512).
  public var rowsPerChunk = 2048

  /// The int8 linear maps when the model runs inference at ``Precision/int8`` (see `at(_:)`);
  /// training and merging always use the fp32 `weights`.
  public internal(set) var quantized: QuantizedLayers?

  /// The precision ``forward(_:hooks:throughLayer:workers:)`` computes in.
  public var precision: Precision { quantized == nil ? .fp32 : .int8 }

  /// The token rows split into work items of at most `rowsPerChunk` rows, and at least two from
  /// 1,024 rows up so both cores of a laptop work on mid-sized batches. Never a function of the
  /// worker count, so per-chunk partial sums, and with them the results, do not depend on it.
  /// (Chunk sizes can change the last bit of a row's output: splitting small inputs in two made a
  /// sharded `screen` + `merge` differ from the unsharded ranking in one digit, so they keep one.)
  func rowChunks(_ n: Int) -> [Range<Int>] {
    let parts = (n + rowsPerChunk - 1) / rowsPerChunk
    return Parallel.ranges(n, parts: n >= 1_024 ? max(2, parts) : max(1, parts))
  }

  /// Pairs a configuration with weights.
  /// - Throws: ``EncoderError/shapeMismatch(file:tensor:expected:found:)`` when they disagree.
  public init(configuration: BertConfiguration, weights: BertWeights<Scalar>) throws(EncoderError) {
    try weights.validate(against: configuration)
    self.configuration = configuration
    self.weights = weights
  }

  /// Loads `config.json` and `model.safetensors` from a checkpoint directory.
  /// - Throws: ``EncoderError`` for a missing directory or file, an invalid config, or a
  ///   checkpoint that does not match the config.
  public static func load(directory: URL) throws(EncoderError) -> BertModel {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw .fileNotFound(path: directory.path) }
    let config = try BertConfiguration.load(from: directory.appendingPathComponent("config.json"))
    let file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors"))
    return try BertModel(configuration: config, weights: BertWeights.load(from: file, configuration: config))
  }

  // MARK: - Forward

  /// The final hidden states, `[B, T, H]`, for a padded batch.
  ///
  /// Padding positions attend only to real tokens (like Hugging Face with the attention mask);
  /// their outputs are computed but meaningless. Work is split over `workers` threads (token-row
  /// chunks for the projections and FFN, `(sequence, head)` pairs for attention), each calling
  /// single-threaded BLAS; when `workers > 1` this sets OpenBLAS to one thread.
  ///
  /// - Throws: ``EncoderError/invalidInput(reason:)`` for ids out of range or `T` above
  ///   `max_position_embeddings`.
  @_specialize(exported: true, where Scalar == Float)
  public func forward(
    _ batch: TokenBatch, hooks: EncoderHooks<Scalar>? = nil, throughLayer limit: Int? = nil,
    workers: Int = Parallel.defaultWorkerCount
  ) throws(EncoderError) -> Tensor<Scalar> {
    // `throughLayer: n` stops after the first n layers (the input of layer n, for a cache).
    let layerLimit = min(limit ?? configuration.layerCount, configuration.layerCount)
    try validate(batch)
    if workers > 1 { BLASThreads.set(1) }
    let chunks = rowChunks(batch.batchSize * batch.sequenceLength)
    let w = max(1, min(workers, max(chunks.count, batch.batchSize * configuration.headCount)))
    let pass = EncoderPass(
      configuration, batch: batch, chunks: chunks, workers: w, hooks: hooks, dropout: nil, quantized: quantized)
    let s = pass.shape
    let buffers = ArenaView<InferenceBuffer, Scalar>(s, zeroed: true)
    let (x, qkv, context) = (buffers[.hidden], buffers[.qkv], buffers[.context])
    withWeightPointers { e, layers in
      // Token rows: the embeddings, then layer 0's QKV while the rows are in cache.
      Parallel.forEach(chunks.count, workers: w) { worker, ci in
        pass.embed(chunks[ci], e, into: x, saving: nil)
        if layerLimit > 0 { pass.projectQKV(0, layers[0], chunks[ci], x: x, qkv: qkv, worker: worker) }
      }
      for li in 0..<layerLimit {
        Parallel.forEach(s.batchSize * s.heads, workers: w) { worker, item in
          pass.attend(
            li, item: item, qkv: qkv, context: context, probabilities: nil,
            scratch: buffers[.scores] + worker * s.itemScratch)
        }
        // Token rows: the sub-layers, then the next layer's QKV for the same rows.
        Parallel.forEach(chunks.count, workers: w) { worker, ci in
          let r = chunks[ci]
          let branch = buffers[.rows] + worker * s.maxChunk * (s.h + s.inner)
          pass.sublayers(
            li, layers[li], r, context: context + r.lowerBound * s.h,
            .inPlace(hidden: x + r.lowerBound * s.h, branch: branch, mid: branch + s.maxChunk * s.h), worker: worker)
          if li + 1 < layerLimit { pass.projectQKV(li + 1, layers[li + 1], r, x: x, qkv: qkv, worker: worker) }
        }
      }
    }
    return Tensor(shape: [s.batchSize, s.t, s.h], scalars: buffers.array(.hidden, count: s.n * s.h))
  }

  /// Checks ids, types and length against the configuration.
  func validate(_ batch: TokenBatch) throws(EncoderError) {
    let c = configuration
    guard batch.sequenceLength <= c.maxPositionEmbeddings else {
      throw .invalidInput(
        reason: "sequence length \(batch.sequenceLength) exceeds max_position_embeddings \(c.maxPositionEmbeddings)")
    }
    if let bad = batch.inputIDs.first(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
      throw .invalidInput(reason: "token id \(bad) outside 0..<\(c.vocabSize)")
    }
    if let bad = batch.tokenTypeIDs.first(where: { $0 < 0 || Int($0) >= c.typeVocabSize }) {
      throw .invalidInput(reason: "token type id \(bad) outside 0..<\(c.typeVocabSize)")
    }
  }

  /// Calls `body` with base pointers to every weight tensor, valid for the duration of the call.
  func withWeightPointers<R>(
    _ body: (EmbeddingPointers<Scalar>, [LayerPointers<Scalar>]) -> R
  ) -> R {
    let tensors = weights.embeddings + weights.layers.flatMap(\.tensors)
    var pointers: [UnsafePointer<Scalar>] = []
    pointers.reserveCapacity(tensors.count)
    return withBasePointers(tensors[...], &pointers) { p in
      let (e, perLayer) = (EmbeddingTensor.allCases.count, LayerTensor.allCases.count)
      let layers = (0..<weights.layers.count).map { i in LayerPointers(pointers: Array(p[e + perLayer * i..<e + perLayer * (i + 1)])) }
      return body(EmbeddingPointers(pointers: Array(p[0..<e])), layers)
    }
  }
}

/// Nests `withUnsafeBufferPointer` over `tensors`, collecting base pointers, then calls `body`.
private func withBasePointers<S: BLASScalar, R>(
  _ tensors: ArraySlice<Tensor<S>>, _ pointers: inout [UnsafePointer<S>],
  _ body: ([UnsafePointer<S>]) -> R
) -> R {
  guard let first = tensors.first else { return body(pointers) }
  return first.withUnsafeBufferPointer { buffer in
    pointers.append(buffer.requiredBaseAddress)
    return withBasePointers(tensors.dropFirst(), &pointers, body)
  }
}

extension BertModel {
  /// The model converted to another scalar type (e.g. `Double` for checks).
  public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) throws(EncoderError) -> BertModel<Other> {
    var m = try BertModel<Other>(configuration: configuration, weights: weights.converted())
    m.rowsPerChunk = rowsPerChunk
    return m
  }
}
