import Corpus
import Foundation
import Tensor
import Testing

@testable import Adapters
@testable import Encoder

/// Finite-difference checks in Double (adapters.md §10.4): every method's layer gradients (its
/// tensors and the layer input), then the whole encoder with that method.
@Suite struct GradientCheckTests {
  static let site = LinearSite(layer: 0, module: .value)

  static func fixed(_ d: DoRALinear<Double>, _ base: Tensor<Double>) -> DoRALinear<Double> {
    var d = d
    d.fixedNorms = d.direction(base: base).norms
    return d
  }

  static func layerAdapters(_ h: LayerHarness) throws -> [(String, any LinearAdapter<Double>)] {
    var rng = SplitMix64(seed: 5)
    let (out, inDim) = (h.base.shape[0], h.base.shape[1])
    let lora = LoRALinear<Double>(site: site, out: out, in: inDim, rank: 3, scale: 2, using: &rng)
    let dropped = LoRALinear<Double>(site: site, out: out, in: inDim, rank: 3, scale: 2, dropout: 0.3, using: &rng)
    let pissa = try LoRALinear<Double>.pissa(site: site, base: h.base, rank: 3, scale: 0.5)
    let dora = DoRALinear(lora: randomized(lora, seed: 7), base: h.base)
    let sorsa = try SORSALinear<Double>(site: site, base: h.base, rank: 3, scale: 1)
    let goat2 = try GOATLinear<Double>(
      site: site, base: h.base, rank: 4, experts: 2, topK: 1, scale: 3, auxiliaryWeight: 0.1, using: &rng)
    let goat4 = try GOATLinear<Double>(
      site: site, base: h.base, rank: 4, experts: 4, topK: 2, scale: 3, auxiliaryWeight: 0.1, using: &rng)
    let rows = S2FTSlice<Double>(site: site, axis: .rows, indices: [1, 4, 5], out: out, in: inDim)
    let cols = S2FTSlice<Double>(site: site, axis: .columns, indices: [0, 6], out: out, in: inDim)
    let smt = SMTBlocks<Double>(
      site: site, blockSize: 4, blocks: [.init(row: 1, column: 0), .init(row: 0, column: 1)])
    return [
      ("lora", randomized(lora, seed: 1)), ("lora+dropout", randomized(dropped, seed: 2)),
      ("pissa", randomized(pissa, seed: 3)), ("dora", fixed(randomized(dora, seed: 4), h.base)),
      ("sorsa", randomized(sorsa, seed: 5)), ("goat top-1 of 2", randomized(goat2, std: 0.5, seed: 6)),
      ("goat top-2 of 4", randomized(goat4, std: 0.5, seed: 7)), ("s2ft rows", randomized(rows, seed: 8)),
      ("s2ft columns", randomized(cols, seed: 9)), ("smt", randomized(smt, seed: 10)),
    ]
  }

  @Test func everyLayerMatchesFiniteDifferences() throws {
    let h = LayerHarness(out: 8, in: 8, auxWeight: 0.1)
    for (name, a) in try Self.layerAdapters(h) {
      func check<A: LinearAdapter>(_ a: A) where A.Scalar == Double {
        let (analytic, dX) = h.analytic(a)
        let (numeric, ndX) = h.numeric(a)
        for ((tensorName, _), (x, y)) in zip(a.namedTensors, zip(analytic, numeric)) {
          let e = relativeError(x.scalars, y.scalars)
          #expect(e < 1e-6, "\(name) \(tensorName): relative error \(e)")
        }
        let e = relativeError(dX.scalars, ndX.scalars)
        #expect(e < 1e-6, "\(name) input gradient: relative error \(e)")
      }
      check(a)
    }
  }

  @Test func nonSquareLoRAAndDoRA() throws {
    let h = LayerHarness(out: 6, in: 7)
    var rng = SplitMix64(seed: 11)
    let lora = randomized(LoRALinear<Double>(site: Self.site, out: 6, in: 7, rank: 3, scale: 1.5, using: &rng), seed: 12)
    for a in [lora as any LinearAdapter<Double>, Self.fixed(DoRALinear(lora: lora, base: h.base), h.base)] {
      func check<A: LinearAdapter>(_ a: A) where A.Scalar == Double {
        let (analytic, dX) = h.analytic(a)
        let (numeric, ndX) = h.numeric(a)
        for (x, y) in zip(analytic, numeric) { #expect(relativeError(x.scalars, y.scalars) < 1e-6) }
        #expect(relativeError(dX.scalars, ndX.scalars) < 1e-6)
      }
      check(a)
    }
  }

  @Test func sorsaRegularizerGradient() throws {
    let h = LayerHarness(out: 8, in: 8)
    let a = randomized(try SORSALinear<Double>(site: Self.site, base: h.base, rank: 3, scale: 1), seed: 13)
    let (_, grads) = a.orthonormalRegularizer()
    for (ti, (name, t)) in a.namedTensors.enumerated() {
      var numeric = [Double](repeating: 0, count: t.count)
      for i in 0..<t.count {
        func value(_ d: Double) -> Double {
          var b = a
          var k = 0
          b.updateEach { _, tensor in
            if k == ti { tensor.withUnsafeMutableBufferPointer { $0[i] += d } }
            k += 1
          }
          return b.orthonormalRegularizer().value
        }
        numeric[i] = (value(1e-6) - value(-1e-6)) / 2e-6
      }
      #expect(relativeError(grads[ti].scalars, numeric) < 1e-6 || (numeric.allSatisfy { $0 == 0 } && grads[ti].scalars.allSatisfy { $0 == 0 }), "\(name)")
    }
  }

  /// The whole encoder with each method: `loss = Σ C ⊙ hidden + aux`.
  static let wholeModelConfigurations: [AdapterConfiguration] = [
    AdapterConfiguration(method: .lora, rank: 2, alpha: 4),
    AdapterConfiguration(method: .rslora, rank: 4, alpha: 2, targets: [.query, .key, .value, .output]),
    AdapterConfiguration(method: .lora, rank: 2, targets: [.intermediate, .attentionOutput], dropout: 0.25),
    AdapterConfiguration(method: .dora, rank: 2),
    AdapterConfiguration(method: .pissa, rank: 2, targets: [.query, .value, .intermediate]),
    AdapterConfiguration(method: .sorsa, rank: 2),
    AdapterConfiguration(method: .goat, rank: 4, alpha: 4, experts: 2, topK: 1, auxiliaryLossWeight: 0.05),
    AdapterConfiguration(method: .s2ft, targets: [.value, .attentionOutput, .intermediate, .output], s2ftHeads: 3, s2ftChannels: 7),
    AdapterConfiguration(method: .smt, smtBlocks: 3, smtBlockSize: 8),
    AdapterConfiguration(method: .adalink, rank: 3),
    AdapterConfiguration(method: .full),
    AdapterConfiguration(method: .lora, rank: 2, freezeLayers: 1),
    AdapterConfiguration(method: .full, freezeLayers: 1),
  ]

  @Test(arguments: wholeModelConfigurations, [false, true])
  func wholeEncoderMatchesFiniteDifferences(_ config: AdapterConfiguration, encoderDropout: Bool) throws {
    // With BERT's own dropout the masks are fixed by the seed, so the loss stays differentiable.
    let dropout: (hidden: Double, attention: Double)? = encoderDropout ? (0.2, 0.3) : nil
    let bert = try tinyBert()
    let base: BertWeights<Double> = tinyWeights(bert)
    var blocks: [LinearSite: [SMTBlocks<Double>.Block]] = [:]
    if config.method == .smt {
      blocks = [
        LinearSite(layer: 0, module: .query): [.init(row: 1, column: 0)],
        LinearSite(layer: 1, module: .value): [.init(row: 0, column: 0), .init(row: 1, column: 1)],
      ]
    }
    var encoder = try AdaptedEncoder(configuration: config, bert: bert, base: base, smtBlocks: blocks)
    // Move away from the zero-change initialisation so every gradient is exercised.
    var rng = SplitMix64(seed: 21)
    if config.method != .full {
      encoder.updateEach { _, t in t = t.adding(normal(t.shape, std: 0.2, using: &rng)) }
    }
    encoder = encoder.fixingDoRANorms()
    let batch = try tinyBatch()
    let c = normal([2, 5, bert.hiddenSize], using: &rng)
    func loss(_ e: AdaptedEncoder<Double>) throws -> Double {
      var r = SplitMix64(seed: 77)
      let tape = try e.forwardTraining(batch, dropout: dropout, using: &r, workers: 1)
      return zip(tape.activations.output.scalars, c.scalars).reduce(0) { $0 + $1.0 * $1.1 } + tape.auxiliaryLoss
    }
    var r = SplitMix64(seed: 77)
    let tape = try encoder.forwardTraining(batch, dropout: dropout, using: &r, workers: 1)
    let grads = encoder.backward(tape, outputGradient: c, workers: 1)
    #expect(grads.names == encoder.namedTensors.map(\.name))
    var pick = SplitMix64(seed: 5)
    for (ti, (name, t)) in encoder.namedTensors.enumerated() where encoder.group(name) != .frozen {
      // All elements of small tensors, a sample of large ones (full fine-tuning's tables).
      let indices = t.count <= 64 ? Array(0..<t.count) : (0..<24).map { _ in Int.random(in: 0..<t.count, using: &pick) }
      var analytic: [Double] = [], numeric: [Double] = []
      for i in indices {
        func value(_ d: Double) throws -> Double {
          var e = encoder
          var k = 0
          e.updateEach { _, tensor in
            if k == ti { tensor.withUnsafeMutableBufferPointer { $0[i] += d } }
            k += 1
          }
          return try loss(e)
        }
        // ε = 1e-5: round-off (≈1e-16·|loss|/ε) stays far below small gradients such as GOAT's router.
        numeric.append((try value(1e-5) - value(-1e-5)) / 2e-5)
        analytic.append(grads.tensors[ti].scalars[i])
      }
      let e = relativeError(analytic, numeric)
      #expect(e < 1e-6, "\(config.method) \(name): relative error \(e)")
    }
  }
}

extension AdapterConfiguration: CustomTestStringConvertible {
  public var testDescription: String {
    "\(method.rawValue) r\(rank) \(targets.map(\.rawValue).joined(separator: ",")) p\(dropout) freeze\(freezeLayers)"
  }
}
