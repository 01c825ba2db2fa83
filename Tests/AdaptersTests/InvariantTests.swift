import Corpus
import Foundation
import Tensor
import Testing

@testable import Adapters
@testable import Encoder

/// The invariants of `adapters.md` (§10.4 and each method's "Unit-test invariants"): zero change
/// at initialisation, the SVD reconstruction identities, merge and unmerge, the §10.2 parameter
/// counts on MiniLM-L6 shapes, option validation, S2FT/SMT selection, GOAT routing and LoRA's
/// initialisation.
@Suite struct InvariantTests {
  typealias Fx = InvariantFixtures

  // MARK: 1. Zero change at initialisation

  static let identityConfigurations: [AdapterConfiguration] = [
    AdapterConfiguration(method: .lora, rank: 4, alpha: 8, targets: LinearModule.allCases),
    AdapterConfiguration(method: .rslora, rank: 4, alpha: 2, targets: [.query, .key, .value, .output]),
    AdapterConfiguration(method: .lora, rank: 2, targets: [.intermediate, .attentionOutput], dropout: 0.25),
    AdapterConfiguration(method: .lora, rank: 2, freezeLayers: 1),
    AdapterConfiguration(method: .dora, rank: 2, alpha: 3, targets: [.query, .value, .intermediate, .output]),
    AdapterConfiguration(method: .pissa, rank: 3, alpha: 6, targets: [.query, .value, .intermediate]),
    AdapterConfiguration(method: .pissa, rank: 2, targets: [.query], dropout: 0.1),
    AdapterConfiguration(method: .sorsa, rank: 3),
    AdapterConfiguration(method: .sorsa, rank: 2, alpha: 3, targets: LinearModule.allCases),
    AdapterConfiguration(method: .s2ft, targets: [.value, .attentionOutput, .intermediate, .output], s2ftHeads: 3, s2ftChannels: 7),
    AdapterConfiguration(method: .s2ft, s2ftHeads: 2, s2ftChannels: 5),
    AdapterConfiguration(method: .smt, smtBlocks: 3, smtBlockSize: 8),
    AdapterConfiguration(method: .adalink, rank: 3),
    AdapterConfiguration(method: .full),
  ]

  /// Bit-identical where the adapter adds an exact zero (`B = 0`, `Δ = 0`, `W_up = 0`, `m / n = 1`);
  /// within 1e-10 for the SVD-based methods, whose residual plus the factors only rounds back to `W`.
  @Test(arguments: identityConfigurations)
  func unchangedAtInitialisation(_ config: AdapterConfiguration) throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let batch = try tinyBatch()
    let plain = try BertModel(configuration: bert, weights: base)
    let reference = try plain.forward(batch, workers: 1)
    let referenceTraining = try plain.forwardTraining(batch, workers: 1).output
    let encoder = try AdaptedEncoder(configuration: config, bert: bert, base: base, smtBlocks: Fx.tinySMTBlocks())
    #expect(!encoder.adapters.isEmpty || encoder.embedding != nil || config.method == .full)

    let eval = try encoder.forward(batch, workers: 1)
    var rng = SplitMix64(seed: 4)
    let training = try encoder.forwardTraining(batch, using: &rng, workers: 1).activations.output
    let exact = ![.pissa, .sorsa].contains(config.method)
    if config.method == .pissa, config.dropout > 0 {
      // PiSSA's B is not zero: with dropout on its branch only evaluation is unchanged.
      #expect(Fx.maxAbs(eval, reference) <= 1e-10, "forward")
      #expect(Fx.maxAbs(training, reference) > 1e-6, "forwardTraining drops PiSSA's branch input")
      return
    }
    if exact {
      #expect(Fx.maxAbs(eval, reference) == 0, "forward")
      #expect(Fx.maxAbs(training, referenceTraining) == 0, "forwardTraining")
      #expect(encoder.denseWeights(branch: false) == base)
    } else {
      #expect(Fx.maxAbs(eval, reference) <= 1e-10, "forward")
      #expect(Fx.maxAbs(training, referenceTraining) <= 1e-10, "forwardTraining")
      #expect(Fx.maxAbs(eval, referenceTraining) <= 1e-10)
    }
    // The training and inference paths of the encoder itself agree.
    #expect(Fx.maxAbs(training, reference) <= 1e-12)
  }

  /// GOAT is the identity at initialisation only with a zero router and `k = E` (§5 invariant 2);
  /// top-k routing with `k < E`, or a non-zero router, changes the output.
  @Test func goatIdentityNeedsZeroRouterAndAllExperts() throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let batch = try tinyBatch()
    let reference = try BertModel(configuration: bert, weights: base).forward(batch, workers: 1)
    for (experts, topK) in [(4, 4), (2, 2), (4, 2), (4, 1), (2, 1)] {
      let config = AdapterConfiguration(
        method: .goat, rank: 4, alpha: 4, experts: experts, topK: topK, auxiliaryLossWeight: 0.01)
      let random = try AdaptedEncoder(configuration: config, bert: bert, base: base)
      var zeroRouter = random
      var routers = 0
      zeroRouter.updateEach { name, t in
        guard name.hasSuffix("goat_router") else { return }
        t = Tensor(shape: t.shape)
        routers += 1
      }
      #expect(routers == 2 * LinearModule.allCases.count)
      let eval = try zeroRouter.forward(batch, workers: 1)
      var rng = SplitMix64(seed: 4)
      let tape = try zeroRouter.forwardTraining(batch, using: &rng, workers: 1)
      let label = "E=\(experts) k=\(topK)"
      if topK == experts {
        #expect(Fx.maxAbs(eval, reference) <= 1e-10, "\(label) forward")
        #expect(Fx.maxAbs(tape.activations.output, reference) <= 1e-10, "\(label) forwardTraining")
        // A non-zero router weights the experts unequally: no longer the identity.
        #expect(Fx.maxAbs(try random.forward(batch, workers: 1), reference) > 1e-6, "\(label) random router")
      } else {
        #expect(Fx.maxAbs(eval, reference) > 1e-6, "\(label) forward")
        #expect(Fx.maxAbs(tape.activations.output, reference) > 1e-6, "\(label) forwardTraining")
      }
      // Uniform probabilities: every layer's E Σ f_i P̄_i is exactly k; summed over sites, times c_aux.
      let expected = Double(zeroRouter.adapters.count * topK) * config.auxiliaryLossWeight
      #expect(abs(tape.auxiliaryLoss - expected) <= 1e-12, "\(label) aux \(tape.auxiliaryLoss) vs \(expected)")
    }
  }

  // MARK: 2. Reconstruction identities

  @Test func pissaReconstruction() throws {
    let w = Fx.matrix(12, 8, seed: 50)
    let site = LinearSite(layer: 0, module: .intermediate)
    let (rank, scale) = (3, 2.0)
    let sigma = try LAPACK.svd(w).s.scalars
    let p = try LoRALinear<Double>.pissa(site: site, base: w, rank: rank, scale: scale)
    let residual = try #require(p.residual)
    // W_res + s B A == W.
    let rebuilt = residual.adding(Tensor.matmul(p.b, p.a), scaledBy: scale)
    #expect(Fx.relative(rebuilt, w) <= 1e-13)
    // A Aᵀ == Bᵀ B == diag(σ_r / s).
    let d = sigma.prefix(rank).map { $0 / scale }
    #expect(Fx.diagonalError(Tensor.matmul(p.a, p.a, transposeB: true), d) <= 1e-12 * sigma[0])
    #expect(Fx.diagonalError(Tensor.matmul(p.b, p.b, transposeA: true), d) <= 1e-12 * sigma[0])
    // W_res is the SVD tail: its singular values are σ[r...] and then zeros.
    let tail = try LAPACK.svd(residual).s.scalars
    let expectedTail = Array(sigma[rank...]) + [Double](repeating: 0, count: rank)
    for (x, y) in zip(tail, expectedTail) { #expect(abs(x - y) <= 1e-12 * sigma[0], "tail \(tail) vs \(expectedTail)") }
    // Independent of s: another α changes A and B but not W_res.
    let q = try LoRALinear<Double>.pissa(site: site, base: w, rank: rank, scale: 0.5)
    #expect(Fx.relative(try #require(q.residual), residual) <= 1e-13)
    #expect(Fx.relative(q.a, p.a) > 0.1)
    // And in the encoder: every PiSSA adapter rebuilds its base weight.
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let encoder = try AdaptedEncoder(
      configuration: AdapterConfiguration(method: .pissa, rank: 3, alpha: 6, targets: [.key, .output]), bert: bert, base: base)
    #expect(encoder.adapters.count == 4)
    for a in encoder.adapters {
      let l = try #require(a as? LoRALinear<Double>)
      #expect(l.scale == 2)
      let rebuilt = try #require(l.residual).adding(Tensor.matmul(l.b, l.a), scaledBy: l.scale)
      #expect(Fx.relative(rebuilt, base.weight(at: a.site)) <= 1e-13, "\(a.site)")
    }
  }

  @Test func sorsaReconstructionAndRegulariser() throws {
    let w = Fx.matrix(8, 12, seed: 51)
    let site = LinearSite(layer: 1, module: .output)
    let sigma = try LAPACK.svd(w).s.scalars
    for scale in [1.0, 1.5] {
      let s = try SORSALinear<Double>(site: site, base: w, rank: 3, scale: scale)
      // W_res + s B diag(S) A == W.
      var bs = s.b
      for i in 0..<bs.shape[0] { for j in 0..<3 { bs[i, j] *= s.s.scalars[j] } }
      let rebuilt = s.residual.adding(Tensor.matmul(bs, s.a), scaledBy: scale)
      #expect(Fx.relative(rebuilt, w) <= 1e-13)
      // Orthonormal factors; S the top singular values, descending.
      #expect(Fx.diagonalError(Tensor.matmul(s.a, s.a, transposeB: true), [1, 1, 1]) <= 1e-12)
      #expect(Fx.diagonalError(Tensor.matmul(s.b, s.b, transposeA: true), [1, 1, 1]) <= 1e-12)
      for j in 0..<3 { #expect(abs(s.s.scalars[j] - sigma[j]) <= 1e-12 * sigma[0]) }
      #expect(zip(s.s.scalars, s.s.scalars.dropFirst()).allSatisfy { $0 >= $1 })
      // The regulariser vanishes at init and grows when B leaves the Stiefel manifold.
      #expect(s.orthonormalRegularizer().value <= 1e-10)
      var scaled = s
      scaled.b.scale(by: 3)
      let value = scaled.orthonormalRegularizer().value
      // ‖9 I − I‖_F = 8 √r, plus A's ≈ 0.
      #expect(abs(value - 8 * 3.0.squareRoot()) <= 1e-9, "regulariser \(value)")
    }
    // Encoder level: the averaged regulariser is ≈ 0 at init, nil for methods without one.
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    var encoder = try AdaptedEncoder(configuration: AdapterConfiguration(method: .sorsa, rank: 3), bert: bert, base: base)
    let atInit = try #require(encoder.orthonormalRegularizer())
    #expect(atInit.value <= 1e-10)
    #expect(atInit.gradients.names == encoder.namedTensors.map(\.name))
    encoder.updateEach { name, t in if name.hasSuffix("sorsa_B") { t.scale(by: 3) } }
    let after = try #require(encoder.orthonormalRegularizer())
    // Every one of the 6 adapters contributes 8 √3 to R_B; den = 2 · 6.
    #expect(abs(after.value - 6 * 8 * 3.0.squareRoot() / 12) <= 1e-9, "\(after.value)")
    let lora = try AdaptedEncoder(configuration: AdapterConfiguration(method: .lora), bert: bert, base: base)
    #expect(lora.orthonormalRegularizer() == nil)
    for a in encoder.adapters {
      let s = try #require(a as? SORSALinear<Double>)
      for (j, v) in s.s.scalars.enumerated() {
        #expect(abs(v - (try LAPACK.svd(base.weight(at: a.site)).s.scalars[j])) <= 1e-12 * 10)
      }
    }
  }

  @Test func goatReconstruction() throws {
    let w = Fx.matrix(12, 8, seed: 52)  // k = min(12, 8) = 8
    let site = LinearSite(layer: 0, module: .intermediate)
    let sigma = try LAPACK.svd(w).s.scalars
    let rho = 10.0
    for (experts, rank, scale) in [(2, 4, 3.0), (4, 4, 16.0), (4, 8, 0.5), (1, 2, 2.0)] {
      var rng = SplitMix64(seed: 8)
      let g = try GOATLinear<Double>(
        site: site, base: w, rank: rank, experts: experts, topK: 1, scale: scale, auxiliaryWeight: 0, using: &rng)
      let label = "E=\(experts) r=\(rank) s=\(scale)"
      #expect(g.experts == experts && g.a.shape == [rank, 8] && g.b.shape == [12, rank] && g.router.shape == [experts, 8])
      // W_res + (s / E) Σ_i B_i A_i == W (init_cof = 1/E).
      let rebuilt = g.residual.adding(Tensor.matmul(g.b, g.a), scaledBy: scale / Double(experts))
      #expect(Fx.relative(rebuilt, w) <= 1e-13, "\(label)")
      // Expert i holds the first r_i triplets of the i-th of E spectrum segments, scaled by 1/(sρ):
      // A_i A_iᵀ == B_iᵀ B_i == diag(σ[J_i]) / (sρ), J_i = [i·(k/E), i·(k/E) + r_i); J_0 starts at 0.
      let (ri, segment) = (rank / experts, sigma.count / experts)
      for i in 0..<experts {
        let ai = Fx.rows(g.a, i * ri..<(i + 1) * ri)
        let bi = Fx.columns(g.b, i * ri..<(i + 1) * ri)
        let expected = (0..<ri).map { sigma[i * segment + $0] / (scale * rho) }
        #expect(Fx.diagonalError(Tensor.matmul(ai, ai, transposeB: true), expected) <= 1e-12 * sigma[0], "\(label) A_\(i)")
        #expect(Fx.diagonalError(Tensor.matmul(bi, bi, transposeA: true), expected) <= 1e-12 * sigma[0], "\(label) B_\(i)")
      }
      // Experts occupy disjoint singular directions: A_i A_jᵀ == 0 for i ≠ j.
      let gram = Tensor.matmul(g.a, g.a, transposeB: true)
      for x in 0..<rank { for y in 0..<rank where x / ri != y / ri { #expect(abs(gram[x, y]) <= 1e-12 * sigma[0]) } }
      // Router: PyTorch's Linear default, U(−1/√in, 1/√in).
      let bound = 1 / 8.0.squareRoot()
      #expect(g.router.scalars.allSatisfy { abs($0) <= bound })
    }
  }

  @Test func doraMagnitudeIsTheRowNormOfW() throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let encoder = try AdaptedEncoder(
      configuration: AdapterConfiguration(method: .dora, rank: 2, targets: [.query, .intermediate, .output]), bert: bert,
      base: base)
    #expect(encoder.adapters.count == 6)
    for a in encoder.adapters {
      let d = try #require(a as? DoRALinear<Double>)
      let norms = Fx.rowNorms(base.weight(at: a.site))
      #expect(d.magnitude.shape == [norms.count])
      #expect(relativeError(d.magnitude.scalars, norms) <= 1e-14, "\(a.site)")
    }
    // With random A, B (B ≠ 0): m starts at ‖W + sBA‖_row, so DoRA equals LoRA there (m / n = 1) and not the base.
    let h = LayerHarness(out: 6, in: 7)
    var rng = SplitMix64(seed: 3)
    let site = LinearSite(layer: 0, module: .value)
    let lora = randomized(LoRALinear<Double>(site: site, out: 6, in: 7, rank: 3, scale: 1.5, using: &rng), seed: 4)
    let dora = DoRALinear(lora: lora, base: h.base)
    let v = lora.denseWeight(base: h.base, branch: false)
    #expect(relativeError(dora.magnitude.scalars, Fx.rowNorms(v)) <= 1e-14)
    #expect(Fx.relative(dora.denseWeight(base: h.base, branch: false), v) <= 1e-14)
    #expect(Fx.relative(dora.denseWeight(base: h.base, branch: false), h.base) > 1e-3)
  }

  // MARK: 3. Merge and unmerge

  static let mergeConfigurations: [AdapterConfiguration] = [
    AdapterConfiguration(method: .lora, rank: 2, alpha: 4, targets: [.query, .value, .intermediate]),
    AdapterConfiguration(method: .rslora, rank: 4, alpha: 2, targets: LinearModule.allCases),
    AdapterConfiguration(method: .lora, rank: 2, targets: [.key, .output], dropout: 0.2),
    AdapterConfiguration(method: .dora, rank: 2, targets: [.query, .value, .output]),
    AdapterConfiguration(method: .pissa, rank: 2, alpha: 4, targets: [.query, .value, .intermediate]),
    AdapterConfiguration(method: .sorsa, rank: 3),
    AdapterConfiguration(method: .s2ft, targets: [.value, .attentionOutput, .intermediate, .output], s2ftHeads: 3, s2ftChannels: 7),
    AdapterConfiguration(method: .smt, smtBlocks: 3, smtBlockSize: 8),
    AdapterConfiguration(method: .adalink, rank: 3),
    AdapterConfiguration(method: .full),
  ]

  /// Float, trainable tensors randomised: the merged model reproduces the training path (and the
  /// evaluation forward), and `unmerged(merge(base:))` gives back the frozen weight.
  @Test(arguments: mergeConfigurations)
  func mergedModelMatchesTrainingPath(_ config: AdapterConfiguration) throws {
    let bert = try tinyBert()
    let base: BertWeights<Float> = tinyWeights(bert)
    let batch = try tinyBatch()
    var encoder = try AdaptedEncoder(configuration: config, bert: bert, base: base, smtBlocks: Fx.tinySMTBlocks())
    if config.method == .dora {
      // Unmerging needs the norms that merge(base:) caches.
      for a in encoder.adapters { #expect(a.unmerged(base.weight(at: a.site)) == nil) }
    }
    var rng = SplitMix64(seed: 31)
    let std = config.method == .full ? 0.02 : 0.3
    encoder.updateEach { _, t in t = t.adding(normal(t.shape, std: std, using: &rng).converted(to: Float.self)) }

    let merged = try encoder.merged()
    let mergedHidden = try merged.forward(batch, workers: 1)
    let baseHidden = try BertModel(configuration: bert, weights: base).forward(batch, workers: 1)
    #expect(Fx.relative(mergedHidden, baseHidden) > 1e-3, "the randomised adapter must not be a no-op")
    var r = SplitMix64(seed: 8)
    let tape = try encoder.forwardTraining(batch, using: &r, workers: 1)
    if config.dropout == 0 {
      let e = Fx.relative(mergedHidden, tape.activations.output)
      #expect(e <= 1e-5, "merged vs training path: \(e)")
    } else {
      // Dropout is active on the training path only.
      #expect(Fx.relative(mergedHidden, tape.activations.output) > 1e-5)
    }
    #expect(Fx.relative(mergedHidden, try encoder.forward(batch, workers: 1)) <= 1e-5)

    for a in encoder.adapters {
      let w = base.weight(at: a.site)
      var m = a
      let mergedOrNil = m.merge(base: w)
      let mergedWeight = try #require(mergedOrNil, "\(a.site)")
      #expect(mergedWeight == merged.weights.weight(at: a.site), "merge(base:) is the weight merged() uses")
      let back = try #require(m.unmerged(mergedWeight), "\(a.site)")
      // PiSSA and SORSA replace W by their frozen residual; unmerging recovers that frozen weight.
      let frozen = (a as? LoRALinear<Float>)?.residual ?? (a as? SORSALinear<Float>)?.residual ?? w
      let e = Fx.relative(back, frozen)
      #expect(e <= 1e-5, "\(a.site): unmerge(merge(W)) relative error \(e)")
    }
  }

  /// The merged weights (Double) against each method's formula, written out element by element,
  /// and everything the method does not adapt left bit-identical.
  @Test(arguments: mergeConfigurations)
  func mergedWeightsFollowTheMethodFormula(_ config: AdapterConfiguration) throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    var encoder = try AdaptedEncoder(configuration: config, bert: bert, base: base, smtBlocks: Fx.tinySMTBlocks())
    var rng = SplitMix64(seed: 32)
    encoder.updateEach { _, t in t = t.adding(normal(t.shape, std: 0.3, using: &rng)) }
    let dense = encoder.denseWeights(branch: false)
    if config.method == .full {
      #expect(dense == encoder.base)
      return
    }
    let bySite = Dictionary(uniqueKeysWithValues: encoder.adapters.map { ($0.site, $0) })
    for layer in 0..<bert.layerCount {
      for module in LinearModule.allCases {
        let site = LinearSite(layer: layer, module: module)
        let w = base.weight(at: site)
        guard let a = bySite[site] else {
          #expect(dense.weight(at: site) == w, "\(site) is not adapted")
          continue
        }
        let expected = try #require(Fx.naiveMerged(a, base: w), "\(site)")
        let got = dense.weight(at: site)
        if a is S2FTSlice<Double> || a is SMTBlocks<Double> {
          // The delta is added in place: entries outside the slice or blocks stay bit-identical.
          #expect(got == expected, "\(site)")
          let changed = zip(got.scalars, w.scalars).filter { $0 != $1 }.count
          #expect(changed > 0 && changed <= a.parameterCount, "\(site): \(changed) entries changed")
        } else {
          #expect(Fx.relative(got, expected) <= 1e-13, "\(site)")
        }
        // Without a branch the training path uses the same weight; LoRA's dropout branch carries the update.
        let training = encoder.denseWeights(branch: true).weight(at: site)
        if a.usesBranch {
          #expect(training == ((a as? LoRALinear<Double>)?.residual ?? w))
        } else {
          #expect(training == got)
        }
      }
    }
    if let e = encoder.embedding {
      // T'[v] = T[v] + (T[v] W_down) W_up.
      let (h, r) = (bert.hiddenSize, config.rank)
      var folded = base.wordEmbeddings
      for v in 0..<bert.vocabSize {
        let hidden = (0..<r).map { k in (0..<h).reduce(0.0) { $0 + base.wordEmbeddings[v, $1] * e.down[$1, k] } }
        for j in 0..<h { folded[v, j] += (0..<r).reduce(0.0) { $0 + hidden[$1] * e.up[$1, j] } }
      }
      #expect(Fx.relative(dense.wordEmbeddings, folded) <= 1e-13)
    } else {
      #expect(dense.wordEmbeddings == base.wordEmbeddings)
    }
    // Biases, LayerNorms, position and type embeddings: untouched.
    var restDense = dense, restBase = base
    for layer in 0..<bert.layerCount {
      for module in LinearModule.allCases {
        let site = LinearSite(layer: layer, module: module)
        let (o, i) = module.shape(bert)
        restDense.setWeight(Tensor(shape: [o, i]), at: site)
        restBase.setWeight(Tensor(shape: [o, i]), at: site)
      }
    }
    restDense.wordEmbeddings = restBase.wordEmbeddings
    #expect(restDense == restBase)
  }

  @Test func goatCannotBeMerged() throws {
    let bert = try tinyBert()
    let base: BertWeights<Float> = tinyWeights(bert)
    let encoder = try AdaptedEncoder(
      configuration: AdapterConfiguration(method: .goat, rank: 4, experts: 2, topK: 1), bert: bert, base: base)
    #expect(encoder.needsBranchAtInference)
    Fx.expectInvalidOption("--adapter") { _ = try encoder.merged() }
    for a in encoder.adapters {
      let w = base.weight(at: a.site)
      var m = a
      #expect(a.merged(base: w) == nil)
      #expect(m.merge(base: w) == nil)
      #expect(a.unmerged(w) == nil)
    }
  }

  // MARK: 4. Parameter counts on MiniLM-L6 shapes (§10.2)

  @Test func miniLMParameterCounts() throws {
    let bert = try BertConfiguration(
      hiddenSize: 384, layerCount: 6, headCount: 12, intermediateSize: 1536, vocabSize: 30522, maxPositionEmbeddings: 512)
    let base = BertWeights<Float>.zeros(configuration: bert)
    func encoder(_ c: AdapterConfiguration, smt: [LinearSite: [SMTBlocks<Float>.Block]] = [:]) throws -> AdaptedEncoder<Float> {
      try AdaptedEncoder(configuration: c, bert: bert, base: base, smtBlocks: smt)
    }
    /// One entry per adapter, in site order, each with that adapter's scalars.
    func expectPerModule(_ e: AdaptedEncoder<Float>, sourceLocation: SourceLocation = #_sourceLocation) {
      let counts = e.parameterCounts
      #expect(counts.map(\.module) == e.adapters.map { "\($0.site)" }, sourceLocation: sourceLocation)
      #expect(counts.map(\.count) == e.adapters.map(\.parameterCount), sourceLocation: sourceLocation)
      #expect(zip(e.adapters, e.adapters.dropFirst()).allSatisfy { $0.site < $1.site }, sourceLocation: sourceLocation)
    }
    let layers = 0..<6

    let lora = try encoder(AdapterConfiguration(method: .lora))
    #expect(lora.trainableParameterCount == 73_728)
    #expect(
      lora.parameterCounts.map(\.module)
        == layers.flatMap { ["encoder.layer.\($0).attention.self.query", "encoder.layer.\($0).attention.self.value"] })
    #expect(lora.parameterCounts.allSatisfy { $0.count == 2 * 8 * 384 })
    expectPerModule(lora)
    #expect(try encoder(AdapterConfiguration(method: .rslora)).trainableParameterCount == 73_728)
    #expect(try encoder(AdapterConfiguration(method: .pissa)).trainableParameterCount == 73_728)

    let dora = try encoder(AdapterConfiguration(method: .dora))
    #expect(dora.trainableParameterCount == 78_336)
    #expect(dora.parameterCounts.allSatisfy { $0.count == 2 * 8 * 384 + 384 })
    expectPerModule(dora)

    let sorsa = try encoder(AdapterConfiguration(method: .sorsa))
    #expect(sorsa.trainableParameterCount == 110_736)
    #expect(sorsa.parameterCounts.count == 18)
    expectPerModule(sorsa)

    let goat32 = try encoder(AdapterConfiguration(method: .goat, rank: 32, experts: 8))
    #expect(goat32.trainableParameterCount == 1_492_992)
    #expect(goat32.trainableParameterCount == 6 * (221_184 + 27_648))
    let perLayer: [Int] = [27_648, 27_648, 27_648, 27_648, 32 * (384 + 1536) + 8 * 384, 32 * (1536 + 384) + 8 * 1536]
    let goatCounts: [Int] = layers.flatMap { _ in perLayer }
    #expect(goat32.parameterCounts.map(\.count) == goatCounts)
    expectPerModule(goat32)
    #expect(try encoder(AdapterConfiguration(method: .goat, rank: 8, experts: 8)).trainableParameterCount == 497_664)

    let s2ft = try encoder(AdapterConfiguration(method: .s2ft))
    #expect(s2ft.trainableParameterCount == 36_864 + 70_656)
    expectPerModule(s2ft)
    #expect(Set(s2ft.adapters.map(\.site.module)).isSubset(of: [.attentionOutput, .output]))

    var smtBlocks: [LinearSite: [SMTBlocks<Float>.Block]] = [:]
    for l in layers { smtBlocks[LinearSite(layer: l, module: .value)] = [.init(row: 0, column: 0), .init(row: 5, column: 5), .init(row: 2, column: 3)] }
    let smt = try encoder(AdapterConfiguration(method: .smt), smt: smtBlocks)
    #expect(smt.trainableParameterCount == 73_728)
    expectPerModule(smt)

    let adalink = try encoder(AdapterConfiguration(method: .adalink, rank: 16))
    #expect(adalink.trainableParameterCount == 12_288)
    #expect(adalink.parameterCounts.map(\.module) == ["embeddings.word_embeddings"])

    let full = try encoder(AdapterConfiguration(method: .full))
    #expect(full.trainableParameterCount == 22_565_376)
    #expect(full.namedTensors.count == base.namedTensors.count)
    #expect(full.namedTensors.map(\.name) == base.namedTensors.map { "encoder." + $0.name })
    // Freezing the embeddings and two layers: 4 layers of 1,774,464 remain.
    #expect(try encoder(AdapterConfiguration(method: .full, freezeLayers: 2)).trainableParameterCount == 4 * 1_774_464)
    #expect(try encoder(AdapterConfiguration(method: .lora, freezeLayers: 2)).trainableParameterCount == 4 * 12_288)
  }

  /// Full fine-tuning names its tensors `encoder.layer0.qkv.weight`, `encoder.layer0.qkv.bias`, ...
  /// `parameterCounts` strips two components from names ending in `.weight` (right for PEFT's
  /// `<module>.lora_A.weight`, wrong here), so a linear map's weight and bias land in different
  /// entries and `encoder.layer0` / `encoder.layer0.ffn` are listed several times.
  @Test func fullFineTuningCountsOneEntryPerModule() throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let full = try AdaptedEncoder(configuration: AdapterConfiguration(method: .full, freezeLayers: 1), bert: bert, base: base)
    #expect(full.trainableParameterCount == 816 + 272 + 32 + 544 + 528 + 32)  // layer 1 only
    // Each tensor name without its last component (`.weight`, `.bias`) is its module.
    var expected: [(String, Int)] = []
    for (name, t) in full.namedTensors where full.group(name) != .frozen {
      let module = name.split(separator: ".").dropLast().joined(separator: ".")
      if let last = expected.last, last.0 == module { expected[expected.count - 1].1 += t.count } else { expected.append((module, t.count)) }
    }
    #expect(expected.map(\.0).first == "encoder.layer1.qkv")
    let modules = full.parameterCounts.map(\.module)
    #expect(Set(modules).count == modules.count, "\(modules)")
    #expect(modules == expected.map(\.0))
    #expect(full.parameterCounts.map(\.count) == expected.map(\.1))
  }

  /// SMT blocks come from `screener.json`; a block outside the weight would make
  /// `SMTBlocks.denseWeight` / `gradients` address memory outside it, so the encoder rejects it
  /// when it is built (this test never runs a forward pass).
  @Test func smtBlocksOutsideTheWeightAreRejected() throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let config = AdapterConfiguration(method: .smt, smtBlocks: 1, smtBlockSize: 8)
    let site = LinearSite(layer: 0, module: .query)  // 16 × 16: blocks (0...1, 0...1)
    for bad in [SMTBlocks<Double>.Block(row: 2, column: 0), .init(row: 0, column: 2), .init(row: -1, column: 0)] {
      #expect(throws: AdapterError.self, "\(bad)") {
        _ = try AdaptedEncoder(configuration: config, bert: bert, base: base, smtBlocks: [site: [bad]])
      }
    }
  }

  // MARK: 5. Validation

  @Test func invalidOptionsNameTheirFlag() throws {
    let bert = try tinyBert()  // hidden 16, 2 layers, 4 heads, FFN 32
    let base: BertWeights<Double> = tinyWeights(bert)
    let cases: [(String, AdapterConfiguration)] = [
      ("--rank", AdapterConfiguration(method: .lora, rank: 17)),
      ("--rank", AdapterConfiguration(method: .pissa, rank: 17, targets: [.intermediate])),
      ("--rank", AdapterConfiguration(method: .adalink, rank: 17)),
      ("--rank", AdapterConfiguration(method: .lora, rank: 0)),
      ("--rank", AdapterConfiguration(method: .goat, rank: 6, experts: 4)),
      ("--top-k", AdapterConfiguration(method: .goat, rank: 4, experts: 4, topK: 5)),
      ("--top-k", AdapterConfiguration(method: .goat, rank: 4, experts: 4, topK: 0)),
      ("--experts", AdapterConfiguration(method: .goat, rank: 4, experts: 0)),
      ("--smt-block-size", AdapterConfiguration(method: .smt, smtBlocks: 1, smtBlockSize: 5)),
      ("--smt-block-size", AdapterConfiguration(method: .smt, targets: [.intermediate], smtBlocks: 1, smtBlockSize: 32)),
      ("--smt-blocks", AdapterConfiguration(method: .smt, smtBlocks: 25, smtBlockSize: 8)),  // q, k, v: 3 · 4 · 2 = 24
      ("--smt-blocks", AdapterConfiguration(method: .smt, smtBlocks: 13, smtBlockSize: 8, freezeLayers: 1)),
      ("--smt-blocks", AdapterConfiguration(method: .smt, smtBlocks: 0, smtBlockSize: 8)),
      ("--smt-warmup-steps", AdapterConfiguration(method: .smt, smtBlocks: 2, smtBlockSize: 8, smtWarmupSteps: 0)),
      ("--freeze-layers", AdapterConfiguration(method: .lora, freezeLayers: 2)),
      ("--freeze-layers", AdapterConfiguration(method: .full, freezeLayers: 5)),
      ("--freeze-layers", AdapterConfiguration(method: .full, freezeLayers: -1)),
      ("--dropout", AdapterConfiguration(method: .dora, dropout: 0.1)),
      ("--dropout", AdapterConfiguration(method: .sorsa, dropout: 0.1)),
      ("--dropout", AdapterConfiguration(method: .goat, rank: 4, dropout: 0.05)),
      ("--dropout", AdapterConfiguration(method: .lora, dropout: 1)),
      ("--dropout", AdapterConfiguration(method: .lora, dropout: -0.1)),
      ("--alpha", AdapterConfiguration(method: .lora, alpha: 0)),
      ("--targets", AdapterConfiguration(method: .s2ft, targets: [.query, .output])),
      ("--targets", AdapterConfiguration(method: .s2ft, targets: [.key])),
      ("--targets", AdapterConfiguration(method: .lora, targets: [])),
      ("--targets", AdapterConfiguration(method: .lora, targets: [.query, .query])),
      ("--s2ft-heads", AdapterConfiguration(method: .s2ft, s2ftHeads: 9, s2ftChannels: 1)),  // 2 · 4 heads
      ("--s2ft-heads", AdapterConfiguration(method: .s2ft, s2ftHeads: 5, s2ftChannels: 1, freezeLayers: 1)),
      ("--s2ft-channels", AdapterConfiguration(method: .s2ft, s2ftHeads: 1, s2ftChannels: 65)),  // 2 · 32 channels
      ("--s2ft-heads", AdapterConfiguration(method: .s2ft, s2ftHeads: 0, s2ftChannels: 0)),
    ]
    for (option, c) in cases {
      Fx.expectInvalidOption(option, "\(c.testDescription)") { try c.validate(against: bert) }
      Fx.expectInvalidOption(option, "init \(c.testDescription)") {
        _ = try AdaptedEncoder(configuration: c, bert: bert, base: base, smtBlocks: Fx.tinySMTBlocks())
      }
    }
    // The boundaries themselves are valid.
    let valid: [AdapterConfiguration] = [
      AdapterConfiguration(method: .lora, rank: 16),
      AdapterConfiguration(method: .adalink, rank: 16),
      AdapterConfiguration(method: .goat, rank: 16, experts: 16, topK: 16),
      AdapterConfiguration(method: .goat, rank: 4, experts: 4, topK: 1),
      AdapterConfiguration(method: .smt, smtBlocks: 24, smtBlockSize: 8),
      AdapterConfiguration(method: .smt, smtBlocks: 1, smtBlockSize: 16),
      AdapterConfiguration(method: .s2ft, s2ftHeads: 8, s2ftChannels: 64),
      AdapterConfiguration(method: .s2ft, s2ftHeads: 0, s2ftChannels: 1),
      AdapterConfiguration(method: .lora, freezeLayers: 1),
      AdapterConfiguration(method: .pissa, dropout: 0.5),
    ]
    for c in valid {
      #expect(throws: Never.self, "\(c.testDescription)") { try c.validate(against: bert) }
    }
    // --targets parsing.
    Fx.expectInvalidOption("--targets") { _ = try LinearModule.parseList("query,foo") }
    Fx.expectInvalidOption("--targets") { _ = try LinearModule.parseList("query,attention") }
    #expect(try LinearModule.parseList("query, Value") == [.query, .value])
    #expect(try LinearModule.parseList("all-linear") == LinearModule.allCases)
    #expect(
      try LinearModule.parseList("attention.output,intermediate.dense,output")
        == [.attentionOutput, .intermediate, .output])
    // SMT needs its blocks.
    Fx.expectInvalidOption("--smt-blocks") {
      _ = try AdaptedEncoder(
        configuration: AdapterConfiguration(method: .smt, smtBlocks: 3, smtBlockSize: 8), bert: bert, base: base)
    }
  }

  // MARK: 6. Selection

  @Test func s2ftSampleIsDistinctSortedAndSeeded() {
    for (k, n) in [(7, 20), (0, 5), (5, 5), (1, 1), (3, 72)] {
      var r1 = SplitMix64(seed: 9), r2 = SplitMix64(seed: 9)
      let a = S2FTSelection.sample(k, from: n, using: &r1)
      #expect(a == S2FTSelection.sample(k, from: n, using: &r2))
      #expect(a.count == k && Set(a).count == k && a == a.sorted() && a.allSatisfy { (0..<n).contains($0) })
    }
    var draws = Set<[Int]>()
    for seed in 0..<8 as Range<UInt64> {
      var r = SplitMix64(seed: seed)
      draws.insert(S2FTSelection.sample(4, from: 30, using: &r))
    }
    #expect(draws.count > 1, "different seeds give different selections")
    // Uniform: each of 10 values is drawn with probability 3/10 (600 of 2000, σ ≈ 20).
    var hits = [Int](repeating: 0, count: 10)
    var r = SplitMix64(seed: 1)
    for _ in 0..<2000 { for v in S2FTSelection.sample(3, from: 10, using: &r) { hits[v] += 1 } }
    #expect(hits.allSatisfy { (480...720).contains($0) }, "\(hits)")
  }

  @Test func s2ftSlicesMatchTheBudget() throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let dh = bert.headSize
    func slices(_ c: AdapterConfiguration) throws -> [S2FTSlice<Double>] {
      let e = try AdaptedEncoder(configuration: c, bert: bert, base: base)
      let s = e.adapters.compactMap { $0 as? S2FTSlice<Double> }
      #expect(s.count == e.adapters.count)
      return s
    }
    for seed in 0..<6 as Range<UInt64> {
      for freeze in [0, 1] {
        let c = AdapterConfiguration(
          method: .s2ft, targets: [.value, .attentionOutput, .intermediate, .output], s2ftHeads: 3, s2ftChannels: 7,
          freezeLayers: freeze, seed: seed)
        let s = try slices(c)
        let label = "seed \(seed) freeze \(freeze)"
        #expect(s.allSatisfy { $0.site.layer >= freeze }, "\(label)")
        for m in LinearModule.allCases {
          let ofModule = s.filter { $0.site.module == m }
          let units = ofModule.reduce(0) { $0 + $1.indices.count }
          switch m {
          case .value, .attentionOutput: #expect(units == 3 * dh, "\(label) \(m)")
          case .intermediate, .output: #expect(units == 7, "\(label) \(m)")
          default: #expect(ofModule.isEmpty)
          }
          for x in ofModule {
            let (out, inDim) = m.shape(bert)
            #expect(x.axis == ([.value, .intermediate].contains(m) ? .rows : .columns))
            #expect(x.delta.shape == (x.axis == .rows ? [x.indices.count, inDim] : [out, x.indices.count]))
            #expect(x.indices == x.indices.sorted() && Set(x.indices).count == x.indices.count)
            #expect(x.indices.allSatisfy { (0..<(x.axis == .rows ? out : inDim)).contains($0) })
            #expect(x.delta.scalars.allSatisfy { $0 == 0 })
            if m == .value || m == .attentionOutput {
              // Whole heads: runs of dh consecutive units starting at a multiple of dh.
              #expect(x.indices.count % dh == 0)
              for start in stride(from: 0, to: x.indices.count, by: dh) {
                let head = x.indices[start] / dh
                #expect(Array(x.indices[start..<start + dh]) == Array(head * dh..<(head + 1) * dh), "\(label)")
              }
            }
          }
        }
        // A head trains its value rows and its attention-output columns; a channel its up row and down column.
        for layer in freeze..<bert.layerCount {
          func units(_ m: LinearModule) -> [Int] { s.first { $0.site == LinearSite(layer: layer, module: m) }?.indices ?? [] }
          #expect(units(.value) == units(.attentionOutput), "\(label) layer \(layer)")
          #expect(units(.intermediate) == units(.output), "\(label) layer \(layer)")
        }
        // Same seed, same selection.
        #expect(try slices(c).map(\.indices) == s.map(\.indices))
        #expect(try slices(c).map(\.site) == s.map(\.site))
      }
    }
    var selections = Set<[[Int]]>()
    for seed in 0..<6 as Range<UInt64> {
      selections.insert(try slices(AdapterConfiguration(method: .s2ft, s2ftHeads: 2, s2ftChannels: 5, seed: seed)).map(\.indices))
    }
    #expect(selections.count > 1)
  }

  @Test func smtSelectionPicksPlantedBlocksGlobally() throws {
    let q0 = LinearSite(layer: 0, module: .query)
    let i0 = LinearSite(layer: 0, module: .intermediate)
    let v1 = LinearSite(layer: 1, module: .value)
    typealias Block = SMTBlocks<Double>.Block
    let b = 4
    func plant(_ g: inout Tensor<Double>, _ block: Block, _ value: (Int, Int) -> Double) {
      for i in 0..<b { for j in 0..<b { g[block.row * b + i, block.column * b + j] = value(i, j) } }
    }
    // blockScores: row-major over blocks, |mean over the block|.
    var single = Tensor<Double>(shape: [16, 16])
    plant(&single, Block(row: 2, column: 1)) { _, _ in -1.5 }
    let scores = SMTBlocks<Double>.blockScores(single, blockSize: b)
    #expect(scores.count == 16)
    for (k, (block, score)) in scores.enumerated() {
      #expect(block == Block(row: k / 4, column: k % 4))
      #expect(score == (block == Block(row: 2, column: 1) ? 1.5 : 0))
    }

    var rng = SplitMix64(seed: 60)
    var g: [LinearSite: Tensor<Double>] = [
      q0: normal([16, 16], std: 0.01, using: &rng), i0: normal([32, 16], std: 0.01, using: &rng),
      v1: normal([16, 16], std: 0.01, using: &rng),
    ]
    plant(&g[v1]!, Block(row: 2, column: 1)) { _, _ in 1 }
    plant(&g[q0]!, Block(row: 0, column: 3)) { _, _ in -0.6 }
    // Mean then abs: a block of large alternating signs scores ≈ 0 despite its size.
    plant(&g[i0]!, Block(row: 5, column: 0)) { i, j in (i + j) % 2 == 0 ? 10 : -10 }
    #expect(SMTSelection.blocks(gradients: g, count: 1, blockSize: b) == [v1: [Block(row: 2, column: 1)]])
    #expect(
      SMTSelection.blocks(gradients: g, count: 2, blockSize: b)
        == [v1: [Block(row: 2, column: 1)], q0: [Block(row: 0, column: 3)]])
    let total = 16 + 32 + 16
    for n in [5, 20, total, total + 3] {
      let chosen = SMTSelection.blocks(gradients: g, count: n, blockSize: b)
      #expect(chosen.values.reduce(0) { $0 + $1.count } == min(n, total))
      #expect(chosen.values.allSatisfy { Set($0).count == $0.count })
      #expect(chosen[v1]?.first == Block(row: 2, column: 1))
      #expect(chosen == SMTSelection.blocks(gradients: g, count: n, blockSize: b))
    }
    // Ties: by site, then block row, then block column.
    let zeros: [LinearSite: Tensor<Double>] = [v1: Tensor(shape: [16, 16]), i0: Tensor(shape: [32, 16]), q0: Tensor(shape: [16, 16])]
    #expect(SMTSelection.blocks(gradients: zeros, count: 3, blockSize: b) == [q0: [.init(row: 0, column: 0), .init(row: 0, column: 1), .init(row: 0, column: 2)]])
    let eighteen = SMTSelection.blocks(gradients: zeros, count: 18, blockSize: b)
    #expect(eighteen[q0]?.count == 16 && eighteen[i0] == [.init(row: 0, column: 0), .init(row: 0, column: 1)] && eighteen[v1] == nil)
    // The selection drives the encoder: one SMT adapter per selected site, b² scalars per block.
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    let chosen = SMTSelection.blocks(gradients: g, count: 6, blockSize: b)
    let encoder = try AdaptedEncoder(
      configuration: AdapterConfiguration(
        method: .smt, targets: [.query, .value, .intermediate], smtBlocks: 6, smtBlockSize: b),
      bert: bert, base: base, smtBlocks: chosen)
    #expect(encoder.adapters.map(\.site) == chosen.keys.sorted())
    #expect(encoder.trainableParameterCount == 6 * b * b)
    for a in encoder.adapters {
      let s = try #require(a as? SMTBlocks<Double>)
      #expect(s.blocks == chosen[a.site]?.sorted())
    }
  }

  // MARK: 7. GOAT routing

  @Test(arguments: [(4, 1), (4, 2), (4, 4), (2, 1), (8, 3)])
  func goatRoutingWeights(experts: Int, topK: Int) throws {
    let h = LayerHarness(out: 8, in: 8, rows: 9)
    var rng = SplitMix64(seed: 40)
    var goat = try GOATLinear<Double>(
      site: LinearSite(layer: 0, module: .value), base: h.base, rank: experts, experts: experts, topK: topK, scale: 2,
      auxiliaryWeight: 0, using: &rng)
    goat.router = normal(goat.router.shape, std: 2, using: &rng)
    let (e, n) = (experts, h.rows)

    let (_, state, aux) = h.output(goat, x: h.x)
    let st = try #require(state as? RoutingState<Double>)
    #expect(st.rows == n && st.experts == e)
    var f = [Double](repeating: 0, count: e), meanP = [Double](repeating: 0, count: e)
    for row in 0..<n {
      let p = (0..<e).map { st.probabilities[row * e + $0] }
      let w = (0..<e).map { st.weights[row * e + $0] }
      let chosen = (0..<e).filter { w[$0] != 0 }
      #expect(abs(p.reduce(0, +) - 1) <= 1e-12)
      #expect(chosen.count == topK, "row \(row): \(w)")
      #expect(abs(w.reduce(0, +) - 1) <= 1e-12, "row \(row): \(w)")
      // The chosen experts are the k most probable, renormalised.
      let others = (0..<e).filter { w[$0] == 0 }
      #expect((chosen.map { p[$0] }.min() ?? 0) >= (others.map { p[$0] }.max() ?? 0))
      let mass = chosen.reduce(0) { $0 + p[$1] }
      for i in chosen { #expect(abs(w[i] - p[i] / mass) <= 1e-12) }
      // Softmax of the router logits.
      let z = (0..<e).map { i in (0..<8).reduce(0.0) { $0 + goat.router[i, $1] * h.x[row, $1] } }
      let zmax = z.max()!
      let ez = z.map { exp($0 - zmax) }
      for i in 0..<e { #expect(abs(p[i] - ez[i] / ez.reduce(0, +)) <= 1e-12) }
      for i in 0..<e {
        f[i] += chosen.contains(i) ? 1 / Double(n) : 0
        meanP[i] += p[i] / Double(n)
      }
    }
    #expect(abs(f.reduce(0, +) - Double(topK)) <= 1e-12)
    let expectedAux = Double(e) * zip(f, meanP).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(aux - expectedAux) <= 1e-12, "aux \(aux) vs \(expectedAux)")

    // A zero router: uniform probabilities, the first k experts (ties to the lower index) at 1/k, aux == k.
    goat.router = Tensor(shape: goat.router.shape)
    let (_, zeroState, zeroAux) = h.output(goat, x: h.x)
    let zs = try #require(zeroState as? RoutingState<Double>)
    for row in 0..<n {
      for i in 0..<e {
        #expect(abs(zs.probabilities[row * e + i] - 1 / Double(e)) <= 1e-15)
        #expect(abs(zs.weights[row * e + i] - (i < topK ? 1 / Double(topK) : 0)) <= 1e-15)
      }
    }
    #expect(abs(zeroAux - Double(topK)) <= 1e-12, "aux \(zeroAux)")
  }

  /// The branch adds Σ_{i∈T} w_i s B_i A_i x to the residual path, written out per row.
  @Test func goatBranchIsTheWeightedExpertSum() throws {
    let h = LayerHarness(out: 6, in: 8, rows: 7)
    var rng = SplitMix64(seed: 41)
    let goat = randomized(
      try GOATLinear<Double>(
        site: LinearSite(layer: 0, module: .query), base: h.base, rank: 4, experts: 2, topK: 1, scale: 1.5,
        auxiliaryWeight: 0, using: &rng), std: 0.7, seed: 42)
    let (y, state, _) = h.output(goat, x: h.x)
    let st = try #require(state as? RoutingState<Double>)
    let plain = Tensor.matmul(h.x, goat.residual, transposeB: true).addingBias(h.bias)
    let ri = 2
    for row in 0..<h.rows {
      for o in 0..<6 {
        var expected = plain[row, o]
        for i in 0..<2 {
          let w = st.weights[row * 2 + i]
          for k in i * ri..<(i + 1) * ri {
            let ax = (0..<8).reduce(0.0) { $0 + goat.a[k, $1] * h.x[row, $1] }
            expected += w * 1.5 * goat.b[o, k] * ax
          }
        }
        #expect(abs(y[row, o] - expected) <= 1e-12)
      }
    }
  }

  // MARK: 8. LoRA initialisation and scaling

  @Test func loraInitialisation() throws {
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    for method in [AdapterMethod.lora, .rslora, .dora] {
      let config = AdapterConfiguration(method: method, rank: 4, targets: LinearModule.allCases, seed: 3)
      let encoder = try AdaptedEncoder(configuration: config, bert: bert, base: base)
      #expect(encoder.adapters.count == 12)
      var outer = 0, total = 0
      for a in encoder.adapters {
        let l = try #require((a as? LoRALinear<Double>) ?? (a as? DoRALinear<Double>)?.lora)
        let (out, inDim) = a.site.module.shape(bert)
        #expect(l.a.shape == [4, inDim] && l.b.shape == [out, 4])
        let bound = 1 / Double(inDim).squareRoot()
        #expect(l.a.scalars.allSatisfy { abs($0) <= bound }, "\(method) \(a.site)")
        #expect(l.b.scalars.allSatisfy { $0 == 0 }, "\(method) \(a.site)")
        #expect(l.residual == nil && l.dropout == 0)
        outer += l.a.scalars.filter { abs($0) > bound / 2 }.count
        total += l.a.count
      }
      // Uniform on (−b, b): half of the draws lie beyond b/2.
      let share = Double(outer) / Double(total)
      #expect((0.42...0.58).contains(share), "\(method): share beyond b/2 \(share)")
      // Seeded.
      let again = try AdaptedEncoder(configuration: config, bert: bert, base: base)
      #expect(again.namedTensors.map(\.tensor) == encoder.namedTensors.map(\.tensor))
      var other = config
      other.seed = 4
      #expect(try AdaptedEncoder(configuration: other, bert: bert, base: base).namedTensors.map(\.tensor) != encoder.namedTensors.map(\.tensor))
    }
    // AdaLink: W_down like LoRA's A (fan-in H), W_up zero.
    let adalink = try AdaptedEncoder(configuration: AdapterConfiguration(method: .adalink, rank: 5), bert: bert, base: base)
    let e = try #require(adalink.embedding)
    #expect(e.down.shape == [16, 5] && e.up.shape == [5, 16])
    #expect(e.down.scalars.allSatisfy { abs($0) <= 0.25 } && e.down.scalars.contains { abs($0) > 0.125 })
    #expect(e.up.scalars.allSatisfy { $0 == 0 })
  }

  @Test func scalings() throws {
    func scaling(_ m: AdapterMethod, rank: Int, alpha: Double?, experts: Int = 4) -> Double {
      AdapterConfiguration(method: m, rank: rank, alpha: alpha, experts: experts).scaling
    }
    #expect(scaling(.lora, rank: 4, alpha: 8) == 2)  // α / r
    #expect(scaling(.lora, rank: 8, alpha: nil) == 1)  // α defaults to r
    #expect(scaling(.rslora, rank: 4, alpha: 8) == 4)  // α / √r
    #expect(scaling(.rslora, rank: 16, alpha: 2) == 0.5)
    #expect(scaling(.rslora, rank: 4, alpha: nil) == 2)
    #expect(scaling(.dora, rank: 4, alpha: 6) == 1.5)
    #expect(scaling(.pissa, rank: 3, alpha: 6) == 2)
    #expect(scaling(.sorsa, rank: 8, alpha: nil) == 1)  // SORSA: 1 unless α is given
    #expect(scaling(.sorsa, rank: 8, alpha: 16) == 2)
    #expect(scaling(.goat, rank: 8, alpha: 16, experts: 8) == 16)  // α / r_i: the paper's NLU table
    #expect(scaling(.goat, rank: 32, alpha: 64, experts: 8) == 16)  // glue.sh
    #expect(scaling(.goat, rank: 8, alpha: nil, experts: 4) == 8)  // α = 2r, r_i = 2
    // The adapters carry the configuration's scale.
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    for (m, alpha, expected) in [(AdapterMethod.lora, 8.0, 2.0), (.rslora, 8, 4), (.dora, 8, 2)] {
      let e = try AdaptedEncoder(configuration: AdapterConfiguration(method: m, rank: 4, alpha: alpha), bert: bert, base: base)
      for a in e.adapters {
        let l = try #require((a as? LoRALinear<Double>) ?? (a as? DoRALinear<Double>)?.lora)
        #expect(l.scale == expected, "\(m)")
      }
    }
    let goat = try AdaptedEncoder(
      configuration: AdapterConfiguration(method: .goat, rank: 8, alpha: 16, experts: 4, topK: 2), bert: bert, base: base)
    #expect(goat.adapters.allSatisfy { ($0 as? GOATLinear<Double>)?.scale == 8 })
    let sorsa = try AdaptedEncoder(configuration: AdapterConfiguration(method: .sorsa, rank: 4, alpha: 6), bert: bert, base: base)
    #expect(sorsa.adapters.allSatisfy { ($0 as? SORSALinear<Double>)?.scale == 1.5 })
  }
}

/// Helpers of ``InvariantTests`` (namespaced so they cannot clash with other test files).
enum InvariantFixtures {
  /// SMT blocks for the tiny model with block size 8 (2 × 2 blocks per 16 × 16 weight).
  static func tinySMTBlocks<S: BLASScalar>() -> [LinearSite: [SMTBlocks<S>.Block]] {
    [
      LinearSite(layer: 0, module: .query): [.init(row: 1, column: 0)],
      LinearSite(layer: 1, module: .value): [.init(row: 0, column: 0), .init(row: 1, column: 1)],
    ]
  }

  static func maxAbs<S: BLASScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Double { Double(a.maxAbsDifference(b)) }

  static func relative<S: BLASScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Double {
    relativeError(a.scalars.map { Double($0) }, b.scalars.map { Double($0) })
  }

  static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor<Double> {
    var rng = SplitMix64(seed: seed)
    return normal([rows, columns], std: 0.5, using: &rng)
  }

  /// `max |m − diag(d)|` over all entries of a square `m`.
  static func diagonalError(_ m: Tensor<Double>, _ d: [Double]) -> Double {
    let n = m.shape[0]
    precondition(m.shape == [n, n] && d.count == n)
    var e = 0.0
    for i in 0..<n { for j in 0..<n { e = max(e, abs(m[i, j] - (i == j ? d[i] : 0))) } }
    return e
  }

  static func rowNorms(_ w: Tensor<Double>) -> [Double] {
    (0..<w.shape[0]).map { o in (0..<w.shape[1]).reduce(0.0) { $0 + w[o, $1] * w[o, $1] }.squareRoot() }
  }

  static func rows(_ m: Tensor<Double>, _ r: Range<Int>) -> Tensor<Double> {
    Tensor(shape: [r.count, m.shape[1]], scalars: r.flatMap { i in (0..<m.shape[1]).map { m[i, $0] } })
  }

  static func columns(_ m: Tensor<Double>, _ c: Range<Int>) -> Tensor<Double> {
    Tensor(shape: [m.shape[0], c.count], scalars: (0..<m.shape[0]).flatMap { i in c.map { m[i, $0] } })
  }

  /// Each method's merged weight, element by element from its tensors (adapters.md §10.1).
  static func naiveMerged(_ adapter: any LinearAdapter<Double>, base w: Tensor<Double>) -> Tensor<Double>? {
    let (out, inDim) = (w.shape[0], w.shape[1])
    /// `Σ_k B[o, k] S[k] A[k, j]`.
    func product(_ b: Tensor<Double>, _ s: [Double]?, _ a: Tensor<Double>, _ o: Int, _ j: Int) -> Double {
      (0..<a.shape[0]).reduce(0.0) { $0 + b[o, $1] * (s?[$1] ?? 1) * a[$1, j] }
    }
    var m = w
    switch adapter {
    case let l as LoRALinear<Double>:
      let w0 = l.residual ?? w
      for o in 0..<out { for j in 0..<inDim { m[o, j] = w0[o, j] + l.scale * product(l.b, nil, l.a, o, j) } }
    case let d as DoRALinear<Double>:
      for o in 0..<out {
        let v = (0..<inDim).map { w[o, $0] + d.lora.scale * product(d.lora.b, nil, d.lora.a, o, $0) }
        let norm = v.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        for j in 0..<inDim { m[o, j] = d.magnitude[o] * v[j] / norm }
      }
    case let s as SORSALinear<Double>:
      for o in 0..<out { for j in 0..<inDim { m[o, j] = s.residual[o, j] + s.scale * product(s.b, s.s.scalars, s.a, o, j) } }
    case let s as S2FTSlice<Double>:
      for (k, idx) in s.indices.enumerated() {
        switch s.axis {
        case .rows: for j in 0..<inDim { m[idx, j] += s.delta[k, j] }
        case .columns: for o in 0..<out { m[o, idx] += s.delta[o, k] }
        }
      }
    case let s as SMTBlocks<Double>:
      let b = s.blockSize
      for (k, blk) in s.blocks.enumerated() {
        for i in 0..<b { for j in 0..<b { m[blk.row * b + i, blk.column * b + j] += s.delta[k, i, j] } }
      }
    default: return nil
    }
    return m
  }

  /// Expects `body` to throw ``AdapterError/invalidOption(option:reason:)`` naming `option`.
  static func expectInvalidOption(
    _ option: String, _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
  ) {
    do {
      try body()
      Issue.record("expected \(option) to be rejected: \(comment)", sourceLocation: sourceLocation)
    } catch let error as AdapterError {
      guard case .invalidOption(let got, let reason) = error else {
        Issue.record("expected invalidOption(\(option)), got \(error): \(comment)", sourceLocation: sourceLocation)
        return
      }
      #expect(got == option, "\(comment): \(reason)", sourceLocation: sourceLocation)
      #expect(!reason.isEmpty, sourceLocation: sourceLocation)
    } catch {
      Issue.record("expected AdapterError, got \(error): \(comment)", sourceLocation: sourceLocation)
    }
  }
}
