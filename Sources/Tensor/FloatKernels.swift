/// Vectorised kernels for `Float`, written for the baseline x86-64 / arm64 vector ISA (no FMA,
/// no SSE4.1 rounding), so they need no target flags. Transcendental loops (`exp`, `erf`) are
/// plain scalar code without calls or branches, which LLVM's loop vectoriser turns into SIMD
/// (measured faster than hand-written `SIMD8`, whose `pointwiseMin/Max` are not inlined);
/// reductions use explicit `SIMD8` accumulators (a float sum is not auto-vectorised).
enum FloatKernels {
  typealias V = SIMD8<Float>
  static let width = 8

  // MARK: - Elementary functions

  // `pointwiseMin`/`pointwiseMax` are not inlined by the stdlib (calls per vector); a compare
  // and select is.
  @inline(__always)
  static func vmax(_ a: V, _ b: V) -> V { a.replacing(with: b, where: a .< b) }

  @inline(__always)
  static func vmin(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .< a) }

  // MARK: - Scalar forms written for LLVM's loop vectorizer (no calls, no branches)

  /// `exp(x)` (Cephes `expf` polynomial, about 2 ulp); inputs clamped to `[-87.3, 88.7]`, so very
  /// negative inputs give ~1e-38 rather than 0.
  @inline(__always)
  static func expScalar(_ xIn: Float) -> Float {
    var x = xIn < -87.3 ? -87.3 : xIn
    x = x > 88.7 ? 88.7 : x
    let magic: Float = 12_582_912.0
    let t = x * 1.442_695_040_888_963_4 + magic
    let n = t - magic
    let nInt = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000
    x = x - n * 0.693_359_375 - n * -2.121_944_400_546_905_8e-4
    var y: Float = 1.987_569_150_0e-4
    y = y * x + 1.398_199_950_7e-3
    y = y * x + 8.333_451_907_3e-3
    y = y * x + 4.166_579_589_4e-2
    y = y * x + 1.666_666_545_9e-1
    y = y * x + 5.000_000_120_1e-1
    y = y * (x * x) + x + 1
    return y * Float(bitPattern: UInt32(bitPattern: (nInt &+ 127) &<< 23))
  }

  /// `erf(x)`: Abramowitz & Stegun 7.1.26 (max abs error 1.5e-7), the approximation PyTorch's
  /// vectorised CPU `erf` uses. (7.1.28, which needs no `exp`, is ~1.5x faster but its `^16`
  /// amplifies Float rounding to 1.4e-6.)
  @inline(__always)
  static func erfScalar(_ x: Float) -> Float {
    let sign = x.bitPattern & 0x8000_0000
    let ax = Float(bitPattern: x.bitPattern & 0x7FFF_FFFF)
    let t = 1 / (1 + 0.327_591_1 * ax)
    var p: Float = 1.061_405_429
    p = p * t - 1.453_152_027
    p = p * t + 1.421_413_741
    p = p * t - 0.284_496_736
    p = p * t + 0.254_829_592
    p = p * t
    let r = 1 - p * expScalar(-(ax * ax))
    return Float(bitPattern: r.bitPattern | sign)
  }

  @inline(__always)
  static func geluScalar(_ x: Float) -> Float {
    0.5 * x * (1 + erfScalar(x * 0.707_106_781_186_547_5))
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>, _ count: Int) -> V {
    if count >= width { return UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    var v = V(repeating: 0)
    for i in 0..<count { v[i] = p[i] }
    return v
  }

  @inline(__always)
  static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count >= width {
      UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
      return
    }
    for i in 0..<count { p[i] = v[i] }
  }

  // MARK: - Kernels

  static func addBias(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>
  ) {
    for r in 0..<rows {
      let row = x + r * columns
      var c = 0
      while c < columns {
        let k = min(width, columns - c)
        store(load(row + c, k) + load(bias + c, k), row + c, k)
        c += width
      }
    }
  }

  static func addBiasGELU(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>?
  ) {
    for r in 0..<rows {
      let row = x + r * columns
      if let bias {
        for c in 0..<columns { row[c] = geluScalar(row[c] + bias[c]) }
      } else {
        for c in 0..<columns { row[c] = geluScalar(row[c]) }
      }
    }
  }

  static func softmaxRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, scale: Float
  ) {
    guard columns > 0 else { return }
    var sum: Float = 0
    for r in 0..<rows {
      let row = x + r * stride
      exponentiateRows(row, rows: 1, columns: columns, stride: stride, scale: scale, rowSums: &sum)
      let inv = 1 / sum
      for c in 0..<columns { row[c] *= inv }
    }
  }

  static func exponentiateRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, scale: Float,
    rowSums: UnsafeMutablePointer<Float>
  ) {
    guard columns > 0 else {
      for r in 0..<rows { rowSums[r] = 0 }
      return
    }
    let full = columns - columns % width
    for r in 0..<rows {
      let row = x + r * stride
      var vmax = V(repeating: -.infinity)
      var c = 0
      while c < full {
        vmax = FloatKernels.vmax(vmax, load(row + c, width))
        c += width
      }
      var m = vmax.max()
      while c < columns {
        m = max(m, row[c])
        c += 1
      }
      // softmax(scale * x): subtract scale * max (scale > 0). The exp loop is scalar code that
      // LLVM vectorises; the sum is a separate SIMD pass (a float sum is not auto-vectorised).
      let shift = m * scale
      for i in 0..<columns { row[i] = expScalar(row[i] * scale - shift) }
      var vsum = V(repeating: 0)
      c = 0
      while c < full {
        vsum += load(row + c, width)
        c += width
      }
      var sum = vsum.sum()
      while c < columns {
        sum += row[c]
        c += 1
      }
      rowSums[r] = sum
    }
  }

  static func divideRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int,
    by divisors: UnsafePointer<Float>
  ) {
    for r in 0..<rows {
      let row = x + r * stride
      let inv = 1 / divisors[r]
      for c in 0..<columns { row[c] *= inv }
    }
  }

  static func layerNorm(
    _ x: UnsafePointer<Float>, residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
    rows: Int, columns: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    epsilon: Float, mean meanOut: UnsafeMutablePointer<Float>?,
    rstd rstdOut: UnsafeMutablePointer<Float>?
  ) {
    let n = Float(columns)
    for r in 0..<rows {
      let xi = x + r * columns
      let ri = residual.map { $0 + r * columns }
      let out = output + r * columns
      // Pass 1: v = x + residual written to out, and its sum.
      var vsum = V(repeating: 0)
      var c = 0
      while c < columns {
        let k = min(width, columns - c)
        var v = load(xi + c, k)
        if let ri { v += load(ri + c, k) }
        store(v, out + c, k)
        vsum += v
        c += width
      }
      let mean = vsum.sum() / n
      // Pass 2: biased variance around the mean (two-pass, like PyTorch's Welford in spirit).
      let vmean = V(repeating: mean)
      var vsq = V(repeating: 0)
      c = 0
      while c < columns {
        let k = min(width, columns - c)
        var d = load(out + c, k) - vmean
        if k < width { for i in k..<width { d[i] = 0 } }
        vsq += d * d
        c += width
      }
      let rstd = 1 / (vsq.sum() / n + epsilon).squareRoot()
      let vr = V(repeating: rstd)
      c = 0
      while c < columns {
        let k = min(width, columns - c)
        let y = (load(out + c, k) - vmean) * vr * load(gamma + c, k) + load(beta + c, k)
        store(y, out + c, k)
        c += width
      }
      meanOut?[r] = mean
      rstdOut?[r] = rstd
    }
  }

  // MARK: - Backward

  /// `exp(x)` on 8 lanes: ``expScalar(_:)``'s Cephes polynomial, written with explicit vectors
  /// (the scalar loop of ``geluBackward`` was left scalar by LLVM, since `dx` aliases `dy`).
  @inline(__always)
  static func expVector(_ xIn: V) -> V {
    var x = xIn.replacing(with: -87.3, where: xIn .< -87.3)
    x = x.replacing(with: 88.7, where: x .> 88.7)
    let magic = V(repeating: 12_582_912.0)
    let t = x * 1.442_695_040_888_963_4 + magic
    let n = t - magic
    let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    x = x - n * 0.693_359_375 - n * -2.121_944_400_546_905_8e-4
    var y = V(repeating: 1.987_569_150_0e-4)
    y = y * x + 1.398_199_950_7e-3
    y = y * x + 8.333_451_907_3e-3
    y = y * x + 4.166_579_589_4e-2
    y = y * x + 1.666_666_545_9e-1
    y = y * x + 5.000_000_120_1e-1
    y = y * (x * x) + x + 1
    return y * unsafeBitCast((bits &+ 127) &<< 23, to: V.self)
  }

  /// `dx = dy * (Φ(x) + x φ(x))`, with `Φ(x) = (1 + erf(x/√2)) / 2` from Abramowitz & Stegun
  /// 7.1.26 and one shared `exp(−x²/2)` (the erf's and the density's). `dx` may alias `dy`.
  static func geluBackward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    var i = 0
    let signMask = SIMD8<UInt32>(repeating: 0x8000_0000)
    while i + width <= count {
      let v = load(x + i, width)
      let d = load(dy + i, width)
      let e = expVector(-0.5 * v * v)
      let bits = unsafeBitCast(v, to: SIMD8<UInt32>.self)
      let ax = unsafeBitCast(bits & ~signMask, to: V.self) * 0.707_106_781_186_547_5
      let t = 1 / (1 + 0.327_591_1 * ax)
      var p = V(repeating: 1.061_405_429)
      p = p * t - 1.453_152_027
      p = p * t + 1.421_413_741
      p = p * t - 0.284_496_736
      p = p * t + 0.254_829_592
      p = p * t
      let erfAbs = 1 - p * e
      let erf = unsafeBitCast(unsafeBitCast(erfAbs, to: SIMD8<UInt32>.self) | (bits & signMask), to: V.self)
      let out = d * (0.5 * (1 + erf) + v * (e * 0.398_942_280_401_432_7))
      UnsafeMutableRawPointer(dx + i).storeBytes(of: out, as: V.self)
      i += width
    }
    while i < count {
      let v = x[i]
      let cdf = 0.5 * (1 + erfScalar(v * 0.707_106_781_186_547_5))
      let pdf = expScalar(-0.5 * v * v) * 0.398_942_280_401_432_7
      dx[i] = dy[i] * (cdf + v * pdf)
      i += 1
    }
  }

  /// `ds = p * (dp - Σ p dp)` per row (contiguous rows); `ds` may alias `dp`.
  static func softmaxBackward(
    _ p: UnsafePointer<Float>, _ dp: UnsafePointer<Float>, _ ds: UnsafeMutablePointer<Float>,
    rows: Int, columns: Int
  ) {
    let full = columns - columns % width
    for r in 0..<rows {
      let (pr, dpr, dsr) = (p + r * columns, dp + r * columns, ds + r * columns)
      var acc = V(repeating: 0)
      var c = 0
      while c < full {
        acc += load(pr + c, width) * load(dpr + c, width)
        c += width
      }
      var dot = acc.sum()
      while c < columns {
        dot += pr[c] * dpr[c]
        c += 1
      }
      for i in 0..<columns { dsr[i] = pr[i] * (dpr[i] - dot) }
    }
  }
}
