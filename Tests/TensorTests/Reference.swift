import Corpus
import Foundation

@testable import Tensor

func randomTensor<S: BLASScalar>(
  _ shape: [Int], _ rng: inout SplitMix64, range: ClosedRange<Double> = -1...1
) -> Tensor<S> where S.RawSignificand: FixedWidthInteger {
  Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in S(Double.random(in: range, using: &rng)) })
}

/// Naive references, in Double, one beside each fast kernel.
enum Naive {
  static func matmul(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let av = ta ? a[p * m + i] : a[i * k + p]
          let bv = tb ? b[j * k + p] : b[p * n + j]
          s += av * bv
        }
        c[i * n + j] = s
      }
    }
    return c
  }

  static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

  /// GELU'(x) = Φ(x) + x φ(x).
  static func geluDerivative(_ x: Double) -> Double {
    0.5 * (1 + erf(x / 2.0.squareRoot())) + x * exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
  }

  static func softmax(_ row: [Double], scale: Double) -> [Double] {
    let m = row.map { $0 * scale }.max() ?? 0
    let e = row.map { exp($0 * scale - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }

  static func layerNorm(_ row: [Double], gamma: [Double], beta: [Double], eps: Double) -> [Double] {
    let n = Double(row.count)
    let mean = row.reduce(0, +) / n
    let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
    return row.indices.map { (row[$0] - mean) / (variance + eps).squareRoot() * gamma[$0] + beta[$0] }
  }
}

func maxAbs(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count)
  return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
