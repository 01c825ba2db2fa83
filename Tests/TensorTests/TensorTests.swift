import CKernels
import Corpus
import Foundation
import Testing

@testable import Tensor

@Suite("GEMM")
struct GEMMTests {
  static let cases: [(Int, Int, Int, Bool, Bool)] = [
    (3, 5, 7, false, false), (3, 5, 7, true, false), (3, 5, 7, false, true), (3, 5, 7, true, true),
    (1, 1, 1, false, false), (17, 9, 33, false, true), (64, 48, 40, true, true),
  ]

  @Test("Double matmul equals the naive triple loop for all transposes", arguments: 0..<7)
  func doubleMatmul(index: Int) {
    let (m, n, k, ta, tb) = Self.cases[index]
    var rng = SplitMix64(seed: UInt64(index))
    let a: Tensor<Double> = randomTensor(ta ? [k, m] : [m, k], &rng)
    let b: Tensor<Double> = randomTensor(tb ? [n, k] : [k, n], &rng)
    let c = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
    #expect(c.shape == [m, n])
    let ref = Naive.matmul(a.scalars, b.scalars, m: m, n: n, k: k, ta: ta, tb: tb)
    #expect(maxAbs(c.scalars, ref) < 1e-12)
  }

  @Test("Float matmul equals the naive triple loop for all transposes", arguments: 0..<7)
  func floatMatmul(index: Int) {
    let (m, n, k, ta, tb) = Self.cases[index]
    var rng = SplitMix64(seed: 100 + UInt64(index))
    let a: Tensor<Float> = randomTensor(ta ? [k, m] : [m, k], &rng)
    let b: Tensor<Float> = randomTensor(tb ? [n, k] : [k, n], &rng)
    let c = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
    let ref = Naive.matmul(
      a.scalars.map(Double.init), b.scalars.map(Double.init), m: m, n: n, k: k, ta: ta, tb: tb)
    #expect(maxAbs(c.scalars.map(Double.init), ref) < 1e-5)
  }

  @Test("strided sub-blocks: alpha, beta and leading dimensions")
  func strided() {
    var rng = SplitMix64(seed: 7)
    // A is the left 4x3 block of a 4x6 buffer; C accumulates with beta = 1.
    let a: Tensor<Double> = randomTensor([4, 6], &rng)
    let b: Tensor<Double> = randomTensor([3, 5], &rng)
    var c = Tensor<Double>(shape: [4, 5], repeating: 1)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          Double.gemm(
            .none, .none, m: 4, n: 5, k: 3, alpha: 2, a: pa.requiredBaseAddress, lda: 6,
            b: pb.requiredBaseAddress, ldb: 5, beta: 1, c: pc.requiredBaseAddress, ldc: 5)
        }
      }
    }
    for i in 0..<4 {
      for j in 0..<5 {
        var s = 0.0
        for p in 0..<3 { s += a[i, p] * b[p, j] }
        #expect(abs(c[i, j] - (1 + 2 * s)) < 1e-12)
      }
    }
  }
}

@Suite("Kernels")
struct KernelTests {
  @Test("Float exp is accurate to a few ulp on [-87, 88]")
  func exp() {
    var worst = 0.0
    var x: Float = -87
    while x < 88 {
      let v = csmed_exp(x)
      worst = max(worst, abs(Double(v) - Foundation.exp(Double(x))) / Foundation.exp(Double(x)))
      x += 0.0137
    }
    #expect(worst < 5e-7)
  }

  @Test("GELU (erf form) matches the naive reference, Float and Double")
  func gelu() {
    var rng = SplitMix64(seed: 3)
    let x: Tensor<Double> = randomTensor([7, 37], &rng, range: -6...6)
    let ref = x.scalars.map(Naive.gelu)
    #expect(maxAbs(x.gelu().scalars, ref) < 1e-14)
    // Float GELU of the Float-rounded input, for every CKernels variant (with or without FMA):
    // x/2 · (1 + erf) with erf within A&S 7.1.26's 1.5e-7 and 2 ulp(1) of Float rounding, plus
    // 1 ulp of the product.
    let xf = x.converted(to: Float.self)
    for (got, input) in zip(xf.gelu().scalars, xf.scalars) {
      let exact = Naive.gelu(Double(input))
      let bound = (1.5e-7 + 2 * Double(Float.ulpOfOne)) * abs(Double(input)) / 2 + Double(Float(exact).ulp)
      #expect(abs(Double(got) - exact) <= bound, "x = \(input)")
    }
    let bias: Tensor<Double> = randomTensor([37], &rng)
    var xb = x.converted(to: Float.self)
    xb.withUnsafeMutableBufferPointer { p in
      bias.converted(to: Float.self).withUnsafeBufferPointer { pb in
        Float.addBiasGELU(p.requiredBaseAddress, rows: 7, columns: 37, bias: pb.requiredBaseAddress)
      }
    }
    let refB = (0..<7 * 37).map { Naive.gelu(x.scalars[$0] + bias.scalars[$0 % 37]) }
    #expect(maxAbs(xb.scalars.map(Double.init), refB) < 2e-6)
  }

  @Test("softmax over rows (with scale, odd widths) matches the naive reference", arguments: [1, 5, 8, 33, 256])
  func softmax(columns: Int) {
    var rng = SplitMix64(seed: UInt64(columns))
    let x: Tensor<Double> = randomTensor([3, columns], &rng, range: -20...20)
    let scale = 0.37
    let ref = (0..<3).flatMap { r in Naive.softmax(Array(x.scalars[r * columns..<(r + 1) * columns]), scale: scale) }
    #expect(maxAbs(x.softmaxLastDimension(scale: scale).scalars, ref) < 1e-14)
    let f = x.converted(to: Float.self).softmaxLastDimension(scale: Float(scale))
    #expect(maxAbs(f.scalars.map(Double.init), ref) < 1e-6)
  }

  @Test("softmax on a strided sub-block leaves the rest untouched")
  func softmaxStrided() {
    var buffer = [Float](repeating: 5, count: 2 * 10)
    for i in 0..<4 { buffer[i] = Float(i); buffer[10 + i] = Float(-i) }
    buffer.withUnsafeMutableBufferPointer { p in
      Float.softmaxRows(p.requiredBaseAddress, rows: 2, columns: 4, stride: 10, scale: 1)
    }
    #expect(abs(buffer[0..<4].reduce(0, +) - 1) < 1e-6)
    #expect(abs(buffer[10..<14].reduce(0, +) - 1) < 1e-6)
    #expect(buffer[4..<10].allSatisfy { $0 == 5 } && buffer[14..<20].allSatisfy { $0 == 5 })
  }

  @Test("LayerNorm with and without residual matches the naive reference", arguments: [3, 16, 37, 384])
  func layerNorm(columns: Int) {
    var rng = SplitMix64(seed: 11 + UInt64(columns))
    let x: Tensor<Double> = randomTensor([4, columns], &rng, range: -3...5)
    let r: Tensor<Double> = randomTensor([4, columns], &rng)
    let g: Tensor<Double> = randomTensor([columns], &rng)
    let b: Tensor<Double> = randomTensor([columns], &rng)
    let eps = 1e-12
    let ref = (0..<4).flatMap { i in
      Naive.layerNorm(
        (0..<columns).map { x.scalars[i * columns + $0] + r.scalars[i * columns + $0] },
        gamma: g.scalars, beta: b.scalars, eps: eps)
    }
    #expect(maxAbs(x.layerNorm(gamma: g, beta: b, epsilon: eps, residual: r).scalars, ref) < 1e-12)
    let f = x.converted(to: Float.self).layerNorm(
      gamma: g.converted(), beta: b.converted(), epsilon: Float(eps), residual: r.converted())
    #expect(maxAbs(f.scalars.map(Double.init), ref) < 1e-5)
    let plainRef = (0..<4).flatMap { i in
      Naive.layerNorm(Array(x.scalars[i * columns..<(i + 1) * columns]), gamma: g.scalars, beta: b.scalars, eps: eps)
    }
    #expect(maxAbs(x.layerNorm(gamma: g, beta: b, epsilon: eps).scalars, plainRef) < 1e-12)
  }

  @Test("bias add broadcasts over rows")
  func addBias() {
    let x = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor<Float>(shape: [3], scalars: [10, 20, 30])
    #expect(x.addingBias(b).scalars == [11, 22, 33, 14, 25, 36])
  }
}

@Suite("Tensor basics, threads, LAPACK")
struct TensorBasicsTests {
  @Test("indexing is row-major; reshape keeps scalars")
  func indexing() {
    var t = Tensor<Double>(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
    #expect(t[1, 2] == 5)
    t[0, 1] = 9
    #expect(t.scalars == [0, 9, 2, 3, 4, 5])
    #expect(t.reshaped([3, 2]).shape == [3, 2])
  }

  @Test("Parallel.ranges covers 0..<n in contiguous parts; forEach visits each item once")
  func parallel() {
    #expect(Parallel.ranges(10, parts: 3) == [0..<3, 3..<6, 6..<10])
    #expect(Parallel.ranges(2, parts: 4) == [0..<1, 1..<2])
    var hits = [Int](repeating: 0, count: 101)
    hits.withUnsafeMutableBufferPointer { p in
      let box = UncheckedSendable(p)
      Parallel.forEach(101, workers: 3) { _, i in box.value[i] += 1 }
    }
    #expect(hits.allSatisfy { $0 == 1 })
  }

  @Test("BLAS thread count can be set")
  func threads() {
    let before = BLASThreads.count
    BLASThreads.set(1)
    #expect(BLASThreads.count == 1)
    BLASThreads.set(before)
    #expect(!BLASThreads.configuration.isEmpty)
  }

  @Test("SVD through LAPACK dgesdd reconstructs the matrix", arguments: [(5, 3), (3, 5), (4, 4)])
  func svd(shape: (Int, Int)) throws {
    var rng = SplitMix64(seed: 5)
    let a: Tensor<Double> = randomTensor([shape.0, shape.1], &rng)
    let (u, s, vt) = try LAPACK.svd(a)
    let r = min(shape.0, shape.1)
    #expect(u.shape == [shape.0, r] && s.shape == [r] && vt.shape == [r, shape.1])
    var us = u
    for i in 0..<shape.0 { for j in 0..<r { us[i, j] *= s[j] } }
    let back = Tensor.matmul(us, vt)
    #expect(back.maxAbsDifference(a) < 1e-12)
    #expect(zip(s.scalars, s.scalars.dropFirst()).allSatisfy { $0 >= $1 })
  }
}

@Suite("Unnormalised softmax pieces")
struct ExponentiateRowsTests {
  @Test("exponentiateRows + divideRows equal softmax (Float vs naive Double)", arguments: [1, 7, 8, 100])
  func pieces(columns: Int) {
    var rng = SplitMix64(seed: 40 + UInt64(columns))
    let x: Tensor<Double> = randomTensor([3, columns], &rng, range: -30...30)
    let ref = (0..<3).flatMap { r in Naive.softmax(Array(x.scalars[r * columns..<(r + 1) * columns]), scale: 0.5) }
    var f = x.converted(to: Float.self).scalars
    var sums = [Float](repeating: 0, count: 3)
    f.withUnsafeMutableBufferPointer { p in
      sums.withUnsafeMutableBufferPointer { s in
        Float.exponentiateRows(
          p.requiredBaseAddress, rows: 3, columns: columns, stride: columns, scale: 0.5, rowSums: s.requiredBaseAddress)
        Float.divideRows(
          p.requiredBaseAddress, rows: 3, columns: columns, stride: columns, by: UnsafePointer(s.requiredBaseAddress))
      }
    }
    #expect(maxAbs(f.map(Double.init), ref) < 1e-6)
    var d = x.scalars
    var dsums = [Double](repeating: 0, count: 3)
    d.withUnsafeMutableBufferPointer { p in
      dsums.withUnsafeMutableBufferPointer { s in
        Double.exponentiateRows(
          p.requiredBaseAddress, rows: 3, columns: columns, stride: columns, scale: 0.5, rowSums: s.requiredBaseAddress)
        Double.divideRows(
          p.requiredBaseAddress, rows: 3, columns: columns, stride: columns, by: UnsafePointer(s.requiredBaseAddress))
      }
    }
    #expect(maxAbs(d, ref) < 1e-14)
  }

  @Test("scalar exp and erf forms (used by the vectorised loops) are accurate")
  func scalarForms() {
    var worstExp = 0.0, worstErf = 0.0
    var x: Float = -20
    while x < 20 {
      worstExp = max(
        worstExp, abs(Double(csmed_exp(x)) - Foundation.exp(Double(x))) / Foundation.exp(Double(x)))
      worstErf = max(worstErf, abs(Double(csmed_erf(x / 4)) - Foundation.erf(Double(x / 4))))
      x += 0.01
    }
    #expect(worstExp < 5e-7)
    #expect(worstErf < 5e-7)  // A&S 7.1.26 bound 1.5e-7 plus Float rounding
  }
}

@Suite struct GELUBackwardFloatTests {
  /// The Float kernel (8-lane vectors plus a scalar tail, `dx` aliasing `dy`) against the exact
  /// derivative in Double.
  @Test func matchesTheExactDerivative() {
    let xs: [Float] = (0..<1003).map { Float($0 - 501) * 0.02 } + [-12, -9.5, 0, 1e-8, 9.5, 12]
    var dy: [Float] = xs.indices.map { Float(($0 % 7) - 3) * 0.5 }
    let expected = zip(xs, dy).map { Double($1) * Naive.geluDerivative(Double($0)) }
    xs.withUnsafeBufferPointer { xp in
      dy.withUnsafeMutableBufferPointer { dp in
        Float.geluBackward(xp.baseAddress!, UnsafePointer(dp.baseAddress!), dp.baseAddress!, count: xs.count)
      }
    }
    let worst = zip(dy, expected).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(worst < 2e-6, "max error \(worst)")
  }
}
