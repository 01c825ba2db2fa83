import CKernels

/// Vectorised kernels for `Float` that need no transcendental functions, written for the
/// baseline x86-64 / arm64 vector ISA with explicit `SIMD8` (a float sum is not auto-vectorised).
/// The transcendental ones (GELU, softmax's exp and their backward passes) are C in `CKernels`,
/// built per ISA and dispatched at load time.
enum FloatKernels {
  typealias V = SIMD8<Float>
  static let width = 8

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

  static func softmaxRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, scale: Float
  ) {
    guard columns > 0 else { return }
    var sum: Float = 0
    for r in 0..<rows {
      let row = x + r * stride
      csmed_exp_rows(row, 1, columns, stride, scale, &sum)
      let inv = 1 / sum
      for c in 0..<columns { row[c] *= inv }
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
}
