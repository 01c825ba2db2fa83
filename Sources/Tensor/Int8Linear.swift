import CDNNL
import CKernels
import COpenBLAS
import Foundation

/// The weight of one linear map `y = x Wᵀ` for int8 inference.
///
/// A map's input has a few channels far larger than the rest (in all-MiniLM-L6-v2 the FFN input's
/// largest reaches ~30 where the median channel is ~1.7). Quantized per row as they are, they
/// would leave the other channels a handful of codes. So those channels (above
/// ``outlierRatio`` times the median of the calibration maxima) stay in fp32, a thin GEMM of
/// their own (LLM.int8()'s decomposition); the rest is `W[out, in]` quantized per output channel,
/// symmetric, `W[j, k] ≈ scale[j] · q[j, k]` (an outlier channel's codes are 0).
public struct QuantizedMatrix: Sendable, Equatable {
  public let rows: Int
  public let columns: Int
  /// `[rows, columns]` row-major codes in `-limit...limit`.
  public let codes: [Int8]
  public let scales: [Float]
  /// `Σ_k q[j, k]` per row (the activations' zero points are corrected with it).
  public let codeSums: [Int32]
  /// The input channels computed in fp32, ascending, and their weights `[rows, outliers]`.
  public let outliers: [Int]
  public let outlierWeights: [Float]
  /// 1 for the int8 channels and 0 for the outliers, per input channel (nil without outliers):
  /// what each channel is multiplied by before it is quantized.
  public let keep: [Float]?
  /// With ``Int8Linear/clip``: the int8 channels' weights transposed, `[columns, rows]`, the fp32
  /// path of the activations a row's range clips; nil for a map that does not clip.
  public let transposed: [Float]?

  /// A channel is an outlier when its calibration maximum exceeds this many times the median.
  public static let outlierRatio: Float = 3
  /// At most this many outlier channels per map (the thin GEMM stays thin).
  public static let maxOutliers = 16

  /// Quantizes `w` (`[rows, columns]`, row-major) to codes of at most `limit` in magnitude;
  /// `channelMaxima` (each input channel's largest magnitude on calibration data) picks the
  /// channels kept in fp32; `clipsRows` clips each row's range (for heavy-tailed inputs such as
  /// GELU outputs).
  public init(
    quantizing w: UnsafePointer<Float>, rows: Int, columns: Int, channelMaxima: [Float]? = nil, clipsRows: Bool = false,
    limit: Int8 = Int8Linear.weightLimit
  ) {
    var outliers: [Int] = []
    if let a = channelMaxima {
      precondition(a.count == columns, "\(a.count) channel maxima for \(columns) columns")
      let median = a.sorted()[columns / 2]
      outliers = a.indices.filter { a[$0] > Self.outlierRatio * median }.sorted { a[$0] > a[$1] }
        .prefix(Self.maxOutliers).sorted()
    }
    let isOutlier = Set(outliers)
    var codes = [Int8](repeating: 0, count: rows * columns)
    var scales = [Float](repeating: 0, count: rows)
    var sums = [Int32](repeating: 0, count: rows)
    for j in 0..<rows {
      let row = UnsafeBufferPointer(start: w + j * columns, count: columns)
      let largest = row.indices.reduce(Float(0)) { isOutlier.contains($1) ? $0 : max($0, abs(row[$1])) }
      let scale = largest > 0 ? largest / Float(limit) : 1
      scales[j] = scale
      var sum: Int32 = 0
      for k in 0..<columns where !isOutlier.contains(k) {
        let q = Int8(max(-Float(limit), min(Float(limit), (row[k] / scale).rounded())))
        codes[j * columns + k] = q
        sum += Int32(q)
      }
      sums[j] = sum
    }
    (self.rows, self.columns, self.codes, self.scales, self.codeSums) = (rows, columns, codes, scales, sums)
    self.outliers = outliers
    outlierWeights = (0..<rows).flatMap { j in outliers.map { w[j * columns + $0] } }
    keep = outliers.isEmpty ? nil : (0..<columns).map { isOutlier.contains($0) ? 0 : 1 }
    guard clipsRows else {
      transposed = nil
      return
    }
    var transposed = [Float](repeating: 0, count: rows * columns)
    for j in 0..<rows { for k in 0..<columns { transposed[k * rows + j] = w[j * columns + k] } }
    for k in outliers { for j in 0..<rows { transposed[k * rows + j] = 0 } }
    self.transposed = transposed
  }

  /// Codes given directly, no outliers (tests).
  public init(rows: Int, columns: Int, codes: [Int8], scales: [Float]) {
    precondition(codes.count == rows * columns && scales.count == rows, "codes or scales do not fit \(rows)x\(columns)")
    (self.rows, self.columns, self.codes, self.scales) = (rows, columns, codes, scales)
    codeSums = (0..<rows).map { j in codes[j * columns..<(j + 1) * columns].reduce(Int32(0)) { $0 + Int32($1) } }
    (outliers, outlierWeights, keep, transposed) = ([], [], nil, nil)
  }
}

/// int8 GEMMs with int32 accumulation through oneDNN (`dnnl_gemm_u8s8s32`, whose JIT kernels use
/// AVX-512 VNNI or AVX2), the per-row quantization of activations and the dequantization in Float.
///
/// Activations are quantized per row, asymmetric: `x[i, k] ≈ scale[i] · (q[i, k] − zero[i])` with
/// `q` in 0...255, so a row's own range (GELU outputs are mostly positive) gets all the codes.
public enum Int8Linear {
  /// Whether oneDNN multiplies with VNNI here (`vpdpbusd` sums u8·s8 products straight into
  /// int32: AVX-512 VNNI on Zen 4, AVX-VNNI). Without it (Zen 3, Haswell, or `DNNL_MAX_CPU_ISA`
  /// below VNNI) it uses `vpmaddubsw`, whose int16 sum of two u8·s8 products saturates above
  /// 32,767; activations limited to 0...127 keep 2 · 127 · 127 = 32,258 below that.
  public static let hasVNNI: Bool = {
    let isa = dnnl_get_effective_cpu_isa().rawValue
    return isa & dnnl_cpu_isa_avx512_core_vnni.rawValue == dnnl_cpu_isa_avx512_core_vnni.rawValue
      || isa & dnnl_cpu_isa_avx2_vnni.rawValue == dnnl_cpu_isa_avx2_vnni.rawValue
  }()

  /// A row's quantization range stops at this many times its mean magnitude; the entries beyond
  /// (a GELU output's few large values, say) are added in fp32, so they do not coarsen the codes
  /// of the rest. 0 turns clipping off.
  public static let clip: Float = 8

  /// The largest weight code (symmetric per output channel).
  public static let weightLimit: Int8 = 127
  /// The largest activation code: 255 with VNNI, 127 without (see ``hasVNNI``).
  public static var activationLimit: Int { hasVNNI ? 255 : 127 }

  /// Scratch bytes for ``linear(_:rows:ldx:weight:into:ldy:scratch:)`` over at most `rows` rows.
  public static func scratchBytes(rows: Int, maxColumns: Int, maxOutputs: Int) -> Int {
    let o = QuantizedMatrix.maxOutliers
    return Scratch.align(rows * maxColumns) + Scratch.align(4 * rows * maxOutputs) + 2 * Scratch.align(4 * rows)
      + Scratch.align(4 * rows * o)
  }

  /// The parts of a call's scratch.
  struct Scratch {
    let codes: UnsafeMutablePointer<UInt8>
    let products: UnsafeMutablePointer<Int32>
    let scales: UnsafeMutablePointer<Float>
    let zeros: UnsafeMutablePointer<Int32>
    let outlierRows: UnsafeMutablePointer<Float>

    static func align(_ bytes: Int) -> Int { (bytes + 63) & ~63 }

    init(_ base: UnsafeMutableRawPointer, rows m: Int, columns k: Int, outputs n: Int) {
      var offset = 0
      func take<T>(_ count: Int, _: T.Type) -> UnsafeMutablePointer<T> {
        defer { offset += Self.align(count * MemoryLayout<T>.stride) }
        return (base + offset).bindMemory(to: T.self, capacity: count)
      }
      let o = QuantizedMatrix.maxOutliers
      codes = take(m * k, UInt8.self)
      products = take(m * n, Int32.self)
      scales = take(m, Float.self)
      zeros = take(m, Int32.self)
      outlierRows = take(m * o, Float.self)
    }
  }

  /// The int32 products `C[m, n] = Σ_k A[i, k] · q[j, k]` of quantized rows and weight codes
  /// (row-major, `ldc` = `n`), through oneDNN on the calling thread.
  public static func products(
    _ a: UnsafePointer<UInt8>, rows m: Int, columns k: Int, weight: QuantizedMatrix, into c: UnsafeMutablePointer<Int32>
  ) {
    guard m > 0, weight.rows > 0 else { return }
    omp_set_num_threads(1)
    var offset: Int32 = 0
    let status = weight.codes.withUnsafeBufferPointer { w in
      dnnl_gemm_u8s8s32(
        CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "T")), CChar(UInt8(ascii: "F")), Int64(m), Int64(weight.rows), Int64(k),
        1, a, Int64(k), 0, w.baseAddress, Int64(k), 0, 0, c, Int64(weight.rows), &offset)
    }
    precondition(status == dnnl_success, "dnnl_gemm_u8s8s32 failed (\(status)) for \(m)x\(weight.rows)x\(k)")
  }

  /// `y[m, out] = x[m, in] · Wᵀ`: the int8 part `sx[i] · sw[j] · (C[i, j] − zero[i] · Σ_k q[j, k])`
  /// plus the outlier channels' fp32 GEMM. `scratch` holds
  /// ``scratchBytes(rows:maxColumns:maxOutputs:)`` bytes.
  public static func linear(
    _ x: UnsafePointer<Float>, rows m: Int, ldx: Int, weight: QuantizedMatrix, into y: UnsafeMutablePointer<Float>,
    ldy: Int, scratch base: UnsafeMutableRawPointer
  ) {
    let (k, n, o) = (weight.columns, weight.rows, weight.outliers.count)
    let s = Scratch(base, rows: m, columns: k, outputs: n)
    quantize(
      x, rows: m, columns: k, ldx: ldx, keep: weight.keep, clip: weight.transposed == nil ? 0 : clip, codes: s.codes,
      scales: s.scales, zeros: s.zeros)
    products(s.codes, rows: m, columns: k, weight: weight, into: s.products)
    weight.scales.withUnsafeBufferPointer { sw in
      weight.codeSums.withUnsafeBufferPointer { sums in
        csmed_dequantize_rows(s.products, m, n, s.scales, s.zeros, sw.baseAddress, sums.baseAddress, y, ldy)
      }
    }
    if let transposed = weight.transposed {
      transposed.withUnsafeBufferPointer { wt in
        withKeep(weight.keep) { csmed_add_clipped_residuals(x, m, k, ldx, $0, s.codes, s.scales, s.zeros, wt.baseAddress, n, y, ldy) }
      }
    }
    guard o > 0 else { return }
    for i in 0..<m { for (t, c) in weight.outliers.enumerated() { s.outlierRows[i * o + t] = x[i * ldx + c] } }
    weight.outlierWeights.withUnsafeBufferPointer { wo in
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(o), 1, s.outlierRows, Int32(o), wo.baseAddress,
        Int32(o), 1, y, Int32(ldy))
    }
  }

  /// Quantizes `rows` rows of `columns` (stride `ldx`) per row into `codes`, `scales` and
  /// `zeros` (CKernels, vectorised); channels with `keep[k] == 0` quantize as 0, the zero point.
  public static func quantize(
    _ x: UnsafePointer<Float>, rows: Int, columns: Int, ldx: Int, keep: [Float]? = nil, clip: Float = 0,
    codes: UnsafeMutablePointer<UInt8>, scales: UnsafeMutablePointer<Float>, zeros: UnsafeMutablePointer<Int32>
  ) {
    withKeep(keep) { csmed_quantize_rows(x, rows, columns, ldx, $0, Float(activationLimit), clip, codes, scales, zeros) }
  }

  /// `body` with a keep mask's base address (nil without one).
  private static func withKeep<R>(_ keep: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let keep else { return body(nil) }
    return keep.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}
