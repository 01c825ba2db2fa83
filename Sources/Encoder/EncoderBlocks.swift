import Tensor

/// One pass of the encoder over a batch, and its blocks: embeddings, the QKV projection,
/// attention, the residual sub-layers (attention output, FFN) and each one's backward. Inference
/// and training run the same blocks; training hands them places to save activations (and applies
/// dropout), inference hands them none and so takes the fused paths.
///
/// Token-row blocks work on one chunk of rows (pointers to the chunk's first row, `rows` its global
/// indices); the attention block on one (sequence, head) item.
struct EncoderPass<Scalar: BLASScalar> {
  let shape: PassShape
  let batch: TokenBatch
  let hooks: EncoderHooks<Scalar>?
  let dropout: EncoderDropout?
  let epsilon: Scalar
  /// `1 / sqrt(dh)`.
  let scale: Scalar
  let lengths: [Int]
  /// The int8 linear maps (inference of a Float model at ``Precision/int8``) and their scratch.
  let quantized: (layers: QuantizedLayers, scratch: Int8Scratch)?
  /// Rows per FFN tile, or nil to run each chunk's FFN at once. int8 inference without hooks
  /// tiles: the `[tile, I]` activations the quantization reads twice then stay in cache, and
  /// integer products make a row's result the same in any tile. fp32 GEMMs keep their large M.
  let ffnTile: Int?

  init(
    _ c: BertConfiguration, batch: TokenBatch, chunks: [Range<Int>], workers: Int, hooks: EncoderHooks<Scalar>?,
    dropout: EncoderDropout?, quantized: QuantizedLayers? = nil
  ) {
    shape = PassShape(c, batch: batch, chunks: chunks, workers: workers, dropout: dropout)
    precondition(quantized == nil || Scalar.self == Float.self, "int8 inference runs Float models only")
    ffnTile = hooks == nil ? quantized?.ffnTileRows : nil
    let ffnRows = min(shape.maxChunk, ffnTile ?? shape.maxChunk)
    self.quantized = quantized.map { [shape] in ($0, Int8Scratch(shape, ffnRows: ffnRows)) }
    self.batch = batch
    self.hooks = hooks
    self.dropout = dropout
    epsilon = Scalar(c.layerNormEpsilon)
    scale = 1 / Scalar(c.headSize).squareRoot()
    lengths = batch.lengths
  }

  // MARK: Forward blocks

  /// `y = x Wᵀ` for `m` rows of a layer's linear map (`x` of width `k`, `y` of `n` columns at
  /// stride `ldy`): fp32 GEMM, or int8 when the pass runs a quantized model.
  func linear(
    _ li: Int, _ tensor: LayerTensor, _ l: LayerPointers<Scalar>, x: UnsafePointer<Scalar>, rows m: Int, k: Int, n: Int,
    into y: UnsafeMutablePointer<Scalar>, ldy: Int, worker: Int
  ) {
    guard let (layers, scratch) = quantized, let weight = layers.layers[li][tensor] else {
      gemm(.none, .transposed, m: m, n: n, k: k, x, lda: k, l[tensor], ldb: k, beta: 0, y, ldc: ldy)
      return
    }
    Int8Linear.linear(
      UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), rows: m, ldx: k, weight: weight,
      into: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), ldy: ldy, scratch: scratch.worker(worker))
  }

  /// `x = LN(word + position + type)` for token rows `rows`, then hidden dropout. Training keeps
  /// the sums and the LayerNorm statistics in `saved`.
  func embed(
    _ rows: Range<Int>, _ e: EmbeddingPointers<Scalar>, into x: UnsafeMutablePointer<Scalar>,
    saving saved: ArenaView<EmbeddingActivation, Scalar>?
  ) {
    let h = shape.h
    let sum = saved?[.sum] ?? x
    for row in rows {
      let v = sum + row * h
      v.update(from: e[.word] + Int(batch.inputIDs[row]) * h, count: h)
      Scalar.addBias(v, rows: 1, columns: h, bias: e[.position] + (row % shape.t) * h)
      Scalar.addBias(v, rows: 1, columns: h, bias: e[.type] + Int(batch.tokenTypeIDs[row]) * h)
    }
    let o = rows.lowerBound
    Scalar.layerNorm(
      sum + o * h, residual: nil, output: x + o * h, rows: rows.count, columns: h, gamma: e[.normWeight],
      beta: e[.normBias], epsilon: epsilon, mean: saved.map { $0[.mean] + o }, rstd: saved.map { $0[.rstd] + o })
    if let d = dropout { DropoutMasks.rows(x + o * h, rows, h, d, .embedding, 0) }
  }

  /// `qkv = x Wqkvᵀ + b` for rows `rows` of layer `li` (`x`, `qkv` at row 0), then the Q, K and V hooks.
  func projectQKV(
    _ li: Int, _ l: LayerPointers<Scalar>, _ rows: Range<Int>, x: UnsafePointer<Scalar>,
    qkv: UnsafeMutablePointer<Scalar>, worker: Int
  ) {
    let (h, h3, o) = (shape.h, shape.h3, rows.lowerBound)
    linear(li, .qkvWeight, l, x: x + o * h, rows: rows.count, k: h, n: h3, into: qkv + o * h3, ldy: h3, worker: worker)
    Scalar.addBias(qkv + o * h3, rows: rows.count, columns: h3, bias: l[.qkvBias])
    guard let hooks else { return }
    for (part, module) in [LinearModule.query, .key, .value].enumerated() {
      hooks.forward(
        LinearSite(layer: li, module: module),
        LinearRows(rows: rows, x: x + o * h, ldx: h, y: qkv + o * h3 + part * h, ldy: h3))
    }
  }

  /// One (sequence, head) item: `context = softmax(Q Kᵀ / sqrt(dh)) V` over the sequence's real
  /// keys (padding positions attend only to real tokens, like Hugging Face with the mask).
  /// Training keeps P in `probabilities` and weights V by drop(P), made in `scratch`; inference
  /// leaves P unnormalised in `scratch` and divides the narrower `[T, dh]` output instead.
  func attend(
    _ li: Int, item: Int, qkv: UnsafePointer<Scalar>, context: UnsafeMutablePointer<Scalar>,
    probabilities saved: UnsafeMutablePointer<Scalar>?, scratch: UnsafeMutablePointer<Scalar>
  ) {
    let (t, h, h3, dh) = (shape.t, shape.h, shape.h3, shape.dh)
    let (b, head) = (item / shape.heads, item % shape.heads)
    let keys = lengths[b]
    let q = qkv + b * t * h3 + head * dh
    let out = context + b * t * h + head * dh
    let p = saved ?? scratch
    gemm(.none, .transposed, m: t, n: keys, k: dh, q, lda: h3, q + h, ldb: h3, beta: 0, p, ldc: keys)
    guard saved != nil else {
      let sums = scratch + t * t
      Scalar.exponentiateRows(p, rows: t, columns: keys, stride: keys, scale: scale, rowSums: sums)
      gemm(.none, .none, m: t, n: dh, k: keys, p, lda: keys, q + 2 * h, ldb: h3, beta: 0, out, ldc: h)
      Scalar.divideRows(out, rows: t, columns: dh, stride: h, by: sums)
      return
    }
    Scalar.softmaxRows(p, rows: t, columns: keys, stride: keys, scale: scale)
    let used = DropoutMasks.dropped(p, into: scratch, rows: t, keys: keys, dropout: dropout, layer: li, item: item)
    gemm(.none, .none, m: t, n: dh, k: keys, used, lda: keys, q + 2 * h, ldb: h3, beta: 0, out, ldc: h)
  }

  /// Where the sub-layers of one chunk of rows read and write (each pointer at the chunk's first row).
  struct SublayerRows {
    /// The layer input (the attention sub-layer's residual).
    var input: UnsafePointer<Scalar>
    /// Attention output + input, the LayerNorm input; and the LayerNorm output (the FFN input).
    var norm1Input: UnsafeMutablePointer<Scalar>
    var norm1Output: UnsafeMutablePointer<Scalar>
    /// The FFN pre-activation, and a separate GELU output (training) or nil (GELU in place).
    var preActivation: UnsafeMutablePointer<Scalar>
    var activation: UnsafeMutablePointer<Scalar>?
    var norm2Input: UnsafeMutablePointer<Scalar>
    /// The layer output.
    var output: UnsafeMutablePointer<Scalar>
    /// LayerNorm statistics `(mean, rstd)` kept for the backward pass (training only).
    var norm1Statistics: (UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>)?
    var norm2Statistics: (UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>)?

    /// Inference: the hidden rows are updated in place; `branch` `[rows, H]` and `mid`
    /// `[rows, I]` are a worker's scratch.
    static func inPlace(
      hidden: UnsafeMutablePointer<Scalar>, branch: UnsafeMutablePointer<Scalar>, mid: UnsafeMutablePointer<Scalar>
    ) -> SublayerRows {
      SublayerRows(
        input: hidden, norm1Input: branch, norm1Output: hidden, preActivation: mid, activation: nil,
        norm2Input: branch, output: hidden)
    }

    /// Training: everything the backward pass reads goes to the layer's saved activations.
    static func saving(
      _ a: ArenaView<LayerActivation, Scalar>, rows: Range<Int>, output: UnsafeMutablePointer<Scalar>, h: Int,
      inner: Int
    ) -> SublayerRows {
      let o = rows.lowerBound
      return SublayerRows(
        input: a[.input] + o * h, norm1Input: a[.norm1Input] + o * h, norm1Output: a[.norm1Output] + o * h,
        preActivation: a[.preActivation] + o * inner, activation: a[.activation] + o * inner,
        norm2Input: a[.norm2Input] + o * h, output: output + o * h,
        norm1Statistics: (a[.norm1Mean] + o, a[.norm1Rstd] + o), norm2Statistics: (a[.norm2Mean] + o, a[.norm2Rstd] + o))
    }
  }

  /// The token-row half of layer `li` for one chunk: `y1 = LN1(input + ctx Woᵀ + bo)`, then
  /// `out = LN2(y1 + GELU(y1 Wiᵀ + bi) Wo2ᵀ + bo2)`. `context` points at the chunk's first row.
  func sublayers(
    _ li: Int, _ l: LayerPointers<Scalar>, _ rows: Range<Int>, context: UnsafePointer<Scalar>, _ s: SublayerRows,
    worker: Int
  ) {
    let h = shape.h
    residualNorm(
      LinearSite(layer: li, module: .attentionOutput), rows, x: context, width: h, l, .attentionOutputWeight,
      l[.attentionOutputBias], residual: s.input, branch: s.norm1Input, output: s.norm1Output,
      norm: (l[.attentionNormWeight], l[.attentionNormBias]), statistics: s.norm1Statistics, stream: .attentionOutput,
      worker: worker)
    // Training saves every row's activation, so only inference (no `s.activation`) tiles.
    let tile = s.activation == nil ? ffnTile ?? rows.count : rows.count
    for start in stride(from: 0, to: rows.count, by: max(1, tile)) {
      let part = (rows.lowerBound + start)..<min(rows.lowerBound + start + tile, rows.upperBound)
      feedForward(li, l, part, s, offset: start, reuseActivation: tile < rows.count, worker: worker)
    }
  }

  /// `out = LN2(y1 + GELU(y1 Wiᵀ + bi) Wo2ᵀ + bo2)` for `rows`, which start `offset` rows into
  /// the chunk `s` points at. `reuseActivation`: the FFN activation of every part goes to the
  /// start of `s.preActivation` (inference tiles), not to its own rows.
  private func feedForward(
    _ li: Int, _ l: LayerPointers<Scalar>, _ rows: Range<Int>, _ s: SublayerRows, offset o: Int, reuseActivation: Bool,
    worker: Int
  ) {
    let (h, inner) = (shape.h, shape.inner)
    let y1 = s.norm1Output + o * h
    // FFN up: u = y1 Wiᵀ + bi, then GELU (fused with the bias when nothing needs u itself).
    let (u, up) = (s.preActivation + (reuseActivation ? 0 : o * inner), LinearSite(layer: li, module: .intermediate))
    linear(li, .intermediateWeight, l, x: y1, rows: rows.count, k: h, n: inner, into: u, ldy: inner, worker: worker)
    let g: UnsafeMutablePointer<Scalar>
    if s.activation == nil, !(hooks?.sites.contains(up) ?? false) {
      Scalar.addBiasGELU(u, rows: rows.count, columns: inner, bias: l[.intermediateBias])
      g = u
    } else {
      Scalar.addBias(u, rows: rows.count, columns: inner, bias: l[.intermediateBias])
      hooks?.forward(up, LinearRows(rows: rows, x: y1, ldx: h, y: u, ldy: inner))
      g = s.activation.map { $0 + o * inner } ?? u
      if g != u { g.update(from: u, count: rows.count * inner) }
      Scalar.addBiasGELU(g, rows: rows.count, columns: inner, bias: nil)
    }
    residualNorm(
      LinearSite(layer: li, module: .output), rows, x: g, width: inner, l, .outputWeight, l[.outputBias],
      residual: y1, branch: s.norm2Input + o * h, output: s.output + o * h,
      norm: (l[.outputNormWeight], l[.outputNormBias]), statistics: s.norm2Statistics.map { ($0.0 + o, $0.1 + o) },
      stream: .ffnOutput, worker: worker)
  }

  /// A residual sub-layer's output rows: `branch = x Wᵀ + b` (with the site's hook), then
  /// `output = LN(residual + drop(branch))`. Training (with `statistics`) leaves the LayerNorm
  /// input in `branch`; inference fuses the residual add into the LayerNorm.
  private func residualNorm(
    _ site: LinearSite, _ rows: Range<Int>, x: UnsafePointer<Scalar>, width k: Int, _ l: LayerPointers<Scalar>,
    _ weight: LayerTensor, _ bias: UnsafePointer<Scalar>, residual: UnsafePointer<Scalar>,
    branch v: UnsafeMutablePointer<Scalar>, output: UnsafeMutablePointer<Scalar>,
    norm: (UnsafePointer<Scalar>, UnsafePointer<Scalar>),
    statistics: (UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>)?, stream: EncoderDropout.Stream, worker: Int
  ) {
    let (h, count) = (shape.h, rows.count)
    linear(site.layer, weight, l, x: x, rows: count, k: k, n: h, into: v, ldy: h, worker: worker)
    Scalar.addBias(v, rows: count, columns: h, bias: bias)
    hooks?.forward(site, LinearRows(rows: rows, x: x, ldx: k, y: v, ldy: h))
    guard let (mean, rstd) = statistics else {
      Scalar.layerNorm(
        v, residual: residual, output: output, rows: count, columns: h, gamma: norm.0, beta: norm.1, epsilon: epsilon,
        mean: nil, rstd: nil)
      return
    }
    if let d = dropout { DropoutMasks.rows(v, rows, h, d, stream, site.layer) }
    Scalar.addBias(v, rows: 1, columns: count * h, bias: residual)
    Scalar.layerNorm(
      v, residual: nil, output: output, rows: count, columns: h, gamma: norm.0, beta: norm.1, epsilon: epsilon,
      mean: mean, rstd: rstd)
  }
}

/// `C[m, n] = alpha op(A) op(B) + beta C`, tolerating empty dimensions.
@inline(__always)
func gemm<S: BLASScalar>(
  _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: S = 1,
  _ a: UnsafePointer<S>, lda: Int, _ b: UnsafePointer<S>, ldb: Int, beta: S,
  _ c: UnsafeMutablePointer<S>, ldc: Int
) {
  guard m > 0, n > 0 else { return }
  if k == 0 {
    if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
    return
  }
  S.gemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}
