import Corpus
import Foundation
import Tensor

@testable import Adapters
@testable import Encoder

/// The tiny model of the encoder tests: 2 layers, hidden 16, 4 heads, FFN 32, vocab 40.
func tinyBert() throws -> BertConfiguration {
  try BertConfiguration(
    hiddenSize: 16, layerCount: 2, headCount: 4, intermediateSize: 32, vocabSize: 40,
    maxPositionEmbeddings: 24, typeVocabSize: 2, layerNormEpsilon: 1e-12)
}

func tinyWeights<S: BLASScalar>(_ c: BertConfiguration, seed: UInt64 = 1) -> BertWeights<S> {
  var rng = SplitMix64(seed: seed)
  return BertWeights<S>.random(configuration: c, using: &rng)
}

/// Two sequences of 5 and 3 tokens (padded to 5).
func tinyBatch() throws -> TokenBatch {
  try TokenBatch(
    batchSize: 2, sequenceLength: 5, inputIDs: [2, 7, 11, 5, 3, 2, 9, 3, 0, 0], lengths: [5, 3])
}

func normal(_ shape: [Int], std: Double = 1, using rng: inout SplitMix64) -> Tensor<Double> {
  Tensor(
    shape: shape,
    scalars: (0..<shape.reduce(1, *)).map { _ in
      let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
      let u2 = Double.random(in: 0..<1, using: &rng)
      return std * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    })
}

/// Norm-wise relative error `‖a − b‖ / max(‖a‖, ‖b‖, 1e-9)`. The floor treats gradients that
/// vanish exactly (GOAT's load-balancing term with balanced experts: Σ f_i p_i is constant) and
/// come out as ~1e-19 of round-off as zero.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
  var d = 0.0, na = 0.0, nb = 0.0
  for (x, y) in zip(a, b) {
    d += (x - y) * (x - y)
    na += x * x
    nb += y * y
  }
  return d.squareRoot() / max(na.squareRoot(), nb.squareRoot(), 1e-9)
}

/// Replaces every trainable tensor of an adapter with N(0, std²) values.
func randomized<A: LinearAdapter>(_ a: A, std: Double = 0.3, seed: UInt64) -> A where A.Scalar == Double {
  var rng = SplitMix64(seed: seed)
  var out = a
  out.updateEach { _, t in t = normal(t.shape, std: std, using: &rng) }
  return out
}

/// One adapted linear map on `N` rows: `loss = Σ C ⊙ (x W'ᵀ + b + branch) + c_aux · aux`, with the
/// branch run in two row chunks (as the encoder's workers would).
struct LayerHarness {
  let base: Tensor<Double>
  let bias: Tensor<Double>
  let x: Tensor<Double>
  let c: Tensor<Double>
  let auxWeight: Double
  let branchSeed: UInt64 = 99

  init(out: Int, in inDim: Int, rows: Int = 5, auxWeight: Double = 0, seed: UInt64 = 3) {
    var rng = SplitMix64(seed: seed)
    base = normal([out, inDim], std: 0.5, using: &rng)
    bias = normal([out], std: 0.1, using: &rng)
    x = normal([rows, inDim], using: &rng)
    c = normal([rows, out], using: &rng)
    self.auxWeight = auxWeight
  }

  var rows: Int { x.shape[0] }

  func output(_ a: any LinearAdapter<Double>, x: Tensor<Double>, branch: Bool = true)
    -> (y: Tensor<Double>, state: (any BranchState)?, aux: Double)
  {
    let useBranch = branch && a.usesBranch
    let w = a.denseWeight(base: base, branch: useBranch)
    var y = Tensor.matmul(x, w, transposeB: true).addingBias(bias)
    guard useBranch else { return (y, nil, 0) }
    var rng = SplitMix64(seed: branchSeed)
    guard let st = a.makeBranchState(rowCount: rows, using: &rng) else { return (y, nil, 0) }
    let (din, dout) = (x.shape[1], y.shape[1])
    let split = rows / 2
    x.withUnsafeBufferPointer { xp in
      y.withUnsafeMutableBufferPointer { yp in
        for r in [0..<split, split..<rows] {
          a.forwardBranch(
            LinearRows(
              rows: r, x: xp.baseAddress! + r.lowerBound * din, ldx: din, y: yp.baseAddress! + r.lowerBound * dout,
              ldy: dout), state: st)
        }
      }
    }
    return (y, st, a.auxiliaryLoss(state: st))
  }

  func loss(_ a: any LinearAdapter<Double>, x: Tensor<Double>? = nil) -> Double {
    let (y, _, aux) = output(a, x: x ?? self.x)
    return zip(y.scalars, c.scalars).reduce(0) { $0 + $1.0 * $1.1 } + auxWeight * aux
  }

  /// Analytic gradients: the adapter's tensors, then `dL/dx`.
  func analytic(_ a: any LinearAdapter<Double>) -> (params: [Tensor<Double>], dX: Tensor<Double>) {
    let (_, state, _) = output(a, x: x)
    let w = a.denseWeight(base: base, branch: a.usesBranch)
    var dX = Tensor.matmul(c, w)
    let (din, dout) = (x.shape[1], c.shape[1])
    let grads = x.withUnsafeBufferPointer { xp in
      c.withUnsafeBufferPointer { cp in
        dX.withUnsafeMutableBufferPointer { dp in
          a.gradients(
            LinearGradient(
              rowCount: rows, x: xp.baseAddress!, ldx: din, dY: cp.baseAddress!, ldy: dout, dX: dp.baseAddress!, lddx: din),
            base: base, state: state)
        }
      }
    }
    return (grads, dX)
  }

  /// Central differences for every trainable scalar and every input scalar.
  func numeric<A: LinearAdapter>(_ a: A, epsilon: Double = 1e-6) -> (params: [Tensor<Double>], dX: Tensor<Double>)
  where A.Scalar == Double {
    var params: [Tensor<Double>] = []
    for (ti, (_, t)) in a.namedTensors.enumerated() {
      var g = Tensor<Double>(shape: t.shape)
      for i in 0..<t.count {
        func perturbed(_ d: Double) -> A {
          var b = a
          var k = 0
          b.updateEach { _, tensor in
            if k == ti { tensor.withUnsafeMutableBufferPointer { $0[i] += d } }
            k += 1
          }
          return b
        }
        let v = (loss(perturbed(epsilon)) - loss(perturbed(-epsilon))) / (2 * epsilon)
        g.withUnsafeMutableBufferPointer { $0[i] = v }
      }
      params.append(g)
    }
    var dX = Tensor<Double>(shape: x.shape)
    for i in 0..<x.count {
      var xp = x, xm = x
      xp.withUnsafeMutableBufferPointer { $0[i] += epsilon }
      xm.withUnsafeMutableBufferPointer { $0[i] -= epsilon }
      let v = (loss(a, x: xp) - loss(a, x: xm)) / (2 * epsilon)
      dX.withUnsafeMutableBufferPointer { $0[i] = v }
    }
    return (params, dX)
  }
}
