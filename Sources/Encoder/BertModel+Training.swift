import Tensor

/// Everything ``BertModel/backward(_:outputGradient:workers:)`` needs from a forward pass.
public struct BertActivations<Scalar: BLASScalar>: Sendable {
  /// The batch that was encoded.
  public let batch: TokenBatch
  /// The final hidden states `[B, T, H]`.
  public let output: Tensor<Scalar>
  /// The embedding block's sums and LayerNorm statistics (when the pass started at the embeddings).
  let embeddings: ArenaView<EmbeddingActivation, Scalar>?
  /// Per layer run, from `firstLayer` up.
  let layers: [ArenaView<LayerActivation, Scalar>]
  /// The dropout the forward pass applied (its masks are regenerated from the seed).
  let dropout: EncoderDropout?
  /// The first layer run (0, or the layer whose input came from a cache).
  let firstLayer: Int
}

extension BertModel {
  /// The forward pass of ``forward(_:workers:)`` that also saves what the backward pass needs
  /// (``LayerActivation``). Parallel like the inference pass.
  ///
  /// `startingAt`: the input of a layer (from a cache of the frozen layers below it); the
  /// embeddings and lower layers are skipped and get no gradient.
  ///
  /// - Throws: ``EncoderError/invalidInput(reason:)`` as ``forward(_:workers:)``.
  @_specialize(exported: true, where Scalar == Float)
  public func forwardTraining(
    _ batch: TokenBatch, hooks: EncoderHooks<Scalar>? = nil, dropout: EncoderDropout? = nil,
    startingAt first: (layer: Int, input: Tensor<Scalar>)? = nil, workers: Int = Parallel.defaultWorkerCount
  ) throws(EncoderError) -> BertActivations<Scalar> {
    let firstLayer = first?.layer ?? 0
    if let first {
      guard (0..<configuration.layerCount).contains(first.layer),
        first.input.shape == [batch.batchSize, batch.sequenceLength, configuration.hiddenSize]
      else {
        throw .invalidInput(reason: "cached input \(first.input.shape) for layer \(first.layer) does not fit the batch")
      }
    }
    try validate(batch)
    if workers > 1 { BLASThreads.set(1) }
    let chunks = rowChunks(batch.batchSize * batch.sequenceLength)
    let pass = EncoderPass(configuration, batch: batch, chunks: chunks, workers: workers, hooks: hooks, dropout: dropout)
    let s = pass.shape
    // The hidden states become the output tensor without a copy.
    var hidden = [Scalar](repeating: 0, count: s.n * s.h)
    let embeddings = firstLayer == 0 ? ArenaView<EmbeddingActivation, Scalar>(s, zeroed: false) : nil
    let scratch = ScalarArena<Scalar>(count: (dropout?.attention ?? 0) > 0 ? s.workers * s.t * s.t : 1, zeroed: false)
    var saved: [ArenaView<LayerActivation, Scalar>] = []
    hidden.withUnsafeMutableBufferPointer { hb in
      let x = hb.requiredBaseAddress
      withWeightPointers { e, layers in
        if let first {
          first.input.withUnsafeBufferPointer { x.update(from: $0.requiredBaseAddress, count: s.n * s.h) }
        }
        if let embeddings {
          Parallel.forEach(chunks.count, workers: s.workers) { _, ci in pass.embed(chunks[ci], e, into: x, saving: embeddings) }
        }
        for li in firstLayer..<configuration.layerCount {
          // Every element that is read later is written first, so the activations are not zero-filled.
          let a = ArenaView<LayerActivation, Scalar>(s, zeroed: false)
          a[.input].update(from: x, count: s.n * s.h)
          Parallel.forEach(chunks.count, workers: s.workers) { worker, ci in
            pass.projectQKV(li, layers[li], chunks[ci], x: a[.input], qkv: a[.qkv], worker: worker)
          }
          Parallel.forEach(s.batchSize * s.heads, workers: s.workers) { worker, item in
            pass.attend(
              li, item: item, qkv: a[.qkv], context: a[.context], probabilities: a[.probabilities] + item * s.t * s.t,
              scratch: scratch.base + worker * s.t * s.t)
          }
          Parallel.forEach(chunks.count, workers: s.workers) { worker, ci in
            let r = chunks[ci]
            pass.sublayers(
              li, layers[li], r, context: a[.context] + r.lowerBound * s.h,
              .saving(a, rows: r, output: x, h: s.h, inner: s.inner), worker: worker)
          }
          saved.append(a)
        }
      }
    }
    return BertActivations(
      batch: batch, output: Tensor(shape: [s.batchSize, s.t, s.h], scalars: hidden),
      embeddings: embeddings, layers: saved, dropout: dropout, firstLayer: firstLayer)
  }

  /// Gradients of a scalar loss with respect to all weights, given `dL/d(output)` `[B, T, H]`.
  ///
  /// Results do not depend on `workers` (see ``EncoderPass``'s backward blocks).
  ///
  /// - Precondition: `outputGradient` has the shape of `activations.output`.
  public func backward(
    _ activations: BertActivations<Scalar>, outputGradient: Tensor<Scalar>,
    workers: Int = Parallel.defaultWorkerCount
  ) -> BertWeights<Scalar> {
    backward(activations, outputGradient: outputGradient, hooks: .dense, workers: workers)
      ?? .zeros(configuration: configuration)
  }

  /// The backward pass with adapter hooks: calls `hooks.linearBackward` for each hooked site
  /// (after the dense input gradient of that map is formed), `hooks.wordEmbeddingBackward` with
  /// the gradient of the word-embedding rows, stops at `hooks.lowestLayer`, and returns dense
  /// weight gradients only when `hooks.denseGradients` (nil otherwise).
  @_specialize(exported: true, where Scalar == Float)
  public func backward(
    _ activations: BertActivations<Scalar>, outputGradient: Tensor<Scalar>, hooks: EncoderHooks<Scalar>,
    workers: Int = Parallel.defaultWorkerCount
  ) -> BertWeights<Scalar>? {
    precondition(
      outputGradient.shape == activations.output.shape,
      "output gradient \(outputGradient.shape) vs \(activations.output.shape)")
    if workers > 1 { BLASThreads.set(1) }
    let c = configuration
    let batch = activations.batch
    let pass = EncoderPass(
      c, batch: batch, chunks: rowChunks(batch.batchSize * batch.sequenceLength), workers: workers, hooks: hooks,
      dropout: activations.dropout)
    let wl = WeightLayout(c)
    let dense = hooks.denseGradients ? ScalarArena<Scalar>(count: wl.total, zeroed: true) : nil
    let lowest = max(activations.firstLayer, min(hooks.lowestLayer, c.layerCount))
    let embeddings = activations.embeddings.flatMap { lowest == 0 && (dense != nil || hooks.wordEmbeddingBackward != nil) ? $0 : nil }
    let g = ArenaView<BackwardBuffer, Scalar>(pass.shape, zeroed: true, separately: true)
    g[.ones].update(repeating: 1, count: pass.shape.n)
    outputGradient.withUnsafeBufferPointer { g[.hidden].update(from: $0.requiredBaseAddress, count: $0.count) }
    withWeightPointers { e, layers in
      for li in stride(from: c.layerCount - 1, through: lowest, by: -1) {
        pass.layerBackward(
          li, layers[li], saved: activations.layers[li - activations.firstLayer], g,
          dense: dense.map { LayerGradientPointers(base: $0.base, offsets: wl.layers[li]) },
          needsInputGradient: li > lowest || embeddings != nil)
      }
      if let embeddings { pass.embeddingBackward(e, saved: embeddings, g, dense: dense?.base, layout: wl) }
    }
    guard let dense else { return nil }
    // Unpack the flat gradient buffer, in storage order.
    var offset = 0
    return BertWeights(configuration: c) { spec, _ in
      let count = spec.shape(c).reduce(1, *)
      defer { offset += count }
      return Tensor(shape: spec.shape(c), scalars: Array(UnsafeBufferPointer(start: dense.base + offset, count: count)))
    }
  }
}

extension Pool {
  /// Backward of ``apply(_:_:lengths:)``: `dL/d(hidden)` `[B, T, H]` from `dL/d(pooled)` `[B, H]`.
  public static func backward<S: BLASScalar>(
    _ pooling: Pooling, pooledGradient: Tensor<S>, sequenceLength t: Int, lengths: [Int]
  ) -> Tensor<S> {
    let (b, h) = (pooledGradient.shape[0], pooledGradient.shape[1])
    var out = Tensor<S>(shape: [b, t, h])
    for i in 0..<b {
      switch pooling {
      case .cls:
        for j in 0..<h { out[i, 0, j] = pooledGradient[i, j] }
      case .mean:
        let inv = 1 / S(lengths[i])
        for p in 0..<lengths[i] { for j in 0..<h { out[i, p, j] = pooledGradient[i, j] * inv } }
      }
    }
    return out
  }

  /// Backward of ``l2Normalized(_:)``: given the input `x` `[B, H]` and `dL/dy`, returns `dL/dx`
  /// `= (dy - y (y · dy)) / ‖x‖` (rows with `‖x‖ <= 1e-12` pass `dy / 1e-12` through).
  public static func l2NormalizedBackward<S: BLASScalar>(_ x: Tensor<S>, outputGradient dy: Tensor<S>) -> Tensor<S> {
    let (b, h) = (x.shape[0], x.shape[1])
    var out = dy
    for i in 0..<b {
      var s: S = 0
      for j in 0..<h { s += x[i, j] * x[i, j] }
      let norm = s.squareRoot()
      if norm <= S(1e-12) {
        for j in 0..<h { out[i, j] = dy[i, j] / S(1e-12) }
        continue
      }
      var dot: S = 0
      for j in 0..<h { dot += x[i, j] / norm * dy[i, j] }
      for j in 0..<h { out[i, j] = (dy[i, j] - x[i, j] / norm * dot) / norm }
    }
    return out
  }
}

/// Applies ``EncoderDropout``'s regenerable masks to row blocks.
enum DropoutMasks {
  /// Rows `r` of width `h`, starting at `base` (row `r.lowerBound`), with a hidden-dropout stream.
  @inline(__always)
  static func rows<S: BLASScalar>(
    _ base: UnsafeMutablePointer<S>, _ r: Range<Int>, _ h: Int, _ d: EncoderDropout, _ stream: EncoderDropout.Stream,
    _ layer: Int
  ) {
    guard d.hidden > 0 else { return }
    for (i, row) in r.enumerated() {
      EncoderDropout.apply(base + i * h, count: h, probability: d.hidden, seed: d.seed, stream: stream, layer: layer, row: row)
    }
  }

  /// `P` itself without attention dropout, else `drop(P)` written into `scratch` (the same
  /// mask in the forward and the backward pass).
  @inline(__always)
  static func dropped<S: BLASScalar>(
    _ p: UnsafePointer<S>, into scratch: UnsafeMutablePointer<S>, rows t: Int, keys: Int, dropout d: EncoderDropout?,
    layer: Int, item: Int
  ) -> UnsafePointer<S> {
    guard let d, d.attention > 0 else { return p }
    scratch.update(from: p, count: t * keys)
    attention(scratch, rows: t, keys: keys, dropout: d, layer: layer, item: item)
    return UnsafePointer(scratch)
  }

  /// The `[T, keys]` attention probabilities of one (sequence, head) item.
  @inline(__always)
  static func attention<S: BLASScalar>(
    _ p: UnsafeMutablePointer<S>, rows t: Int, keys: Int, dropout d: EncoderDropout, layer: Int, item: Int
  ) {
    for i in 0..<t {
      EncoderDropout.apply(
        p + i * keys, count: keys, probability: d.attention, seed: d.seed, stream: .attentionProbabilities, layer: layer,
        row: item * t + i)
    }
  }
}
