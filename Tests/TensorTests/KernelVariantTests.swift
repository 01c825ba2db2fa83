import CKernels
import Corpus
import Foundation
import Testing

@testable import Tensor

/// Every ISA build of the C kernels this CPU can run, checked against Double references, so the
/// SSE2 fallback is tested on machines that would dispatch to AVX-512.
@Suite("C kernel variants")
struct KernelVariantTests {
  static let available: [String] = ["baseline", "avx2", "avx512"].filter { csmed_kernels_variant($0) != nil }

  static func variant(_ isa: String) throws -> csmed_kernel_variant {
    try #require(csmed_kernels_variant(isa)).pointee
  }

  @Test("the dispatched variant is one of the available ones")
  func dispatched() {
    let chosen = String(cString: csmed_kernels_isa())
    #expect(Self.available.contains(chosen))
    #expect(Self.available.first == "baseline")
    #expect(ComputePlatform.kernelVariants == Self.available)
    #expect(ComputePlatform.current.kernels == chosen)
  }

  /// scripts/test.sh runs the suite once per variant with CSMED_KERNELS set; a variant that
  /// silently fell back would make those runs repeat the widest one.
  @Test("CSMED_KERNELS, when set, is the variant in use or is reported as unmet")
  func forced() {
    let chosen = String(cString: csmed_kernels_isa())
    guard let requested = ProcessInfo.processInfo.environment["CSMED_KERNELS"], !requested.isEmpty, requested != "auto" else {
      #expect(chosen == Self.available.last)
      #expect(ComputePlatform.unmetKernelRequest == nil)
      return
    }
    if Self.available.contains(requested) {
      #expect(chosen == requested)
      #expect(ComputePlatform.unmetKernelRequest == nil)
    } else {
      #expect(ComputePlatform.unmetKernelRequest == requested)
      #expect(chosen == Self.available.last)
    }
  }

  @Test("GELU with and without bias (odd widths for the vector tails)", arguments: available)
  func gelu(isa: String) throws {
    let k = try Self.variant(isa)
    var rng = SplitMix64(seed: 71)
    for columns in [1, 15, 16, 17, 37, 1536] {
      let x: Tensor<Double> = randomTensor([3, columns], &rng, range: -9...9)
      let bias: Tensor<Double> = randomTensor([columns], &rng)
      var plain = x.converted(to: Float.self).scalars
      var biased = plain
      let fb = bias.converted(to: Float.self).scalars
      plain.withUnsafeMutableBufferPointer { k.gelu_bias($0.baseAddress, 3, columns, nil) }
      biased.withUnsafeMutableBufferPointer { p in fb.withUnsafeBufferPointer { k.gelu_bias(p.baseAddress, 3, columns, $0.baseAddress) } }
      #expect(maxAbs(plain.map(Double.init), x.scalars.map(Naive.gelu)) < 2e-6, "\(isa) \(columns)")
      let refB = x.scalars.indices.map { Naive.gelu(x.scalars[$0] + bias.scalars[$0 % columns]) }
      #expect(maxAbs(biased.map(Double.init), refB) < 2e-6, "\(isa) \(columns)")
    }
  }

  @Test("exp rows: shifted exponentials and their sums, strided rows left alone past the width", arguments: available)
  func expRows(isa: String) throws {
    let k = try Self.variant(isa)
    var rng = SplitMix64(seed: 72)
    for columns in [1, 7, 16, 33, 256] {
      let stride = columns + 3
      let x: Tensor<Double> = randomTensor([2, stride], &rng, range: -40...40)
      var f = x.converted(to: Float.self).scalars
      var sums: [Float] = [0, 0]
      f.withUnsafeMutableBufferPointer { p in sums.withUnsafeMutableBufferPointer { k.exp_rows(p.baseAddress, 2, columns, stride, 0.5, $0.baseAddress) } }
      for r in 0..<2 {
        let row = x.scalars[r * stride..<r * stride + columns].map { Double(Float($0)) }  // the Float inputs
        let m = row.max()! * 0.5
        let ref = row.map { exp($0 * 0.5 - m) }
        for c in 0..<columns { #expect(abs(Double(f[r * stride + c]) - ref[c]) <= 1e-6 * max(1, ref[c]), "\(isa)") }
        #expect(abs(Double(sums[r]) - ref.reduce(0, +)) < 1e-5 * Double(columns), "\(isa)")
        for c in columns..<stride { #expect(f[r * stride + c] == Float(x.scalars[r * stride + c])) }
      }
    }
  }

  @Test("GELU backward against the exact derivative", arguments: available)
  func geluBackward(isa: String) throws {
    let k = try Self.variant(isa)
    let xs: [Float] = (0..<1003).map { Float($0 - 501) * 0.02 } + [-12, -9.5, 0, 1e-8, 9.5, 12]
    var d: [Float] = xs.indices.map { Float(($0 % 7) - 3) * 0.5 }
    let expected = zip(xs, d).map { Double($1) * Naive.geluDerivative(Double($0)) }
    xs.withUnsafeBufferPointer { xp in d.withUnsafeMutableBufferPointer { k.gelu_backward_in_place(xp.baseAddress, $0.baseAddress, xs.count) } }
    #expect(maxAbs(d.map(Double.init), expected) < 2e-6, "\(isa)")
  }

  @Test("softmax backward: p * (d - Σ p d)", arguments: available)
  func softmaxBackward(isa: String) throws {
    let k = try Self.variant(isa)
    var rng = SplitMix64(seed: 73)
    for columns in [1, 9, 16, 31, 256] {
      let logits: Tensor<Double> = randomTensor([3, columns], &rng, range: -4...4)
      let p = (0..<3).flatMap { r in Naive.softmax(Array(logits.scalars[r * columns..<(r + 1) * columns]), scale: 1) }
      let dp: Tensor<Double> = randomTensor([3, columns], &rng)
      let fp = p.map(Float.init)
      var d = dp.converted(to: Float.self).scalars
      fp.withUnsafeBufferPointer { pp in d.withUnsafeMutableBufferPointer { k.softmax_backward_in_place(pp.baseAddress, $0.baseAddress, 3, columns) } }
      var ref = [Double]()
      for r in 0..<3 {
        let range = r * columns..<(r + 1) * columns
        let dot = zip(p[range], dp.scalars[range]).map(*).reduce(0, +)
        ref += range.map { p[$0] * (dp.scalars[$0] - dot) }
      }
      #expect(maxAbs(d.map(Double.init), ref) < 1e-6, "\(isa) \(columns)")
    }
  }
}
