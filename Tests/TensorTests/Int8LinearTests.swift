import CKernels
import Corpus
import Foundation
import Testing

@testable import Tensor

/// int8 GEMM through oneDNN and the quantization around it, against fp64 (and exact integer)
/// references, at the saturation edges of the codes this CPU is allowed.
@Suite("int8 linear maps")
struct Int8LinearTests {
  /// `Σ_k a[i, k] · q[j, k]` in Int64.
  static func referenceProducts(_ a: [UInt8], _ q: [Int8], m: Int, n: Int, k: Int) -> [Int64] {
    var c = [Int64](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var sum: Int64 = 0
        for t in 0..<k { sum += Int64(a[i * k + t]) * Int64(q[j * k + t]) }
        c[i * n + j] = sum
      }
    }
    return c
  }

  static func products(_ a: [UInt8], _ weight: QuantizedMatrix, m: Int) -> [Int32] {
    var c = [Int32](repeating: -1, count: m * weight.rows)
    a.withUnsafeBufferPointer { ab in
      c.withUnsafeMutableBufferPointer { Int8Linear.products(ab.baseAddress!, rows: m, columns: weight.columns, weight: weight, into: $0.baseAddress!) }
    }
    return c
  }

  @Test("the codes allowed here cannot saturate vpmaddubsw's int16 pair sums without VNNI")
  func limitsFitTheInstructions() {
    let pair = 2 * Int(Int8Linear.activationLimit) * Int(Int8Linear.weightLimit)
    if !Int8Linear.hasVNNI { #expect(pair <= Int(Int16.max)) }
    #expect(Int8Linear.activationLimit == (Int8Linear.hasVNNI ? 255 : 127))
  }

  @Test("products equal the integer reference exactly, odd shapes and random codes", arguments: [(1, 1, 1), (3, 5, 7), (17, 33, 65), (64, 48, 384)])
  func randomProducts(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var rng = SplitMix64(seed: UInt64(m * 1_000 + n * 10 + k))
    let limit = Int(Int8Linear.activationLimit)
    let a = (0..<m * k).map { _ in UInt8(Int.random(in: 0...limit, using: &rng)) }
    let q = (0..<n * k).map { _ in Int8(Int.random(in: -127...127, using: &rng)) }
    let w = QuantizedMatrix(rows: n, columns: k, codes: q, scales: [Float](repeating: 1, count: n))
    #expect(Self.products(a, w, m: m).map(Int64.init) == Self.referenceProducts(a, q, m: m, n: n, k: k))
  }

  @Test("saturation edges: every activation at its largest code against ±127 weights, K = 1536")
  func saturationEdges() {
    let (m, n, k) = (4, 6, 1536)
    let top = UInt8(Int8Linear.activationLimit)
    // Rows: all at the limit, all zero, alternating limit/0, and the limit on odd columns only.
    let a = (0..<m * k).map { index -> UInt8 in
      let (i, c) = (index / k, index % k)
      switch i {
      case 0: return top
      case 1: return 0
      case 2: return c % 2 == 0 ? top : 0
      default: return c % 2 == 1 ? top : 0
      }
    }
    // Weights: all +127, all -127, alternating sign, +127/-127 in pairs, and two mixed rows.
    let q = (0..<n * k).map { index -> Int8 in
      let (j, c) = (index / k, index % k)
      switch j {
      case 0: return 127
      case 1: return -127
      case 2: return c % 2 == 0 ? 127 : -127
      case 3: return (c / 2) % 2 == 0 ? 127 : -127
      case 4: return Int8((c % 255) - 127)
      default: return c % 3 == 0 ? -127 : 127
      }
    }
    let w = QuantizedMatrix(rows: n, columns: k, codes: q, scales: [Float](repeating: 1, count: n))
    let got = Self.products(a, w, m: m).map(Int64.init)
    #expect(got == Self.referenceProducts(a, q, m: m, n: n, k: k))
    #expect(got[0] == Int64(top) * 127 * Int64(k))
  }

  @Test("quantized rows: 0 is exact, every code within half a step, outlier channels at the zero point")
  func quantizeRows() {
    let (m, k) = (3, 40)
    var rng = SplitMix64(seed: 5)
    var x = (0..<m * k).map { _ in Float.random(in: -2...3, using: &rng) }
    x[7] = 0
    x[k + 3] = 50  // an outlier channel (3) in row 1
    var keep = [Float](repeating: 1, count: k)
    keep[3] = 0
    var codes = [UInt8](repeating: 0, count: m * k)
    var scales = [Float](repeating: 0, count: m)
    var zeros = [Int32](repeating: 0, count: m)
    Int8Linear.quantize(x, rows: m, columns: k, ldx: k, keep: keep, codes: &codes, scales: &scales, zeros: &zeros)
    for i in 0..<m {
      #expect(scales[i] > 0 && scales[i] < 5.1 / Float(Int8Linear.activationLimit) * 1.001)  // the outlier left out
      #expect(codes[i * k + 3] == UInt8(zeros[i]))
      for c in 0..<k where c != 3 {
        let back = scales[i] * Float(Int32(codes[i * k + c]) - zeros[i])
        #expect(abs(back - x[i * k + c]) <= scales[i] / 2 * 1.0001, "row \(i) column \(c)")
      }
    }
    #expect(codes[7] == UInt8(zeros[0]))
  }

  @Test("linear equals the fp64 product of the dequantized codes, outliers in fp32 included")
  func linearAgainstDouble() throws {
    let (m, n, k) = (9, 12, 64)
    var rng = SplitMix64(seed: 8)
    var x = (0..<m * k).map { _ in Float.random(in: -1...1, using: &rng) }
    for i in 0..<m { x[i * k + 10] = Float.random(in: 20...30, using: &rng) }  // channel 10: an outlier
    let w = (0..<n * k).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
    var maxima = [Float](repeating: 1, count: k)
    maxima[10] = 30
    let weight = w.withUnsafeBufferPointer { QuantizedMatrix(quantizing: $0.baseAddress!, rows: n, columns: k, channelMaxima: maxima) }
    #expect(weight.outliers == [10])
    var y = [Float](repeating: .nan, count: m * n)
    let scratch = UnsafeMutableRawPointer.allocate(
      byteCount: Int8Linear.scratchBytes(rows: m, maxColumns: k, maxOutputs: n), alignment: 64)
    defer { scratch.deallocate() }
    x.withUnsafeBufferPointer { xb in
      y.withUnsafeMutableBufferPointer {
        Int8Linear.linear(xb.baseAddress!, rows: m, ldx: k, weight: weight, into: $0.baseAddress!, ldy: n, scratch: scratch)
      }
    }
    // The reference: the same per-row codes, dequantized in Double, plus the outlier channel exactly.
    var codes = [UInt8](repeating: 0, count: m * k)
    var scales = [Float](repeating: 0, count: m)
    var zeros = [Int32](repeating: 0, count: m)
    Int8Linear.quantize(x, rows: m, columns: k, ldx: k, keep: weight.keep, codes: &codes, scales: &scales, zeros: &zeros)
    var worst = 0.0
    for i in 0..<m {
      for j in 0..<n {
        var expected = Double(x[i * k + 10]) * Double(w[j * k + 10])
        for c in 0..<k where c != 10 {
          let activation = Double(scales[i]) * Double(Int32(codes[i * k + c]) - zeros[i])
          expected += activation * Double(weight.scales[j]) * Double(weight.codes[j * k + c])
        }
        worst = max(worst, abs(Double(y[i * n + j]) - expected) / max(1, abs(expected)))
      }
    }
    #expect(worst < 1e-5, "relative error \(worst)")
    // And the whole map stays close to the fp32 product.
    var exact = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for t in 0..<k { exact[i * n + j] += Double(x[i * k + t]) * Double(w[j * k + t]) } } }
    let error = zip(y, exact).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(error < 0.05, "max abs error to fp32 \(error)")
  }

  @Test("clipped rows: a heavy-tailed input's few large entries go through fp32, and the map gets closer to exact")
  func clippedRows() {
    let (m, n, k) = (6, 10, 256)
    var rng = SplitMix64(seed: 21)
    // GELU-like rows: mostly small, a few large entries at random channels.
    var x = (0..<m * k).map { _ in Float.random(in: -0.15...0.4, using: &rng) }
    for i in 0..<m { for _ in 0..<3 { x[i * k + Int.random(in: 0..<k, using: &rng)] = Float.random(in: 8...20, using: &rng) } }
    let w = (0..<n * k).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
    var exact = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for t in 0..<k { exact[i * n + j] += Double(x[i * k + t]) * Double(w[j * k + t]) } } }
    func error(clipping: Bool) -> Double {
      let weight = w.withUnsafeBufferPointer { QuantizedMatrix(quantizing: $0.baseAddress!, rows: n, columns: k, clipsRows: clipping) }
      #expect((weight.transposed != nil) == clipping)
      var y = [Float](repeating: .nan, count: m * n)
      let scratch = UnsafeMutableRawPointer.allocate(byteCount: Int8Linear.scratchBytes(rows: m, maxColumns: k, maxOutputs: n), alignment: 64)
      defer { scratch.deallocate() }
      x.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer {
          Int8Linear.linear(xb.baseAddress!, rows: m, ldx: k, weight: weight, into: $0.baseAddress!, ldy: n, scratch: scratch)
        }
      }
      return zip(y, exact).map { abs(Double($0) - $1) }.max() ?? .infinity
    }
    let (plain, clipped) = (error(clipping: false), error(clipping: true))
    #expect(clipped < plain / 2, "clipped \(clipped) vs plain \(plain)")
  }

  @Test("every CKernels variant quantizes and dequantizes the same codes", arguments: ["baseline", "avx2", "avx512"])
  func variantsAgree(isa: String) throws {
    guard let variant = csmed_kernels_variant(isa)?.pointee, let widest = csmed_kernels_variant(csmed_kernels_isa())?.pointee else { return }
    var rng = SplitMix64(seed: 13)
    let (m, k) = (5, 70)
    let x = (0..<m * k).map { _ in Float.random(in: -4...4, using: &rng) }
    func run(_ v: csmed_kernel_variant) -> ([UInt8], [Float], [Int32]) {
      var (codes, scales, zeros) = ([UInt8](repeating: 0, count: m * k), [Float](repeating: 0, count: m), [Int32](repeating: 0, count: m))
      v.quantize_rows(x, m, k, k, nil, 255, 0, &codes, &scales, &zeros)
      return (codes, scales, zeros)
    }
    let (a, b) = (run(variant), run(widest))
    #expect(a.1 == b.1 && a.2 == b.2)
    // A product within one code of a rounding boundary may round either way under FMA contraction.
    #expect(zip(a.0, b.0).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
  }
}
