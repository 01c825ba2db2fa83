import Tensor

/// The backward blocks of ``EncoderPass``, in the order a layer runs them: FFN, attention
/// output, attention core, QKV projection; then the embeddings.
///
/// Token-row work is split over the pass's chunks; weight gradients over their output rows (no
/// reduction across workers); LayerNorm parameter gradients are summed per chunk and then in
/// chunk order. So no result depends on the worker count.
extension EncoderPass {
  /// One layer's backward pass: reads dL/d(layer output) from `g[.hidden]` and leaves
  /// dL/d(layer input) there (when `needsInputGradient`); adds dense gradients into `dense`.
  func layerBackward(
    _ li: Int, _ l: LayerPointers<Scalar>, saved a: ArenaView<LayerActivation, Scalar>,
    _ g: ArenaView<BackwardBuffer, Scalar>, dense gl: LayerGradientPointers<Scalar>?, needsInputGradient: Bool
  ) {
    feedForwardBackward(li, l, a, g, gl)
    attentionOutputBackward(li, l, a, g, gl)
    attentionBackward(li, a, g)
    qkvBackward(li, l, a, g, gl, needsInputGradient: needsInputGradient)
  }

  /// LayerNorm 2 and the FFN: dL/d(output) in `g[.hidden]` → dL/d(norm1 output) in `g[.norm1Output]`,
  /// leaving dL/d(norm2 input) in `g[.normInput]`.
  private func feedForwardBackward(
    _ li: Int, _ l: LayerPointers<Scalar>, _ a: ArenaView<LayerActivation, Scalar>,
    _ g: ArenaView<BackwardBuffer, Scalar>, _ gl: LayerGradientPointers<Scalar>?
  ) {
    let (h, inner, n, chunks) = (shape.h, shape.inner, shape.n, shape.chunks)
    let (dv, dAct, dy1) = (g[.normInput], g[.activation], g[.norm1Output])
    let (down, up) = (LinearSite(layer: li, module: .output), LinearSite(layer: li, module: .intermediate))
    normBackward(a[.norm2Input], a[.norm2Mean], a[.norm2Rstd], l[.outputNormWeight], g[.hidden], dv, g,
      gl?[.outputNormWeight], gl?[.outputNormBias])
    // FFN down: v2 = act Wo2ᵀ + bo2 + y1.
    let dDown = branchGradient(dv, .ffnOutput, li, g)
    if let gl {
      linearWeightGradients(dY: dDown, x: a[.activation], out: h, in: inner, gl[.outputWeight], gl[.outputBias], g)
    }
    // dAct = dDown Wo2 (+ an adapter's branch, which needs all rows first), then through GELU.
    let downHooked = hooks?.sites.contains(down) ?? false
    func downInputGradient(_ o: Int, _ rows: Int) {
      gemm(.none, .none, m: rows, n: inner, k: h, dDown + o * h, lda: h, l[.outputWeight], ldb: inner, beta: 0,
        dAct + o * inner, ldc: inner)
    }
    if downHooked {
      Parallel.forEach(chunks.count, workers: shape.workers) { _, ci in downInputGradient(chunks[ci].lowerBound, chunks[ci].count) }
      hooks?.backward(down, LinearGradient(rowCount: n, x: a[.activation], ldx: inner, dY: dDown, ldy: h, dX: dAct, lddx: inner))
    }
    Parallel.forEach(chunks.count, workers: shape.workers) { _, ci in
      let (o, rows) = (chunks[ci].lowerBound, chunks[ci].count)
      if !downHooked { downInputGradient(o, rows) }
      Scalar.geluBackward(a[.preActivation] + o * inner, dAct + o * inner, dAct + o * inner, count: rows * inner)
      // dy1 = dv (residual) + dU Wi
      (dy1 + o * h).update(from: dv + o * h, count: rows * h)
      gemm(.none, .none, m: rows, n: h, k: inner, dAct + o * inner, lda: inner, l[.intermediateWeight], ldb: h, beta: 1,
        dy1 + o * h, ldc: h)
    }
    hooks?.backward(up, LinearGradient(rowCount: n, x: a[.norm1Output], ldx: h, dY: dAct, ldy: inner, dX: dy1, lddx: h))
    // FFN up: u = y1 Wiᵀ + bi.
    if let gl {
      linearWeightGradients(
        dY: dAct, x: a[.norm1Output], out: inner, in: h, gl[.intermediateWeight], gl[.intermediateBias], g)
    }
  }

  /// LayerNorm 1 and the attention output projection: dL/d(norm1 output) → dL/d(context) in
  /// `g[.context]`, leaving dL/d(norm1 input) in `g[.normInput]` (the residual's gradient).
  private func attentionOutputBackward(
    _ li: Int, _ l: LayerPointers<Scalar>, _ a: ArenaView<LayerActivation, Scalar>,
    _ g: ArenaView<BackwardBuffer, Scalar>, _ gl: LayerGradientPointers<Scalar>?
  ) {
    let (h, n, chunks) = (shape.h, shape.n, shape.chunks)
    let (dv, dctx) = (g[.normInput], g[.context])
    normBackward(a[.norm1Input], a[.norm1Mean], a[.norm1Rstd], l[.attentionNormWeight], g[.norm1Output], dv, g,
      gl?[.attentionNormWeight], gl?[.attentionNormBias])
    // v1 = ctx Woᵀ + bo + input.
    let dAttention = branchGradient(dv, .attentionOutput, li, g)
    if let gl {
      linearWeightGradients(
        dY: dAttention, x: a[.context], out: h, in: h, gl[.attentionOutputWeight], gl[.attentionOutputBias], g)
    }
    Parallel.forEach(chunks.count, workers: shape.workers) { _, ci in
      let (o, rows) = (chunks[ci].lowerBound, chunks[ci].count)
      gemm(.none, .none, m: rows, n: h, k: h, dAttention + o * h, lda: h, l[.attentionOutputWeight], ldb: h, beta: 0,
        dctx + o * h, ldc: h)
    }
    hooks?.backward(
      LinearSite(layer: li, module: .attentionOutput),
      LinearGradient(rowCount: n, x: a[.context], ldx: h, dY: dAttention, ldy: h, dX: dctx, lddx: h))
  }

  /// The attention core per (sequence, head) item: dL/d(context) → dL/d(Q, K, V) in `g[.qkv]`.
  private func attentionBackward(_ li: Int, _ a: ArenaView<LayerActivation, Scalar>, _ g: ArenaView<BackwardBuffer, Scalar>) {
    let (t, h, h3, dh, heads) = (shape.t, shape.h, shape.h3, shape.dh, shape.heads)
    let (qkv, dqkv, dctx) = (a[.qkv], g[.qkv], g[.context])
    // Padded keys get no gradient, so the rows they would have are zero.
    dqkv.update(repeating: 0, count: shape.n * h3)
    Parallel.forEach(shape.batchSize * heads, workers: shape.workers) { worker, item in
      let (b, head) = (item / heads, item % heads)
      let keys = lengths[b]
      let off = b * t * h3 + head * dh
      let (q, k, v) = (qkv + off, qkv + off + h, qkv + off + 2 * h)
      let (dQ, dK, dV) = (dqkv + off, dqkv + off + h, dqkv + off + 2 * h)
      let p = a[.probabilities] + item * t * t
      let dOut = dctx + b * t * h + head * dh
      let dp = g[.probabilities] + worker * t * t
      // ctx = P' V with P' = drop(P) (or P): dP' = dOut Vᵀ, dV = P'ᵀ dOut, dP = dP' ⊙ mask.
      let used = DropoutMasks.dropped(
        p, into: g[.droppedProbabilities] + worker * t * t, rows: t, keys: keys, dropout: dropout, layer: li, item: item)
      gemm(.none, .transposed, m: t, n: keys, k: dh, dOut, lda: h, v, ldb: h3, beta: 0, dp, ldc: keys)
      if let d = dropout, d.attention > 0 {
        DropoutMasks.attention(dp, rows: t, keys: keys, dropout: d, layer: li, item: item)
      }
      gemm(.transposed, .none, m: keys, n: dh, k: t, used, lda: keys, dOut, ldb: h, beta: 0, dV, ldc: h3)
      // P = softmax(scale Q Kᵀ): dS; dQ = scale dS K; dK = scale dSᵀ Q.
      Scalar.softmaxBackward(p, dp, dp, rows: t, columns: keys)
      gemm(.none, .none, m: t, n: dh, k: keys, alpha: scale, dp, lda: keys, k, ldb: h3, beta: 0, dQ, ldc: h3)
      gemm(.transposed, .none, m: keys, n: dh, k: t, alpha: scale, dp, lda: keys, q, ldb: h3, beta: 0, dK, ldc: h3)
    }
  }

  /// The QKV projection: dL/d(Q, K, V) (+ the residual's dL/d(norm1 input)) → dL/d(layer input)
  /// in `g[.hidden]`. The lowest layer's input gradient is needed only for the embeddings.
  private func qkvBackward(
    _ li: Int, _ l: LayerPointers<Scalar>, _ a: ArenaView<LayerActivation, Scalar>,
    _ g: ArenaView<BackwardBuffer, Scalar>, _ gl: LayerGradientPointers<Scalar>?, needsInputGradient: Bool
  ) {
    let (h, h3, n, chunks) = (shape.h, shape.h3, shape.n, shape.chunks)
    let (dx, dv, dqkv, input) = (g[.hidden], g[.normInput], g[.qkv], a[.input])
    if let gl { linearWeightGradients(dY: dqkv, x: input, out: h3, in: h, gl[.qkvWeight], gl[.qkvBias], g) }
    if needsInputGradient {
      Parallel.forEach(chunks.count, workers: shape.workers) { _, ci in
        let (o, rows) = (chunks[ci].lowerBound, chunks[ci].count)
        // dx = dv (residual) + dQKV Wqkv
        (dx + o * h).update(from: dv + o * h, count: rows * h)
        gemm(.none, .none, m: rows, n: h, k: h3, dqkv + o * h3, lda: h3, l[.qkvWeight], ldb: h, beta: 1, dx + o * h, ldc: h)
      }
    }
    for (part, module) in [LinearModule.query, .key, .value].enumerated() {
      hooks?.backward(
        LinearSite(layer: li, module: module),
        LinearGradient(rowCount: n, x: input, ldx: h, dY: dqkv + part * h, ldy: h3, dX: dx, lddx: h))
    }
  }

  /// The embeddings: dL/d(embedding output) in `g[.hidden]` → through dropout and the LayerNorm
  /// to the word-embedding hook, and, with `dense`, scattered into the tables (sequentially: rows
  /// of one token collide).
  func embeddingBackward(
    _ e: EmbeddingPointers<Scalar>, saved s: ArenaView<EmbeddingActivation, Scalar>,
    _ g: ArenaView<BackwardBuffer, Scalar>, dense: UnsafeMutablePointer<Scalar>?, layout wl: WeightLayout
  ) {
    let (h, t, chunks) = (shape.h, shape.t, shape.chunks)
    let (dx, dv) = (g[.hidden], g[.normInput])
    if let d = dropout, d.hidden > 0 {
      Parallel.forEach(chunks.count, workers: shape.workers) { _, ci in
        DropoutMasks.rows(dx + chunks[ci].lowerBound * h, chunks[ci], h, d, .embedding, 0)
      }
    }
    func table(_ e: EmbeddingTensor) -> UnsafeMutablePointer<Scalar>? { dense.map { $0 + wl.embeddings[e.rawValue] } }
    normBackward(s[.sum], s[.mean], s[.rstd], e[.normWeight], dx, dv, g, table(.normWeight), table(.normBias))
    hooks?.wordEmbeddingBackward?(dv, batch.inputIDs)
    guard let word = table(.word), let position = table(.position), let type = table(.type) else { return }
    for row in 0..<shape.n {
      let d = dv + row * h
      Scalar.addBias(word + Int(batch.inputIDs[row]) * h, rows: 1, columns: h, bias: d)
      Scalar.addBias(position + (row % t) * h, rows: 1, columns: h, bias: d)
      Scalar.addBias(type + Int(batch.tokenTypeIDs[row]) * h, rows: 1, columns: h, bias: d)
    }
  }

  // MARK: Shared steps

  /// LayerNorm backward over all rows: `dv` from `dy`; γ and β gradients added when given.
  private func normBackward(
    _ v: UnsafePointer<Scalar>, _ mean: UnsafePointer<Scalar>, _ rstd: UnsafePointer<Scalar>,
    _ gamma: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>, _ dv: UnsafeMutablePointer<Scalar>,
    _ g: ArenaView<BackwardBuffer, Scalar>, _ dGamma: UnsafeMutablePointer<Scalar>?,
    _ dBeta: UnsafeMutablePointer<Scalar>?
  ) {
    let (h, chunks, partials) = (shape.h, shape.chunks, g[.normPartials])
    partials.update(repeating: 0, count: chunks.count * 2 * h)
    Parallel.forEach(chunks.count, workers: shape.workers) { _, ci in
      let (o, rows) = (chunks[ci].lowerBound, chunks[ci].count)
      Scalar.layerNormBackward(
        v + o * h, mean: mean + o, rstd: rstd + o, gamma: gamma, dy + o * h, dv + o * h, dGamma: partials + ci * 2 * h,
        dBeta: partials + ci * 2 * h + h, rows: rows, columns: h)
    }
    guard let dGamma, let dBeta else { return }
    for ci in 0..<chunks.count {
      Scalar.addBias(dGamma, rows: 1, columns: h, bias: partials + ci * 2 * h)
      Scalar.addBias(dBeta, rows: 1, columns: h, bias: partials + ci * 2 * h + h)
    }
  }

  /// `dW[out, in] += dYᵀ X` and `db[out] += Σ dY`, split over output rows.
  private func linearWeightGradients(
    dY: UnsafePointer<Scalar>, x: UnsafePointer<Scalar>, out: Int, in inDim: Int, _ dW: UnsafeMutablePointer<Scalar>,
    _ db: UnsafeMutablePointer<Scalar>, _ g: ArenaView<BackwardBuffer, Scalar>
  ) {
    let (n, ones) = (shape.n, g[.ones])
    // Fixed blocking (not a function of the workers), so the result does not depend on them;
    // ~192-row blocks: a full step went from about 2.0k to 2.1k tokens/s against 64-row ones.
    let blocks = Parallel.ranges(out, parts: max(1, out / 192))
    Parallel.forEach(blocks.count, workers: shape.workers) { _, bi in
      let r = blocks[bi]
      gemm(.transposed, .none, m: r.count, n: inDim, k: n, dY + r.lowerBound, lda: out, x, ldb: inDim, beta: 1,
        dW + r.lowerBound * inDim, ldc: inDim)
      gemm(.none, .none, m: 1, n: r.count, k: n, ones, lda: n, dY + r.lowerBound, ldb: out, beta: 1, db + r.lowerBound,
        ldc: out)
    }
  }

  /// `dv`, or a masked copy of it when hidden dropout was applied to the sub-layer `stream`.
  private func branchGradient(
    _ dv: UnsafeMutablePointer<Scalar>, _ stream: EncoderDropout.Stream, _ layer: Int,
    _ g: ArenaView<BackwardBuffer, Scalar>
  ) -> UnsafeMutablePointer<Scalar> {
    guard let d = dropout, d.hidden > 0 else { return dv }
    let (h, chunks, masked) = (shape.h, shape.chunks, g[.maskedBranch])
    masked.update(from: dv, count: shape.n * h)
    Parallel.forEach(chunks.count, workers: shape.workers) { _, ci in
      DropoutMasks.rows(masked + chunks[ci].lowerBound * h, chunks[ci], h, d, stream, layer)
    }
    return masked
  }
}
