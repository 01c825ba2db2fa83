import Foundation

/// Straightforward scalar kernels, used for `Double` (gradient checks), where clarity beats speed.
enum ScalarKernels {
  static func addBias<S: BLASScalar>(
    _ x: UnsafeMutablePointer<S>, rows: Int, columns: Int, bias: UnsafePointer<S>
  ) {
    for r in 0..<rows {
      let row = x + r * columns
      for c in 0..<columns { row[c] += bias[c] }
    }
  }

  static func addBiasGELU<S: BLASScalar>(
    _ x: UnsafeMutablePointer<S>, rows: Int, columns: Int, bias: UnsafePointer<S>?
  ) {
    let invSqrt2 = 1 / S(2).squareRoot()
    for r in 0..<rows {
      let row = x + r * columns
      for c in 0..<columns {
        let v = row[c] + (bias?[c] ?? 0)
        row[c] = v * 0.5 * (1 + S.erf(v * invSqrt2))
      }
    }
  }

  static func softmaxRows<S: BLASScalar>(
    _ x: UnsafeMutablePointer<S>, rows: Int, columns: Int, stride: Int, scale: S
  ) {
    guard columns > 0 else { return }
    for r in 0..<rows {
      let row = x + r * stride
      var m = -S.infinity
      for c in 0..<columns { m = Swift.max(m, row[c] * scale) }
      var sum: S = 0
      for c in 0..<columns {
        let e = S.exp(row[c] * scale - m)
        row[c] = e
        sum += e
      }
      let inv = 1 / sum
      for c in 0..<columns { row[c] *= inv }
    }
  }

  static func exponentiateRows<S: BLASScalar>(
    _ x: UnsafeMutablePointer<S>, rows: Int, columns: Int, stride: Int, scale: S,
    rowSums: UnsafeMutablePointer<S>
  ) {
    for r in 0..<rows {
      let row = x + r * stride
      var m = -S.infinity
      for c in 0..<columns { m = Swift.max(m, row[c] * scale) }
      var sum: S = 0
      for c in 0..<columns {
        let e = S.exp(row[c] * scale - m)
        row[c] = e
        sum += e
      }
      rowSums[r] = sum
    }
  }

  static func divideRows<S: BLASScalar>(
    _ x: UnsafeMutablePointer<S>, rows: Int, columns: Int, stride: Int, by divisors: UnsafePointer<S>
  ) {
    for r in 0..<rows {
      let row = x + r * stride
      for c in 0..<columns { row[c] /= divisors[r] }
    }
  }

  static func layerNorm<S: BLASScalar>(
    _ x: UnsafePointer<S>, residual: UnsafePointer<S>?, output: UnsafeMutablePointer<S>,
    rows: Int, columns: Int, gamma: UnsafePointer<S>, beta: UnsafePointer<S>,
    epsilon: S, mean meanOut: UnsafeMutablePointer<S>?, rstd rstdOut: UnsafeMutablePointer<S>?
  ) {
    let n = S(columns)
    for r in 0..<rows {
      let xi = x + r * columns
      let ri = residual.map { $0 + r * columns }
      let out = output + r * columns
      var sum: S = 0
      for c in 0..<columns { sum += xi[c] + (ri?[c] ?? 0) }
      let mean = sum / n
      var sq: S = 0
      for c in 0..<columns {
        let d = xi[c] + (ri?[c] ?? 0) - mean
        sq += d * d
      }
      let rstd = 1 / (sq / n + epsilon).squareRoot()
      for c in 0..<columns {
        let v = xi[c] + (ri?[c] ?? 0)
        out[c] = (v - mean) * rstd * gamma[c] + beta[c]
      }
      meanOut?[r] = mean
      rstdOut?[r] = rstd
    }
  }

  // MARK: - Backward

  static func geluBackward<S: BLASScalar>(
    _ x: UnsafePointer<S>, _ dy: UnsafePointer<S>, _ dx: UnsafeMutablePointer<S>, count: Int
  ) {
    let invSqrt2 = 1 / S(2).squareRoot()
    let invSqrt2Pi = 1 / (2 * S.pi).squareRoot()
    for i in 0..<count {
      let v = x[i]
      let cdf = 0.5 * (1 + S.erf(v * invSqrt2))
      let pdf = S.exp(-0.5 * v * v) * invSqrt2Pi
      dx[i] = dy[i] * (cdf + v * pdf)
    }
  }

  static func softmaxBackward<S: BLASScalar>(
    _ p: UnsafePointer<S>, _ dp: UnsafePointer<S>, _ ds: UnsafeMutablePointer<S>,
    rows: Int, columns: Int
  ) {
    for r in 0..<rows {
      let (pr, dpr, dsr) = (p + r * columns, dp + r * columns, ds + r * columns)
      var dot: S = 0
      for c in 0..<columns { dot += pr[c] * dpr[c] }
      for c in 0..<columns { dsr[c] = pr[c] * (dpr[c] - dot) }
    }
  }

  static func layerNormBackward<S: BLASScalar>(
    _ v: UnsafePointer<S>, mean: UnsafePointer<S>, rstd: UnsafePointer<S>,
    gamma: UnsafePointer<S>, _ dy: UnsafePointer<S>, _ dv: UnsafeMutablePointer<S>,
    dGamma: UnsafeMutablePointer<S>, dBeta: UnsafeMutablePointer<S>, rows: Int, columns: Int
  ) {
    let n = S(columns)
    for r in 0..<rows {
      let (vr, dyr, dvr) = (v + r * columns, dy + r * columns, dv + r * columns)
      let (m, s) = (mean[r], rstd[r])
      // dxhat = dy * gamma; dv = s * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
      var sumD: S = 0
      var sumDX: S = 0
      for c in 0..<columns {
        let xhat = (vr[c] - m) * s
        let d = dyr[c] * gamma[c]
        sumD += d
        sumDX += d * xhat
        dGamma[c] += dyr[c] * xhat
        dBeta[c] += dyr[c]
      }
      let (meanD, meanDX) = (sumD / n, sumDX / n)
      for c in 0..<columns {
        let xhat = (vr[c] - m) * s
        dvr[c] = s * (dyr[c] * gamma[c] - meanD - xhat * meanDX)
      }
    }
  }
}
