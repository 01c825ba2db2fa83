import Tensor

/// Offsets of one layer's saved activations inside ``LayerActivations/storage``.
/// `N = B * T` token rows.
struct ActivationLayout: Sendable {
  let input, qkv, probabilities, context, norm1Input, norm1Mean, norm1Rstd, norm1Output: Int
  let preActivation, activation, norm2Input, norm2Mean, norm2Rstd, total: Int

  init(n: Int, h: Int, inner: Int, batchSize: Int, heads: Int, t: Int) {
    var o = 0
    func take(_ count: Int) -> Int {
      defer { o += count }
      return o
    }
    input = take(n * h)  // layer input [N, H]
    qkv = take(n * 3 * h)  // [N, 3H]
    probabilities = take(batchSize * heads * t * t)  // per (b, head): [T, L_b] at (b*NH+head)*T*T
    context = take(n * h)  // [N, H]
    norm1Input = take(n * h)  // attention output + input
    norm1Mean = take(n)
    norm1Rstd = take(n)
    norm1Output = take(n * h)
    preActivation = take(n * inner)  // FFN pre-activation [N, I]
    activation = take(n * inner)  // GELU output [N, I]
    norm2Input = take(n * h)  // FFN output + norm1Output
    norm2Mean = take(n)
    norm2Rstd = take(n)
    total = o
  }
}

/// Activations of one layer saved for the backward pass, in one buffer (see ``ActivationLayout``).
struct LayerActivations<Scalar: BLASScalar>: Sendable {
  var storage: [Scalar]
}

/// Everything ``BertModel/backward(_:outputGradient:workers:)`` needs from a forward pass.
public struct BertActivations<Scalar: BLASScalar>: Sendable {
  /// The batch that was encoded.
  public let batch: TokenBatch
  /// The final hidden states `[B, T, H]`.
  public let output: Tensor<Scalar>
  /// `[N, H]` embedding sums (word + position + type) before the embedding LayerNorm.
  var embeddingSum: [Scalar]
  var embeddingMean: [Scalar], embeddingRstd: [Scalar]
  var layers: [LayerActivations<Scalar>]
  let layout: ActivationLayout
  /// The dropout the forward pass applied (its masks are regenerated from the seed).
  let dropout: EncoderDropout?
  /// The first layer run (0, or the layer whose input came from a cache).
  let firstLayer: Int
}

/// Offsets of every weight tensor in a flat buffer, in ``BertWeights/namedTensors`` order.
struct WeightLayout: Sendable {
  let word, position, type, normWeight, normBias: Int
  /// Per layer: the 12 offsets in ``LayerPointers`` order.
  let layers: [[Int]]
  let shapes: [[Int]]
  let total: Int

  init(_ c: BertConfiguration) {
    let (h, i) = (c.hiddenSize, c.intermediateSize)
    var shapes: [[Int]] = [[c.vocabSize, h], [c.maxPositionEmbeddings, h], [c.typeVocabSize, h], [h], [h]]
    for _ in 0..<c.layerCount {
      shapes += [[3 * h, h], [3 * h], [h, h], [h], [h], [h], [i, h], [i], [h, i], [h], [h], [h]]
    }
    var offsets: [Int] = []
    var o = 0
    for s in shapes {
      offsets.append(o)
      o += s.reduce(1, *)
    }
    (word, position, type, normWeight, normBias) = (offsets[0], offsets[1], offsets[2], offsets[3], offsets[4])
    layers = (0..<c.layerCount).map { Array(offsets[5 + 12 * $0..<5 + 12 * ($0 + 1)]) }
    self.shapes = shapes
    total = o
  }
}

/// Mutable base pointers of one layer's gradient tensors.
struct LayerGradientPointers<S: BLASScalar> {
  let qkvWeight, qkvBias, attentionOutputWeight, attentionOutputBias: UnsafeMutablePointer<S>
  let attentionNormWeight, attentionNormBias, intermediateWeight, intermediateBias: UnsafeMutablePointer<S>
  let outputWeight, outputBias, outputNormWeight, outputNormBias: UnsafeMutablePointer<S>

  init(_ base: UnsafeMutablePointer<S>, _ o: [Int]) {
    (qkvWeight, qkvBias, attentionOutputWeight, attentionOutputBias) = (
      base + o[0], base + o[1], base + o[2], base + o[3]
    )
    (attentionNormWeight, attentionNormBias, intermediateWeight, intermediateBias) = (
      base + o[4], base + o[5], base + o[6], base + o[7]
    )
    (outputWeight, outputBias, outputNormWeight, outputNormBias) = (
      base + o[8], base + o[9], base + o[10], base + o[11]
    )
  }
}

extension BertWeights {
  /// All-zero weights of the configuration's shapes (a gradient accumulator).
  public static func zeros(configuration c: BertConfiguration) -> BertWeights {
    func z(_ shape: [Int]) -> Tensor<Scalar> { Tensor(shape: shape) }
    let (h, i) = (c.hiddenSize, c.intermediateSize)
    return BertWeights(
      wordEmbeddings: z([c.vocabSize, h]), positionEmbeddings: z([c.maxPositionEmbeddings, h]),
      tokenTypeEmbeddings: z([c.typeVocabSize, h]), embeddingNormWeight: z([h]), embeddingNormBias: z([h]),
      layers: (0..<c.layerCount).map { _ in
        BertLayerWeights(
          qkvWeight: z([3 * h, h]), qkvBias: z([3 * h]), attentionOutputWeight: z([h, h]),
          attentionOutputBias: z([h]), attentionNormWeight: z([h]), attentionNormBias: z([h]),
          intermediateWeight: z([i, h]), intermediateBias: z([i]), outputWeight: z([h, i]),
          outputBias: z([h]), outputNormWeight: z([h]), outputNormBias: z([h]))
      })
  }

  /// Every tensor with a stable name, in a fixed order (for optimizers and checks).
  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    var out: [(String, Tensor<Scalar>)] = [
      ("embeddings.word", wordEmbeddings), ("embeddings.position", positionEmbeddings),
      ("embeddings.type", tokenTypeEmbeddings), ("embeddings.norm.weight", embeddingNormWeight),
      ("embeddings.norm.bias", embeddingNormBias),
    ]
    for (n, l) in layers.enumerated() {
      out += [
        ("layer\(n).qkv.weight", l.qkvWeight), ("layer\(n).qkv.bias", l.qkvBias),
        ("layer\(n).attention.output.weight", l.attentionOutputWeight),
        ("layer\(n).attention.output.bias", l.attentionOutputBias),
        ("layer\(n).norm1.weight", l.attentionNormWeight), ("layer\(n).norm1.bias", l.attentionNormBias),
        ("layer\(n).ffn.up.weight", l.intermediateWeight), ("layer\(n).ffn.up.bias", l.intermediateBias),
        ("layer\(n).ffn.down.weight", l.outputWeight), ("layer\(n).ffn.down.bias", l.outputBias),
        ("layer\(n).norm2.weight", l.outputNormWeight), ("layer\(n).norm2.bias", l.outputNormBias),
      ]
    }
    return out
  }

  /// Applies `body` to every tensor in ``namedTensors`` order.
  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    body("embeddings.word", &wordEmbeddings)
    body("embeddings.position", &positionEmbeddings)
    body("embeddings.type", &tokenTypeEmbeddings)
    body("embeddings.norm.weight", &embeddingNormWeight)
    body("embeddings.norm.bias", &embeddingNormBias)
    for n in layers.indices {
      body("layer\(n).qkv.weight", &layers[n].qkvWeight)
      body("layer\(n).qkv.bias", &layers[n].qkvBias)
      body("layer\(n).attention.output.weight", &layers[n].attentionOutputWeight)
      body("layer\(n).attention.output.bias", &layers[n].attentionOutputBias)
      body("layer\(n).norm1.weight", &layers[n].attentionNormWeight)
      body("layer\(n).norm1.bias", &layers[n].attentionNormBias)
      body("layer\(n).ffn.up.weight", &layers[n].intermediateWeight)
      body("layer\(n).ffn.up.bias", &layers[n].intermediateBias)
      body("layer\(n).ffn.down.weight", &layers[n].outputWeight)
      body("layer\(n).ffn.down.bias", &layers[n].outputBias)
      body("layer\(n).norm2.weight", &layers[n].outputNormWeight)
      body("layer\(n).norm2.bias", &layers[n].outputNormBias)
    }
  }
}

// MARK: - Training forward and backward

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

extension BertModel {
  /// The forward pass of ``forward(_:workers:)`` that also saves what the backward pass needs
  /// (about `L * (N * (10 H + 2 I) + B * NH * T²)` scalars). Parallel like the inference pass.
  ///
  /// - Throws: ``EncoderError/invalidInput(reason:)`` as ``forward(_:workers:)``.
  @_specialize(exported: true, where Scalar == Float)
  public func forwardTraining(
    _ batch: TokenBatch, hooks: EncoderHooks<Scalar>? = nil, dropout: EncoderDropout? = nil,
    startingAt first: (layer: Int, input: Tensor<Scalar>)? = nil, workers: Int = Parallel.defaultWorkerCount
  ) throws(EncoderError) -> BertActivations<Scalar> {
    // `startingAt`: the input of a layer (from a cache of the frozen layers below it); the
    // embeddings and lower layers are skipped and get no gradient.
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
    let c = configuration
    let (bCount, t) = (batch.batchSize, batch.sequenceLength)
    let (h, inner, heads, dh) = (c.hiddenSize, c.intermediateSize, c.headCount, c.headSize)
    let (n, h3) = (bCount * t, 3 * h)
    let eps = Scalar(c.layerNormEpsilon)
    let scale = 1 / Scalar(dh).squareRoot()
    let chunks = rowChunks(n)
    let layout = ActivationLayout(n: n, h: h, inner: inner, batchSize: bCount, heads: heads, t: t)
    let lengths = batch.lengths

    var sum = [Scalar](repeating: 0, count: n * h)
    var mean0 = [Scalar](repeating: 0, count: n)
    var rstd0 = [Scalar](repeating: 0, count: n)
    var x = [Scalar](repeating: 0, count: n * h)
    var saved: [LayerActivations<Scalar>] = []
    let dropScratch = UnsafeMutablePointer<Scalar>.allocate(capacity: max(1, (dropout?.attention ?? 0) > 0 ? max(1, workers) * t * t : 1))
    defer { dropScratch.deallocate() }

    withWeightPointers { e, layers in
      sum.withUnsafeMutableBufferPointer { sb in
        mean0.withUnsafeMutableBufferPointer { mb in
          rstd0.withUnsafeMutableBufferPointer { rb in
            x.withUnsafeMutableBufferPointer { xb in
              let (sum, mean0, rstd0, x) = (
                sb.requiredBaseAddress, mb.requiredBaseAddress, rb.requiredBaseAddress, xb.requiredBaseAddress
              )
              if let first {
                first.input.withUnsafeBufferPointer { x.update(from: $0.requiredBaseAddress, count: n * h) }
              }
              Parallel.forEach(chunks.count, workers: workers) { _, ci in
                guard firstLayer == 0 else { return }
                let r = chunks[ci]
                for row in r {
                  let v = sum + row * h
                  v.update(from: e.word + Int(batch.inputIDs[row]) * h, count: h)
                  Scalar.addBias(v, rows: 1, columns: h, bias: e.position + (row % t) * h)
                  Scalar.addBias(v, rows: 1, columns: h, bias: e.type + Int(batch.tokenTypeIDs[row]) * h)
                }
                Scalar.layerNorm(
                  sum + r.lowerBound * h, residual: nil, output: x + r.lowerBound * h, rows: r.count, columns: h,
                  gamma: e.normWeight, beta: e.normBias, epsilon: eps, mean: mean0 + r.lowerBound,
                  rstd: rstd0 + r.lowerBound)
                if let d = dropout {
                  for row in r {
                    EncoderDropout.apply(
                      x + row * h, count: h, probability: d.hidden, seed: d.seed, stream: .embedding, layer: 0, row: row)
                  }
                }
              }
              for (li, l) in layers.enumerated() where li >= firstLayer {
                // Every element that is read later is written first, so skip zero-filling 100+ MB.
                var storage = [Scalar](unsafeUninitializedCapacity: layout.total) { _, count in count = layout.total }
                storage.withUnsafeMutableBufferPointer { ab in
                  let a = ab.requiredBaseAddress
                  let (input, qkv, probs, ctx) = (
                    a + layout.input, a + layout.qkv, a + layout.probabilities, a + layout.context
                  )
                  let (v1, m1, r1, y1) = (
                    a + layout.norm1Input, a + layout.norm1Mean, a + layout.norm1Rstd, a + layout.norm1Output
                  )
                  let (u, g) = (a + layout.preActivation, a + layout.activation)
                  let (v2, m2, r2) = (a + layout.norm2Input, a + layout.norm2Mean, a + layout.norm2Rstd)
                  input.update(from: x, count: n * h)
                  Parallel.forEach(chunks.count, workers: workers) { _, ci in
                    let r = chunks[ci]
                    gemm(
                      .none, .transposed, m: r.count, n: h3, k: h, input + r.lowerBound * h, lda: h, l.qkvWeight,
                      ldb: h,
                      beta: 0, qkv + r.lowerBound * h3, ldc: h3)
                    Scalar.addBias(qkv + r.lowerBound * h3, rows: r.count, columns: h3, bias: l.qkvBias)
                    if let hooks {
                      for (part, m) in [LinearModule.query, .key, .value].enumerated() {
                        hooks.forward(
                          LinearSite(layer: li, module: m),
                          LinearRows(
                            rows: r, x: input + r.lowerBound * h, ldx: h, y: qkv + r.lowerBound * h3 + part * h,
                            ldy: h3))
                      }
                    }
                  }
                  Parallel.forEach(bCount * heads, workers: workers) { worker, item in
                    let (b, head) = (item / heads, item % heads)
                    let keys = lengths[b]
                    let q = qkv + b * t * h3 + head * dh
                    let p = probs + item * t * t
                    gemm(.none, .transposed, m: t, n: keys, k: dh, q, lda: h3, q + h, ldb: h3, beta: 0, p, ldc: keys)
                    Scalar.softmaxRows(p, rows: t, columns: keys, stride: keys, scale: scale)
                    // ctx = drop(P) V; P itself is kept for the softmax backward.
                    let used = DropoutMasks.dropped(
                      p, into: dropScratch + worker * t * t, rows: t, keys: keys, dropout: dropout, layer: li, item: item)
                    gemm(
                      .none, .none, m: t, n: dh, k: keys, used, lda: keys, q + 2 * h, ldb: h3, beta: 0,
                      ctx + b * t * h + head * dh, ldc: h)
                  }
                  Parallel.forEach(chunks.count, workers: workers) { _, ci in
                    let r = chunks[ci]
                    let (o, rows) = (r.lowerBound, r.count)
                    // v1 = ctx Woᵀ + bo + input; y1 = LN1(v1)
                    gemm(
                      .none, .transposed, m: rows, n: h, k: h, ctx + o * h, lda: h, l.attentionOutputWeight, ldb: h,
                      beta: 0, v1 + o * h, ldc: h)
                    Scalar.addBias(v1 + o * h, rows: rows, columns: h, bias: l.attentionOutputBias)
                    hooks?.forward(
                      LinearSite(layer: li, module: .attentionOutput),
                      LinearRows(rows: r, x: ctx + o * h, ldx: h, y: v1 + o * h, ldy: h))
                    if let d = dropout { DropoutMasks.rows(v1 + o * h, r, h, d, .attentionOutput, li) }
                    addInPlace(v1 + o * h, input + o * h, count: rows * h)
                    Scalar.layerNorm(
                      v1 + o * h, residual: nil, output: y1 + o * h, rows: rows, columns: h,
                      gamma: l.attentionNormWeight,
                      beta: l.attentionNormBias, epsilon: eps, mean: m1 + o, rstd: r1 + o)
                    // u = y1 Wiᵀ + bi; g = GELU(u)
                    gemm(
                      .none, .transposed, m: rows, n: inner, k: h, y1 + o * h, lda: h, l.intermediateWeight, ldb: h,
                      beta: 0, u + o * inner, ldc: inner)
                    Scalar.addBias(u + o * inner, rows: rows, columns: inner, bias: l.intermediateBias)
                    hooks?.forward(
                      LinearSite(layer: li, module: .intermediate),
                      LinearRows(rows: r, x: y1 + o * h, ldx: h, y: u + o * inner, ldy: inner))
                    (g + o * inner).update(from: u + o * inner, count: rows * inner)
                    Scalar.addBiasGELU(g + o * inner, rows: rows, columns: inner, bias: nil)
                    // v2 = g Wo2ᵀ + bo2 + y1; x = LN2(v2)
                    gemm(
                      .none, .transposed, m: rows, n: h, k: inner, g + o * inner, lda: inner, l.outputWeight,
                      ldb: inner,
                      beta: 0, v2 + o * h, ldc: h)
                    Scalar.addBias(v2 + o * h, rows: rows, columns: h, bias: l.outputBias)
                    hooks?.forward(
                      LinearSite(layer: li, module: .output),
                      LinearRows(rows: r, x: g + o * inner, ldx: inner, y: v2 + o * h, ldy: h))
                    if let d = dropout { DropoutMasks.rows(v2 + o * h, r, h, d, .ffnOutput, li) }
                    addInPlace(v2 + o * h, y1 + o * h, count: rows * h)
                    Scalar.layerNorm(
                      v2 + o * h, residual: nil, output: x + o * h, rows: rows, columns: h, gamma: l.outputNormWeight,
                      beta: l.outputNormBias, epsilon: eps, mean: m2 + o, rstd: r2 + o)
                  }
                }
                saved.append(LayerActivations(storage: storage))
              }
            }
          }
        }
      }
    }
    return BertActivations(
      batch: batch, output: Tensor(shape: [bCount, t, h], scalars: x), embeddingSum: sum,
      embeddingMean: mean0, embeddingRstd: rstd0, layers: saved, layout: layout, dropout: dropout, firstLayer: firstLayer)
  }

  /// Gradients of a scalar loss with respect to all weights, given `dL/d(output)` `[B, T, H]`.
  ///
  /// Token-row work is split over `workers` like the forward pass; weight gradients are split over
  /// their output rows (no reduction across workers), LayerNorm parameter gradients are summed per
  /// chunk and then in chunk order, so results do not depend on `workers`.
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
    let layout = activations.layout
    let (bCount, t) = (batch.batchSize, batch.sequenceLength)
    let (h, inner, heads, dh) = (c.hiddenSize, c.intermediateSize, c.headCount, c.headSize)
    let (n, h3) = (bCount * t, 3 * h)
    let scale = 1 / Scalar(dh).squareRoot()
    let chunks = rowChunks(n)
    let lengths = batch.lengths
    let wl = WeightLayout(c)
    let w = max(1, workers)

    let dense = hooks.denseGradients
    let lowest = max(activations.firstLayer, min(hooks.lowestLayer, c.layerCount))
    let needsEmbedding = activations.firstLayer == 0 && lowest == 0 && (dense || hooks.wordEmbeddingBackward != nil)
    var grads = [Scalar](repeating: 0, count: dense ? wl.total : 1)
    var dx = outputGradient.scalars  // dL/d(layer output) [N, H]
    var dv = [Scalar](repeating: 0, count: n * h)  // dL/d(LayerNorm input)
    var dy1 = [Scalar](repeating: 0, count: n * h)
    var dAct = [Scalar](repeating: 0, count: n * inner)
    var dctx = [Scalar](repeating: 0, count: n * h)
    var dqkv = [Scalar](repeating: 0, count: n * h3)
    var dp = [Scalar](repeating: 0, count: w * t * t)
    var normPartials = [Scalar](repeating: 0, count: chunks.count * 2 * h)
    let ones = [Scalar](repeating: 1, count: n)
    let drop = activations.dropout
    // The sub-layer branch's gradient when hidden dropout masks it (the residual keeps `dv`).
    let dvMasked = UnsafeMutablePointer<Scalar>.allocate(capacity: drop == nil ? 1 : n * h)
    let droppedProbs = UnsafeMutablePointer<Scalar>.allocate(capacity: (drop?.attention ?? 0) > 0 ? w * t * t : 1)
    defer {
      dvMasked.deallocate()
      droppedProbs.deallocate()
    }
    /// `dv`, or a masked copy of it when hidden dropout was applied to the sub-layer `stream`.
    func branchGradient(_ dv: UnsafeMutablePointer<Scalar>, _ stream: EncoderDropout.Stream, _ layer: Int) -> UnsafeMutablePointer<Scalar> {
      guard let d = drop, d.hidden > 0 else { return dv }
      dvMasked.update(from: dv, count: n * h)
      Parallel.forEach(chunks.count, workers: w) { _, ci in
        let r = chunks[ci]
        DropoutMasks.rows(dvMasked + r.lowerBound * h, r, h, d, stream, layer)
      }
      return dvMasked
    }

    withWeightPointers { e, layers in
      grads.withUnsafeMutableBufferPointer { gb in
        dx.withUnsafeMutableBufferPointer { dxb in
          dv.withUnsafeMutableBufferPointer { dvb in
            dy1.withUnsafeMutableBufferPointer { dy1b in
              dAct.withUnsafeMutableBufferPointer { dab in
                dctx.withUnsafeMutableBufferPointer { dcb in
                  dqkv.withUnsafeMutableBufferPointer { dqb in
                    dp.withUnsafeMutableBufferPointer { dpb in
                      normPartials.withUnsafeMutableBufferPointer { npb in
                        ones.withUnsafeBufferPointer { ob in
                          let gBase = gb.requiredBaseAddress
                          let (dx, dv, dy1, dAct) = (
                            dxb.requiredBaseAddress, dvb.requiredBaseAddress, dy1b.requiredBaseAddress,
                            dab.requiredBaseAddress
                          )
                          let (dctx, dqkv, dpAll, partials) = (
                            dcb.requiredBaseAddress, dqb.requiredBaseAddress, dpb.requiredBaseAddress,
                            npb.requiredBaseAddress
                          )
                          let ones = ob.requiredBaseAddress

                          /// LayerNorm backward over all rows: `dvOut` from `dyIn`; parameter gradients added.
                          func normBackward(
                            _ v: UnsafePointer<Scalar>, _ mean: UnsafePointer<Scalar>, _ rstd: UnsafePointer<Scalar>,
                            _ gamma: UnsafePointer<Scalar>, _ dyIn: UnsafePointer<Scalar>,
                            _ dvOut: UnsafeMutablePointer<Scalar>,
                            _ dGamma: UnsafeMutablePointer<Scalar>?, _ dBeta: UnsafeMutablePointer<Scalar>?
                          ) {
                            partials.update(repeating: 0, count: chunks.count * 2 * h)
                            Parallel.forEach(chunks.count, workers: w) { _, ci in
                              let r = chunks[ci]
                              let o = r.lowerBound
                              Scalar.layerNormBackward(
                                v + o * h, mean: mean + o, rstd: rstd + o, gamma: gamma, dyIn + o * h, dvOut + o * h,
                                dGamma: partials + ci * 2 * h, dBeta: partials + ci * 2 * h + h, rows: r.count,
                                columns: h)
                            }
                            guard let dGamma, let dBeta else { return }
                            for ci in 0..<chunks.count {
                              Scalar.addBias(dGamma, rows: 1, columns: h, bias: partials + ci * 2 * h)
                              Scalar.addBias(dBeta, rows: 1, columns: h, bias: partials + ci * 2 * h + h)
                            }
                          }

                          /// `dW[out, in] += dYᵀ X` and `db[out] += Σ dY`, split over output rows.
                          func linearWeightGradients(
                            dY: UnsafePointer<Scalar>, x: UnsafePointer<Scalar>, out: Int, in inDim: Int,
                            dW: UnsafeMutablePointer<Scalar>, db: UnsafeMutablePointer<Scalar>
                          ) {
                            // Fixed blocking (not a function of `w`), so the result does not depend on the workers;
                            // ~192-row blocks: a full step went from about 2.0k to 2.1k tokens/s against 64-row ones.
                            let blocks = Parallel.ranges(out, parts: max(1, out / 192))
                            Parallel.forEach(blocks.count, workers: w) { _, bi in
                              let r = blocks[bi]
                              gemm(
                                .transposed, .none, m: r.count, n: inDim, k: n, dY + r.lowerBound, lda: out, x,
                                ldb: inDim,
                                beta: 1, dW + r.lowerBound * inDim, ldc: inDim)
                              gemm(
                                .none, .none, m: 1, n: r.count, k: n, ones, lda: n, dY + r.lowerBound, ldb: out,
                                beta: 1,
                                db + r.lowerBound, ldc: out)
                            }
                          }

                          for li in stride(from: c.layerCount - 1, through: lowest, by: -1) {
                            let l = layers[li]
                            let gl = dense ? LayerGradientPointers(gBase, wl.layers[li]) : nil
                            func site(_ m: LinearModule) -> LinearSite { LinearSite(layer: li, module: m) }
                            activations.layers[li - activations.firstLayer].storage.withUnsafeBufferPointer { ab in
                              let a = ab.requiredBaseAddress
                              let (input, qkv, probs, ctx) = (
                                a + layout.input, a + layout.qkv, a + layout.probabilities, a + layout.context
                              )
                              let (v1, m1, r1, y1) = (
                                a + layout.norm1Input, a + layout.norm1Mean, a + layout.norm1Rstd,
                                a + layout.norm1Output
                              )
                              let (u, g) = (a + layout.preActivation, a + layout.activation)
                              let (v2, m2, r2) = (a + layout.norm2Input, a + layout.norm2Mean, a + layout.norm2Rstd)

                              // LayerNorm 2 → dv (= d v2).
                              normBackward(
                                v2, m2, r2, l.outputNormWeight, dx, dv, gl?.outputNormWeight, gl?.outputNormBias)
                              // FFN down: v2 = g Wo2ᵀ + bo2 + y1.
                              let dDown = branchGradient(dv, .ffnOutput, li)
                              if let gl {
                                linearWeightGradients(
                                  dY: dDown, x: g, out: h, in: inner, dW: gl.outputWeight, db: gl.outputBias)
                              }
                              // dAct = dv Wo2 (+ an adapter's branch), then through GELU.
                              let downHooked = hooks.sites.contains(site(.output))
                              if downHooked {
                                Parallel.forEach(chunks.count, workers: w) { _, ci in
                                  let (o, rows) = (chunks[ci].lowerBound, chunks[ci].count)
                                  gemm(
                                    .none, .none, m: rows, n: inner, k: h, dDown + o * h, lda: h, l.outputWeight,
                                    ldb: inner, beta: 0, dAct + o * inner, ldc: inner)
                                }
                                hooks.backward(
                                  site(.output),
                                  LinearGradient(
                                    rowCount: n, x: g, ldx: inner, dY: dDown, ldy: h, dX: dAct, lddx: inner))
                              }
                              Parallel.forEach(chunks.count, workers: w) { _, ci in
                                let r = chunks[ci]
                                let (o, rows) = (r.lowerBound, r.count)
                                if !downHooked {
                                  gemm(
                                    .none, .none, m: rows, n: inner, k: h, dDown + o * h, lda: h, l.outputWeight,
                                    ldb: inner, beta: 0, dAct + o * inner, ldc: inner)
                                }
                                Scalar.geluBackward(
                                  u + o * inner, dAct + o * inner, dAct + o * inner, count: rows * inner)
                                // dy1 = dv (residual) + dU Wi
                                (dy1 + o * h).update(from: dv + o * h, count: rows * h)
                                gemm(
                                  .none, .none, m: rows, n: h, k: inner, dAct + o * inner, lda: inner,
                                  l.intermediateWeight, ldb: h,
                                  beta: 1, dy1 + o * h, ldc: h)
                              }
                              hooks.backward(
                                site(.intermediate),
                                LinearGradient(rowCount: n, x: y1, ldx: h, dY: dAct, ldy: inner, dX: dy1, lddx: h))
                              // FFN up: u = y1 Wiᵀ + bi.
                              if let gl {
                                linearWeightGradients(
                                  dY: dAct, x: y1, out: inner, in: h, dW: gl.intermediateWeight,
                                  db: gl.intermediateBias)
                              }
                              // LayerNorm 1 → dv (= d v1).
                              normBackward(
                                v1, m1, r1, l.attentionNormWeight, dy1, dv, gl?.attentionNormWeight,
                                gl?.attentionNormBias)
                              // Attention output: v1 = ctx Woᵀ + bo + input.
                              let dAttention = branchGradient(dv, .attentionOutput, li)
                              if let gl {
                                linearWeightGradients(
                                  dY: dAttention, x: ctx, out: h, in: h, dW: gl.attentionOutputWeight,
                                  db: gl.attentionOutputBias)
                              }
                              Parallel.forEach(chunks.count, workers: w) { _, ci in
                                let r = chunks[ci]
                                let (o, rows) = (r.lowerBound, r.count)
                                gemm(
                                  .none, .none, m: rows, n: h, k: h, dAttention + o * h, lda: h, l.attentionOutputWeight,
                                  ldb: h, beta: 0,
                                  dctx + o * h, ldc: h)
                              }
                              hooks.backward(
                                site(.attentionOutput),
                                LinearGradient(rowCount: n, x: ctx, ldx: h, dY: dAttention, ldy: h, dX: dctx, lddx: h))
                              // Attention core per (sequence, head).
                              dqkv.update(repeating: 0, count: n * h3)
                              Parallel.forEach(bCount * heads, workers: w) { worker, item in
                                let (b, head) = (item / heads, item % heads)
                                let keys = lengths[b]
                                let off = b * t * h3 + head * dh
                                let (q, k, v) = (qkv + off, qkv + off + h, qkv + off + 2 * h)
                                let (dQ, dK, dV) = (dqkv + off, dqkv + off + h, dqkv + off + 2 * h)
                                let p = probs + item * t * t
                                let dOut = dctx + b * t * h + head * dh
                                let dpp = dpAll + worker * t * t
                                // ctx = P' V with P' = drop(P) (or P): dP' = dOut Vᵀ, dV = P'ᵀ dOut, dP = dP' ⊙ mask.
                                let used = DropoutMasks.dropped(
                                  p, into: droppedProbs + worker * t * t, rows: t, keys: keys, dropout: drop, layer: li,
                                  item: item)
                                gemm(
                                  .none, .transposed, m: t, n: keys, k: dh, dOut, lda: h, v, ldb: h3, beta: 0, dpp,
                                  ldc: keys)
                                if let d = drop, d.attention > 0 {
                                  DropoutMasks.attention(dpp, rows: t, keys: keys, dropout: d, layer: li, item: item)
                                }
                                gemm(
                                  .transposed, .none, m: keys, n: dh, k: t, used, lda: keys, dOut, ldb: h, beta: 0, dV,
                                  ldc: h3)
                                // P = softmax(scale Q Kᵀ): dS; dQ = scale dS K; dK = scale dSᵀ Q.
                                Scalar.softmaxBackward(p, dpp, dpp, rows: t, columns: keys)
                                gemm(
                                  .none, .none, m: t, n: dh, k: keys, alpha: scale, dpp, lda: keys, k, ldb: h3, beta: 0,
                                  dQ, ldc: h3)
                                gemm(
                                  .transposed, .none, m: keys, n: dh, k: t, alpha: scale, dpp, lda: keys, q, ldb: h3,
                                  beta: 0, dK, ldc: h3)
                              }
                              // QKV projection: qkv = input Wqkvᵀ + b.
                              if let gl {
                                linearWeightGradients(
                                  dY: dqkv, x: input, out: h3, in: h, dW: gl.qkvWeight, db: gl.qkvBias)
                              }
                              // The lowest layer's input gradient is needed only for the embeddings.
                              if li > lowest || needsEmbedding {
                                Parallel.forEach(chunks.count, workers: w) { _, ci in
                                  let r = chunks[ci]
                                  let (o, rows) = (r.lowerBound, r.count)
                                  // dx (layer input) = dv (residual) + dQKV Wqkv
                                  (dx + o * h).update(from: dv + o * h, count: rows * h)
                                  gemm(
                                    .none, .none, m: rows, n: h, k: h3, dqkv + o * h3, lda: h3, l.qkvWeight, ldb: h,
                                    beta: 1, dx + o * h, ldc: h)
                                }
                              }
                              for (part, m) in [LinearModule.query, .key, .value].enumerated() {
                                hooks.backward(
                                  site(m),
                                  LinearGradient(
                                    rowCount: n, x: input, ldx: h, dY: dqkv + part * h, ldy: h3, dX: dx, lddx: h))
                              }
                            }
                          }
                          guard needsEmbedding else { return }
                          if let d = drop, d.hidden > 0 {
                            Parallel.forEach(chunks.count, workers: w) { _, ci in
                              let r = chunks[ci]
                              DropoutMasks.rows(dx + r.lowerBound * h, r, h, d, .embedding, 0)
                            }
                          }
                          // Embedding LayerNorm, then scatter-add into the embedding tables (sequential: rows collide).
                          activations.embeddingSum.withUnsafeBufferPointer { sb in
                            activations.embeddingMean.withUnsafeBufferPointer { mb in
                              activations.embeddingRstd.withUnsafeBufferPointer { rb in
                                normBackward(
                                  sb.requiredBaseAddress, mb.requiredBaseAddress, rb.requiredBaseAddress, e.normWeight,
                                  dx, dv,
                                  dense ? gBase + wl.normWeight : nil, dense ? gBase + wl.normBias : nil)
                              }
                            }
                          }
                          hooks.wordEmbeddingBackward?(dv, batch.inputIDs)
                          guard dense else { return }
                          for row in 0..<n {
                            let d = dv + row * h
                            Scalar.addBias(gBase + wl.word + Int(batch.inputIDs[row]) * h, rows: 1, columns: h, bias: d)
                            Scalar.addBias(gBase + wl.position + (row % t) * h, rows: 1, columns: h, bias: d)
                            Scalar.addBias(
                              gBase + wl.type + Int(batch.tokenTypeIDs[row]) * h, rows: 1, columns: h, bias: d)
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    guard dense else { return nil }
    // Unpack the flat gradient buffer into tensors.
    var tensors: [Tensor<Scalar>] = []
    var offset = 0
    for shape in wl.shapes {
      let count = shape.reduce(1, *)
      tensors.append(Tensor(shape: shape, scalars: Array(grads[offset..<offset + count])))
      offset += count
    }
    return BertWeights(
      wordEmbeddings: tensors[0], positionEmbeddings: tensors[1], tokenTypeEmbeddings: tensors[2],
      embeddingNormWeight: tensors[3], embeddingNormBias: tensors[4],
      layers: (0..<c.layerCount).map { i in
        let q = Array(tensors[5 + 12 * i..<5 + 12 * (i + 1)])
        return BertLayerWeights(
          qkvWeight: q[0], qkvBias: q[1], attentionOutputWeight: q[2], attentionOutputBias: q[3],
          attentionNormWeight: q[4], attentionNormBias: q[5], intermediateWeight: q[6], intermediateBias: q[7],
          outputWeight: q[8], outputBias: q[9], outputNormWeight: q[10], outputNormBias: q[11])
      })
  }
}

/// `a += b` element-wise.
@inline(__always)
private func addInPlace<S: BLASScalar>(_ a: UnsafeMutablePointer<S>, _ b: UnsafePointer<S>, count: Int) {
  S.addBias(a, rows: 1, columns: count, bias: b)
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
