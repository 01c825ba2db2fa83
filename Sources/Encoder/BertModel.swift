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
    let c = configuration
    let (bCount, t) = (batch.batchSize, batch.sequenceLength)
    try validate(batch)
    if workers > 1 { BLASThreads.set(1) }
    let (h, inner, heads) = (c.hiddenSize, c.intermediateSize, c.headCount)
    let dh = c.headSize
    let n = bCount * t
    let h3 = 3 * h
    let eps = Scalar(c.layerNormEpsilon)
    let chunks = rowChunks(n)
    let maxChunk = chunks.map(\.count).max() ?? 0
    let w = max(1, min(workers, max(chunks.count, bCount * heads)))
    let scale = 1 / Scalar(dh).squareRoot()
    let lengths = batch.lengths

    var x = [Scalar](repeating: 0, count: n * h)
    var qkv = [Scalar](repeating: 0, count: n * h3)
    var context = [Scalar](repeating: 0, count: n * h)
    var scratchRows = [Scalar](repeating: 0, count: w * maxChunk * (h + inner))
    var scores = [Scalar](repeating: 0, count: w * (t * t + t))

    withWeightPointers { e, layers in
      x.withUnsafeMutableBufferPointer { xb in
        qkv.withUnsafeMutableBufferPointer { qb in
          context.withUnsafeMutableBufferPointer { cb in
            scratchRows.withUnsafeMutableBufferPointer { sb in
              scores.withUnsafeMutableBufferPointer { pb in
                let (x, qkv, context) = (xb.requiredBaseAddress, qb.requiredBaseAddress, cb.requiredBaseAddress)
                let (scratchRows, scores) = (sb.requiredBaseAddress, pb.requiredBaseAddress)

                /// `qkv[rows] = x[rows] · Wqkvᵀ + b` for the layer `li`.
                func projectQKV(_ li: Int, _ r: Range<Int>) {
                  let l = layers[li]
                  Scalar.gemm(
                    .none, .transposed, m: r.count, n: h3, k: h, alpha: 1, a: x + r.lowerBound * h, lda: h,
                    b: l.qkvWeight, ldb: h, beta: 0, c: qkv + r.lowerBound * h3, ldc: h3)
                  Scalar.addBias(qkv + r.lowerBound * h3, rows: r.count, columns: h3, bias: l.qkvBias)
                  if let hooks {
                    for (part, m) in [LinearModule.query, .key, .value].enumerated() {
                      hooks.forward(
                        LinearSite(layer: li, module: m),
                        LinearRows(
                          rows: r, x: x + r.lowerBound * h, ldx: h, y: qkv + r.lowerBound * h3 + part * h, ldy: h3))
                    }
                  }
                }

                // Phase 0 (token rows): embeddings (word + position + type, LayerNorm), layer 0's QKV.
                Parallel.forEach(chunks.count, workers: w) { _, ci in
                  for r in chunks[ci] {
                    let row = x + r * h
                    row.update(from: e.word + Int(batch.inputIDs[r]) * h, count: h)
                    Scalar.addBias(row, rows: 1, columns: h, bias: e.position + (r % t) * h)
                    Scalar.layerNorm(
                      row, residual: e.type + Int(batch.tokenTypeIDs[r]) * h, output: row, rows: 1, columns: h,
                      gamma: e.normWeight, beta: e.normBias, epsilon: eps, mean: nil, rstd: nil)
                  }
                  if layerLimit > 0 { projectQKV(0, chunks[ci]) }
                }
                for (li, l) in layers.enumerated() where li < layerLimit {
                  // Phase 1 (sequence, head): context = softmax(Q Kᵀ / sqrt(dh)) V over the valid keys.
                  Parallel.forEach(bCount * heads, workers: w) { worker, item in
                    let (b, head) = (item / heads, item % heads)
                    let keys = lengths[b]
                    let q = qkv + b * t * h3 + head * dh
                    let s = scores + worker * (t * t + t)
                    let sums = s + t * t
                    let out = context + b * t * h + head * dh
                    Scalar.gemm(
                      .none, .transposed, m: t, n: keys, k: dh, alpha: 1, a: q, lda: h3, b: q + h, ldb: h3,
                      beta: 0, c: s, ldc: keys)
                    // Unnormalised softmax; the division by the row sums is applied to the [T, dh] output.
                    Scalar.exponentiateRows(s, rows: t, columns: keys, stride: keys, scale: scale, rowSums: sums)
                    Scalar.gemm(
                      .none, .none, m: t, n: dh, k: keys, alpha: 1, a: s, lda: keys, b: q + 2 * h, ldb: h3,
                      beta: 0, c: out, ldc: h)
                    Scalar.divideRows(out, rows: t, columns: dh, stride: h, by: sums)
                  }
                  // Phase 2 (token rows): x = LN(x + ctx Woᵀ + bo); x = LN(x + GELU(x Wiᵀ + bi) Wo2ᵀ + bo2);
                  // then the next layer's QKV for the same rows while they are in cache.
                  let next = li + 1 < layerLimit ? li + 1 : nil
                  Parallel.forEach(chunks.count, workers: w) { worker, ci in
                    let r = chunks[ci]
                    let rows = r.count
                    let xr = x + r.lowerBound * h
                    let tmp = scratchRows + worker * maxChunk * (h + inner)
                    let mid = tmp + maxChunk * h
                    Scalar.gemm(
                      .none, .transposed, m: rows, n: h, k: h, alpha: 1, a: context + r.lowerBound * h, lda: h,
                      b: l.attentionOutputWeight, ldb: h, beta: 0, c: tmp, ldc: h)
                    Scalar.addBias(tmp, rows: rows, columns: h, bias: l.attentionOutputBias)
                    hooks?.forward(
                      LinearSite(layer: li, module: .attentionOutput),
                      LinearRows(rows: r, x: context + r.lowerBound * h, ldx: h, y: tmp, ldy: h))
                    Scalar.layerNorm(
                      tmp, residual: xr, output: xr, rows: rows, columns: h, gamma: l.attentionNormWeight,
                      beta: l.attentionNormBias, epsilon: eps, mean: nil, rstd: nil)
                    Scalar.gemm(
                      .none, .transposed, m: rows, n: inner, k: h, alpha: 1, a: xr, lda: h,
                      b: l.intermediateWeight, ldb: h, beta: 0, c: mid, ldc: inner)
                    let upSite = LinearSite(layer: li, module: .intermediate)
                    if let hooks, hooks.sites.contains(upSite) {
                      Scalar.addBias(mid, rows: rows, columns: inner, bias: l.intermediateBias)
                      hooks.forward(upSite, LinearRows(rows: r, x: xr, ldx: h, y: mid, ldy: inner))
                      Scalar.addBiasGELU(mid, rows: rows, columns: inner, bias: nil)
                    } else {
                      Scalar.addBiasGELU(mid, rows: rows, columns: inner, bias: l.intermediateBias)
                    }
                    Scalar.gemm(
                      .none, .transposed, m: rows, n: h, k: inner, alpha: 1, a: mid, lda: inner,
                      b: l.outputWeight, ldb: inner, beta: 0, c: tmp, ldc: h)
                    Scalar.addBias(tmp, rows: rows, columns: h, bias: l.outputBias)
                    hooks?.forward(
                      LinearSite(layer: li, module: .output), LinearRows(rows: r, x: mid, ldx: inner, y: tmp, ldy: h))
                    Scalar.layerNorm(
                      tmp, residual: xr, output: xr, rows: rows, columns: h, gamma: l.outputNormWeight,
                      beta: l.outputNormBias, epsilon: eps, mean: nil, rstd: nil)
                    if let next { projectQKV(next, r) }
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [bCount, t, h], scalars: x)
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
    let w = weights
    var tensors = [
      w.wordEmbeddings, w.positionEmbeddings, w.tokenTypeEmbeddings, w.embeddingNormWeight,
      w.embeddingNormBias,
    ]
    for l in w.layers {
      tensors += [
        l.qkvWeight, l.qkvBias, l.attentionOutputWeight, l.attentionOutputBias,
        l.attentionNormWeight, l.attentionNormBias, l.intermediateWeight, l.intermediateBias,
        l.outputWeight, l.outputBias, l.outputNormWeight, l.outputNormBias,
      ]
    }
    var pointers: [UnsafePointer<Scalar>] = []
    pointers.reserveCapacity(tensors.count)
    return withBasePointers(tensors[...], &pointers) { p in
      let e = EmbeddingPointers(word: p[0], position: p[1], type: p[2], normWeight: p[3], normBias: p[4])
      let layers = (0..<w.layers.count).map { i in
        let q = p[5 + 12 * i..<5 + 12 * (i + 1)].map { $0 }
        return LayerPointers(
          qkvWeight: q[0], qkvBias: q[1], attentionOutputWeight: q[2], attentionOutputBias: q[3],
          attentionNormWeight: q[4], attentionNormBias: q[5], intermediateWeight: q[6],
          intermediateBias: q[7], outputWeight: q[8], outputBias: q[9], outputNormWeight: q[10],
          outputNormBias: q[11])
      }
      return body(e, layers)
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

/// Base pointers of the embedding weights during a forward pass.
struct EmbeddingPointers<S: BLASScalar> {
  let word, position, type, normWeight, normBias: UnsafePointer<S>
}

/// Base pointers of one layer's weights during a forward pass.
struct LayerPointers<S: BLASScalar> {
  let qkvWeight, qkvBias, attentionOutputWeight, attentionOutputBias: UnsafePointer<S>
  let attentionNormWeight, attentionNormBias, intermediateWeight, intermediateBias: UnsafePointer<S>
  let outputWeight, outputBias, outputNormWeight, outputNormBias: UnsafePointer<S>
}

extension BertModel {
  /// The model converted to another scalar type (e.g. `Double` for checks).
  public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) throws(EncoderError) -> BertModel<Other> {
    var m = try BertModel<Other>(configuration: configuration, weights: weights.converted())
    m.rowsPerChunk = rowsPerChunk
    return m
  }
}
