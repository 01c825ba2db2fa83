import Corpus
import Foundation
import Tensor
import Testing
import Text

@testable import Encoder

/// Norm-wise relative error ‖a − n‖ / max(‖a‖, ‖n‖, 1e-12) between analytic and numeric gradients.
func relativeError(_ a: [Double], _ n: [Double]) -> Double {
  let diff = zip(a, n).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
  let na = a.map { $0 * $0 }.reduce(0, +).squareRoot()
  let nn = n.map { $0 * $0 }.reduce(0, +).squareRoot()
  return diff / max(na, nn, 1e-12)
}

/// Central differences of `f` at `x` for the given coordinates.
func numericGradient(_ x: [Double], coordinates: [Int], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
  coordinates.map { i in
    var xp = x, xm = x
    xp[i] += h
    xm[i] -= h
    return (f(xp) - f(xm)) / (2 * h)
  }
}

func randomArray(_ n: Int, _ rng: inout SplitMix64, scale: Double = 1) -> [Double] {
  (0..<n).map { _ in Double.random(in: -scale...scale, using: &rng) }
}

@Suite("Backward kernels: finite-difference checks in Double")
struct KernelGradientTests {
  @Test("GELU backward")
  func gelu() {
    var rng = SplitMix64(seed: 21)
    let x = randomArray(50, &rng, scale: 4)
    let g = randomArray(50, &rng)
    var analytic = [Double](repeating: 0, count: 50)
    x.withUnsafeBufferPointer { xp in
      g.withUnsafeBufferPointer { gp in
        analytic.withUnsafeMutableBufferPointer { ap in
          Double.geluBackward(xp.requiredBaseAddress, gp.requiredBaseAddress, ap.requiredBaseAddress, count: 50)
        }
      }
    }
    let numeric = numericGradient(x, coordinates: Array(0..<50)) { v in
      Tensor(shape: [50], scalars: v).gelu().scalars.enumerated().map { $0.element * g[$0.offset] }.reduce(0, +)
    }
    #expect(relativeError(analytic, numeric) < 1e-8)
  }

  @Test("softmax backward")
  func softmax() {
    var rng = SplitMix64(seed: 22)
    let (rows, cols) = (3, 7)
    let x = randomArray(rows * cols, &rng, scale: 3)
    let g = randomArray(rows * cols, &rng)
    let p = Tensor(shape: [rows, cols], scalars: x).softmaxLastDimension().scalars
    var analytic = [Double](repeating: 0, count: rows * cols)
    p.withUnsafeBufferPointer { pp in
      g.withUnsafeBufferPointer { gp in
        analytic.withUnsafeMutableBufferPointer { ap in
          Double.softmaxBackward(
            pp.requiredBaseAddress, gp.requiredBaseAddress, ap.requiredBaseAddress, rows: rows, columns: cols)
        }
      }
    }
    let numeric = numericGradient(x, coordinates: Array(0..<rows * cols)) { v in
      zip(Tensor(shape: [rows, cols], scalars: v).softmaxLastDimension().scalars, g).map(*).reduce(0, +)
    }
    #expect(relativeError(analytic, numeric) < 1e-8)
  }

  @Test("LayerNorm backward: input, weight and bias")
  func layerNorm() {
    var rng = SplitMix64(seed: 23)
    let (rows, cols) = (4, 9)
    let v = randomArray(rows * cols, &rng, scale: 2)
    let gamma = randomArray(cols, &rng), beta = randomArray(cols, &rng)
    let g = randomArray(rows * cols, &rng)
    func loss(_ v: [Double], _ gamma: [Double], _ beta: [Double]) -> Double {
      let y = Tensor(shape: [rows, cols], scalars: v).layerNorm(
        gamma: Tensor(shape: [cols], scalars: gamma), beta: Tensor(shape: [cols], scalars: beta), epsilon: 1e-5)
      return zip(y.scalars, g).map(*).reduce(0, +)
    }
    var mean = [Double](repeating: 0, count: rows), rstd = mean
    var out = v
    var dv = v, dGamma = [Double](repeating: 0, count: cols), dBeta = dGamma
    v.withBase { vp in
      gamma.withBase { gp in
        beta.withBase { bp in
          g.withBase { dy in
            out.withMutableBase { o in
              mean.withMutableBase { m in
                rstd.withMutableBase { r in
                  Double.layerNorm(
                    vp, residual: nil, output: o, rows: rows, columns: cols, gamma: gp, beta: bp, epsilon: 1e-5,
                    mean: m, rstd: r)
                  dv.withMutableBase { dvp in
                    dGamma.withMutableBase { dg in
                      dBeta.withMutableBase { db in
                        Double.layerNormBackward(
                          vp, mean: m, rstd: r, gamma: gp, dy, dvp, dGamma: dg, dBeta: db, rows: rows, columns: cols)
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
    #expect(relativeError(dv, numericGradient(v, coordinates: Array(0..<rows * cols)) { loss($0, gamma, beta) }) < 1e-8)
    #expect(relativeError(dGamma, numericGradient(gamma, coordinates: Array(0..<cols)) { loss(v, $0, beta) }) < 1e-8)
    #expect(relativeError(dBeta, numericGradient(beta, coordinates: Array(0..<cols)) { loss(v, gamma, $0) }) < 1e-8)
  }

  @Test("mean/CLS pooling and L2 normalisation backward")
  func pooling() {
    var rng = SplitMix64(seed: 24)
    let (b, t, h) = (2, 4, 3)
    let lengths = [4, 2]
    let x = randomArray(b * t * h, &rng)
    let g = randomArray(b * h, &rng)
    for pooling in Pooling.allCases {
      func loss(_ v: [Double]) -> Double {
        let pooled = Pool.l2Normalized(Pool.apply(pooling, Tensor(shape: [b, t, h], scalars: v), lengths: lengths))
        return zip(pooled.scalars, g).map(*).reduce(0, +)
      }
      let pooled = Pool.apply(pooling, Tensor(shape: [b, t, h], scalars: x), lengths: lengths)
      let dPooled = Pool.l2NormalizedBackward(pooled, outputGradient: Tensor(shape: [b, h], scalars: g))
      let analytic = Pool.backward(pooling, pooledGradient: dPooled, sequenceLength: t, lengths: lengths).scalars
      #expect(relativeError(analytic, numericGradient(x, coordinates: Array(0..<b * t * h), loss)) < 1e-8)
    }
  }
}

@Suite("Encoder backward: finite-difference check of every weight tensor (Double, 2 layers, hidden 16)")
struct EncoderGradientTests {
  @Test("training forward equals inference forward")
  func trainingForwardMatches() throws {
    let model = try tinyModel(seed: 31)
    let batch = try Self.batch()
    let a = try model.forwardTraining(batch)
    let b = try model.forward(batch, workers: 1)
    #expect(a.output.maxAbsDifference(b) < 1e-12)
  }

  @Test("training forward and backward do not depend on the worker count (bitwise)")
  func deterministic() throws {
    var model = try tinyModel(seed: 34).converted(to: Float.self)
    model.rowsPerChunk = 4
    let batch = try Self.batch()
    let g = Tensor<Float>(shape: [2, 7, 16], scalars: (0..<224).map { Float($0 % 13) * 0.01 - 0.06 })
    let a1 = try model.forwardTraining(batch, workers: 1)
    let a2 = try model.forwardTraining(batch, workers: 2)
    #expect(a1.output == a2.output)
    #expect(model.backward(a1, outputGradient: g, workers: 1) == model.backward(a2, outputGradient: g, workers: 2))
  }

  static func batch() throws -> TokenBatch {
    let e1 = Encoding(inputIDs: [2, 7, 8, 9, 3, 12, 3], tokenTypeIDs: [0, 0, 0, 0, 0, 1, 1])
    let e2 = Encoding(inputIDs: [2, 5, 6, 3], tokenTypeIDs: [0, 0, 0, 0])
    return try TokenBatch(encodings: [e1, e2], paddingID: 0)
  }

  @Test("gradients of hidden states + normalised mean pooling, all tensors, relative error < 1e-6")
  func wholeEncoder() throws {
    var model = try tinyModel(seed: 32)
    model.rowsPerChunk = 3  // several chunks, so the chunked and parallel paths run
    let batch = try Self.batch()
    let (b, t, h) = (batch.batchSize, batch.sequenceLength, 16)
    var rng = SplitMix64(seed: 33)
    let gHidden = randomArray(b * t * h, &rng)
    let gPooled = randomArray(b * h, &rng)

    func loss(_ m: BertModel<Double>) -> Double {
      guard let out = try? m.forward(batch, workers: 1) else { return .nan }
      let pooled = Pool.l2Normalized(Pool.apply(.mean, out, lengths: batch.lengths))
      return zip(out.scalars, gHidden).map(*).reduce(0, +) + zip(pooled.scalars, gPooled).map(*).reduce(0, +)
    }

    // Analytic: dL/dH = gHidden + pooling path.
    let acts = try model.forwardTraining(batch, workers: 2)
    let pooledRaw = Pool.apply(.mean, acts.output, lengths: batch.lengths)
    let dRaw = Pool.l2NormalizedBackward(pooledRaw, outputGradient: Tensor(shape: [b, h], scalars: gPooled))
    var dHidden = Pool.backward(.mean, pooledGradient: dRaw, sequenceLength: t, lengths: batch.lengths)
    dHidden = Tensor(shape: dHidden.shape, scalars: zip(dHidden.scalars, gHidden).map(+))
    let grads = model.backward(acts, outputGradient: dHidden, workers: 2)

    let analyticByName = Dictionary(uniqueKeysWithValues: grads.namedTensors.map { ($0.name, $0.tensor) })
    var checked = 0
    for (name, tensor) in model.weights.namedTensors {
      // Coordinates: rows actually used for embeddings, random ones elsewhere.
      var candidates = Array(0..<tensor.count)
      if name == "embeddings.word" {
        candidates = Set(batch.inputIDs).sorted().flatMap { id in (0..<h).map { Int(id) * h + $0 } }
      } else if name == "embeddings.position" {
        candidates = Array(0..<t * h)
      }
      var pick = SplitMix64(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
      let coordinates = Array(candidates.shuffled(using: &pick).prefix(24))
      let analytic = coordinates.map { analyticByName[name]?.scalars[$0] ?? .nan }
      let numeric = numericGradient(tensor.scalars, coordinates: coordinates, h: 1e-5) { values in
        var w = model.weights
        w.updateEach { n, t in if n == name { t = Tensor(shape: t.shape, scalars: values) } }
        guard let m = try? BertModel(configuration: model.configuration, weights: w) else { return .nan }
        return loss(m)
      }
      let err = relativeError(analytic, numeric)
      if ProcessInfo.processInfo.environment["SHOW_GRAD_ERRORS"] != nil { print("grad check \(name): \(err)") }
      #expect(err < 1e-6, "\(name): relative error \(err)")
      #expect(analytic.contains { $0 != 0 }, "\(name): all-zero gradient sample")
      checked += 1
    }
    #expect(checked == 5 + 12 * 2)
  }
}
