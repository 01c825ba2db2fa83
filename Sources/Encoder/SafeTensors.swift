import Foundation
import Tensor

/// A safetensors element type.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
  case bool = "BOOL", u8 = "U8", i8 = "I8", i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
  case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"
  case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

  /// Bytes per element.
  public var byteSize: Int {
    switch self {
    case .bool, .u8, .i8, .f8e4m3, .f8e5m2: 1
    case .i16, .u16, .f16, .bf16: 2
    case .i32, .u32, .f32: 4
    case .f64, .i64, .u64: 8
    }
  }
}

/// One tensor's header entry.
public struct SafeTensorsEntry: Sendable, Equatable {
  /// The tensor name (header key).
  public let name: String
  /// The element type.
  public let dtype: SafeTensorsDType
  /// The shape, outermost first.
  public let shape: [Int]
  /// Byte range within the data section (after the header).
  public let dataRange: Range<Int>
}

/// A parsed, validated safetensors file held in memory (`init(contentsOf:)` maps the file when safe;
/// `.fileNotFound`, `.io`).
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of JSON
/// (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`, trailing
/// spaces allowed), then the data section. Validation follows the reference implementation, each
/// failure an `EncoderError` naming the file: fewer than 8 bytes, or a header past the end
/// (`.truncated`); `n` over 100 MB, a header that is not a JSON object, a `__metadata__` that is not
/// a string map (`.invalidHeader`); per tensor (`.invalidTensorEntry`, naming it): not an object, an
/// unknown `dtype`, a `shape` not of non-negative integers (integral floats pass), `data_offsets`
/// not `[begin, end]` with 0 <= begin <= end, an element count that overflows or
/// `end - begin != elements * byteSize`, entries not contiguous from 0; data past the end
/// (`.truncated`) or ending before it (`.invalidHeader`). Other entry keys are ignored. Accessors read only
/// validated ranges: `.missingTensor`, `.unsupportedDType` (wrong dtype for `floats`/`int64s`) and
/// `.shapeMismatch` (`tensor`) are their errors. Throws only `EncoderError` (typed).
public struct SafeTensorsFile: Sendable {
  /// The file path (or a label), used in error messages.
  public let path: String
  /// The `__metadata__` string map (may be empty).
  public let metadata: [String: String]
  /// Entries by name.
  public let entries: [String: SafeTensorsEntry]
  private let data: Data
  private let dataStart: Int

  /// The largest header accepted (as the reference implementation: 100 MB).
  public static let maxHeaderSize = 100_000_000

  /// Reads and validates a file.
  /// - Throws: ``EncoderError`` naming the file (and tensor) on any inconsistency.
  public init(contentsOf url: URL) throws(EncoderError) {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw .fileNotFound(path: url.path)
    }
    let data: Data
    do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
      throw .io(path: url.path, reason: error.localizedDescription)
    }
    try self.init(data: data, path: url.path)
  }

  /// Parses and validates safetensors bytes; `path` labels error messages.
  public init(data: Data, path: String) throws(EncoderError) {
    self.path = path
    self.data = data
    guard data.count >= 8 else {
      throw .truncated(file: path, detail: "\(data.count) bytes, fewer than the 8-byte header length")
    }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
    guard n <= UInt64(Self.maxHeaderSize) else {
      throw .invalidHeader(file: path, reason: "header length \(n) exceeds \(Self.maxHeaderSize) bytes")
    }
    let headerLength = Int(n)
    guard 8 + headerLength <= data.count else {
      throw .truncated(
        file: path,
        detail: "header length \(headerLength) but only \(data.count - 8) bytes follow the length")
    }
    dataStart = 8 + headerLength
    let headerBytes = data.subdata(in: data.startIndex + 8..<data.startIndex + 8 + headerLength)
    let json: Any
    do { json = try JSONSerialization.jsonObject(with: headerBytes) } catch {
      throw .invalidHeader(file: path, reason: "header is not valid JSON (\(error.localizedDescription))")
    }
    guard let object = json as? [String: Any] else {
      throw .invalidHeader(file: path, reason: "header is not a JSON object")
    }
    var metadata: [String: String] = [:]
    var entries: [String: SafeTensorsEntry] = [:]
    for (name, value) in object {
      if name == "__metadata__" {
        guard let m = value as? [String: Any] else {
          throw .invalidHeader(file: path, reason: "__metadata__ is not an object")
        }
        for (k, v) in m {
          guard let s = v as? String else {
            throw .invalidHeader(file: path, reason: "__metadata__['\(k)'] is not a string")
          }
          metadata[k] = s
        }
        continue
      }
      entries[name] = try Self.parseEntry(name: name, value: value, file: path)
    }
    // Contiguity: sorted by begin, each starts where the previous ended; last ends at EOF.
    let dataSize = data.count - dataStart
    var expectedBegin = 0
    for e in entries.values.sorted(by: { ($0.dataRange.lowerBound, $0.name) < ($1.dataRange.lowerBound, $1.name) }) {
      guard e.dataRange.lowerBound == expectedBegin else {
        throw .invalidTensorEntry(
          file: path, tensor: e.name,
          reason: "data_offsets begin at \(e.dataRange.lowerBound), expected \(expectedBegin) (overlap or gap)")
      }
      guard e.dataRange.upperBound <= dataSize else {
        throw .truncated(
          file: path,
          detail:
            "tensor '\(e.name)' ends at data byte \(e.dataRange.upperBound) but the data section has \(dataSize) bytes")
      }
      expectedBegin = e.dataRange.upperBound
    }
    guard expectedBegin == dataSize else {
      throw .invalidHeader(
        file: path, reason: "tensors cover \(expectedBegin) data bytes but the file has \(dataSize)")
    }
    self.metadata = metadata
    self.entries = entries
  }

  private static func parseEntry(name: String, value: Any, file: String) throws(EncoderError)
    -> SafeTensorsEntry
  {
    guard let dict = value as? [String: Any] else {
      throw .invalidTensorEntry(file: file, tensor: name, reason: "entry is not an object")
    }
    guard let dtypeName = dict["dtype"] as? String else {
      throw .invalidTensorEntry(file: file, tensor: name, reason: "missing string 'dtype'")
    }
    guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
      throw .invalidTensorEntry(file: file, tensor: name, reason: "unknown dtype '\(dtypeName)'")
    }
    guard let shapeAny = dict["shape"] as? [Any] else {
      throw .invalidTensorEntry(file: file, tensor: name, reason: "missing array 'shape'")
    }
    var shape: [Int] = []
    for d in shapeAny {
      guard let n = exactInt(d), n >= 0 else {
        throw .invalidTensorEntry(
          file: file, tensor: name, reason: "shape \(shapeAny) has a non-integer or negative dimension")
      }
      shape.append(n)
    }
    guard let offsets = dict["data_offsets"] as? [Any], offsets.count == 2,
      let begin = exactInt(offsets[0]), let end = exactInt(offsets[1]), begin >= 0, begin <= end
    else {
      throw .invalidTensorEntry(
        file: file, tensor: name, reason: "data_offsets must be [begin, end] with 0 <= begin <= end")
    }
    var elements = 1
    for d in shape {
      let (p, overflow) = elements.multipliedReportingOverflow(by: d)
      guard !overflow else {
        throw .invalidTensorEntry(file: file, tensor: name, reason: "shape \(shape) overflows")
      }
      elements = p
    }
    let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
    guard !overflow, end - begin == bytes else {
      throw .invalidTensorEntry(
        file: file, tensor: name,
        reason: "shape \(shape) of \(dtype.rawValue) needs \(bytes) bytes but data_offsets span \(end - begin)")
    }
    return SafeTensorsEntry(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
  }

  private static func exactInt(_ value: Any) -> Int? {
    if let n = value as? Int { return n }
    if let n = value as? NSNumber, let i = Int(exactly: n.doubleValue) { return i }
    return nil
  }

  /// Names of all tensors, sorted.
  public var names: [String] { entries.keys.sorted() }

  /// The entry named `name`.
  /// - Throws: ``EncoderError/missingTensor(file:tensor:)``.
  public func entry(_ name: String) throws(EncoderError) -> SafeTensorsEntry {
    guard let e = entries[name] else { throw .missingTensor(file: path, tensor: name) }
    return e
  }

  /// A floating-point tensor (F32, F16 or BF16, widened) as `Float`s in row-major order.
  /// - Throws: ``EncoderError`` when missing or of a non-float dtype.
  public func floats(_ name: String) throws(EncoderError) -> (shape: [Int], scalars: [Float]) {
    let e = try entry(name)
    let count = e.shape.reduce(1, *)
    let start = data.startIndex + dataStart + e.dataRange.lowerBound
    let bytes = data[start..<start + e.dataRange.count]
    var out = [Float](repeating: 0, count: count)
    bytes.withUnsafeBytes { raw in
      switch e.dtype {
      case .f32:
        for i in 0..<count {
          out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
      case .f16:
        for i in 0..<count {
          out[i] = HalfPrecision.float(
            fromF16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
      case .bf16:
        for i in 0..<count {
          out[i] = Float(
            bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        }
      default:
        break
      }
    }
    guard [.f32, .f16, .bf16].contains(e.dtype) else {
      throw .unsupportedDType(file: path, tensor: name, dtype: e.dtype.rawValue, expected: "F32, F16 or BF16")
    }
    return (e.shape, out)
  }

  /// A floating-point tensor converted to `S`, checked against an expected shape.
  /// - Throws: ``EncoderError/shapeMismatch(file:tensor:expected:found:)`` and the errors of
  ///   ``floats(_:)``.
  public func tensor<S: BLASScalar>(_ name: String, shape expected: [Int], as _: S.Type = S.self)
    throws(EncoderError) -> Tensor<S>
  {
    let (shape, scalars) = try floats(name)
    guard shape == expected else {
      throw .shapeMismatch(file: path, tensor: name, expected: expected, found: shape)
    }
    if let same = scalars as? [S] { return Tensor(shape: shape, scalars: same) }
    return Tensor(shape: shape, scalars: scalars.map { S($0) })
  }

  /// A floating-point tensor as `Double`s: F64 exactly, F32/F16/BF16 widened.
  /// - Throws: ``EncoderError`` when missing or of a non-float dtype.
  public func doubles(_ name: String) throws(EncoderError) -> (shape: [Int], scalars: [Double]) {
    let e = try entry(name)
    guard e.dtype == .f64 else {
      let (shape, f) = try floats(name)
      return (shape, f.map { Double($0) })
    }
    let count = e.shape.reduce(1, *)
    let start = data.startIndex + dataStart + e.dataRange.lowerBound
    let out = data[start..<start + e.dataRange.count].withUnsafeBytes { raw in
      (0..<count).map {
        Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))
      }
    }
    return (e.shape, out)
  }

  /// An I64 tensor.
  /// - Throws: ``EncoderError`` when missing or not I64.
  public func int64s(_ name: String) throws(EncoderError) -> (shape: [Int], scalars: [Int64]) {
    let e = try entry(name)
    guard e.dtype == .i64 else {
      throw .unsupportedDType(file: path, tensor: name, dtype: e.dtype.rawValue, expected: "I64")
    }
    let count = e.shape.reduce(1, *)
    let start = data.startIndex + dataStart + e.dataRange.lowerBound
    let out = data[start..<start + e.dataRange.count].withUnsafeBytes { raw in
      (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
    }
    return (e.shape, out)
  }
}

/// A tensor to write: its name, dtype on disk, shape and values.
public struct SafeTensorsValue: Sendable {
  /// The tensor name.
  public var name: String
  /// The dtype on disk: `.f32`, `.f16`, `.bf16` (from `floats`) or `.i64` (from `integers`).
  public var dtype: SafeTensorsDType
  /// The shape.
  public var shape: [Int]
  /// Values for float dtypes (rounded to nearest-even when narrowed to F16/BF16).
  public var floats: [Float]
  /// Values for I64.
  public var integers: [Int64]
  /// Values for F64.
  public var doubles: [Double] = []

  /// A float tensor stored as F32, F16 or BF16.
  public static func float(_ name: String, shape: [Int], _ values: [Float], as dtype: SafeTensorsDType = .f32)
    -> SafeTensorsValue
  {
    SafeTensorsValue(name: name, dtype: dtype, shape: shape, floats: values, integers: [])
  }

  /// An I64 tensor.
  public static func int64(_ name: String, shape: [Int], _ values: [Int64]) -> SafeTensorsValue {
    SafeTensorsValue(name: name, dtype: .i64, shape: shape, floats: [], integers: values)
  }

  /// An F64 tensor (exact for `Double` training state).
  public static func float64(_ name: String, shape: [Int], _ values: [Double]) -> SafeTensorsValue {
    SafeTensorsValue(name: name, dtype: .f64, shape: shape, floats: [], integers: [], doubles: values)
  }
}

/// Writes safetensors files.
public enum SafeTensorsWriter {
  /// Serialises tensors (in the given order) with a JSON header padded with spaces to a multiple
  /// of 8 bytes, as the reference implementation does.
  /// - Throws: ``EncoderError/invalidInput(reason:)`` for an unsupported dtype, a value count that
  ///   does not match the shape, or a duplicate name.
  public static func encode(_ tensors: [SafeTensorsValue], metadata: [String: String] = [:])
    throws(EncoderError) -> Data
  {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var body = Data()
    for t in tensors {
      guard header[t.name] == nil, t.name != "__metadata__" else {
        throw .invalidInput(reason: "duplicate or reserved tensor name '\(t.name)'")
      }
      let count = t.shape.reduce(1, *)
      let begin = body.count
      switch t.dtype {
      case .f32:
        guard t.floats.count == count else { throw mismatch(t, t.floats.count) }
        for v in t.floats { appendLE(&body, v.bitPattern) }
      case .f16:
        guard t.floats.count == count else { throw mismatch(t, t.floats.count) }
        for v in t.floats { appendLE(&body, HalfPrecision.f16(from: v)) }
      case .bf16:
        guard t.floats.count == count else { throw mismatch(t, t.floats.count) }
        for v in t.floats { appendLE(&body, HalfPrecision.bf16(from: v)) }
      case .i64:
        guard t.integers.count == count else { throw mismatch(t, t.integers.count) }
        for v in t.integers { appendLE(&body, UInt64(bitPattern: v)) }
      case .f64:
        guard t.doubles.count == count else { throw mismatch(t, t.doubles.count) }
        for v in t.doubles { appendLE(&body, v.bitPattern) }
      default:
        throw .invalidInput(reason: "writing dtype \(t.dtype.rawValue) is not supported (tensor '\(t.name)')")
      }
      header[t.name] =
        ["dtype": t.dtype.rawValue, "shape": t.shape, "data_offsets": [begin, body.count]] as [String: Any]
    }
    var json: Data
    do { json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) } catch {
      throw .invalidInput(reason: "cannot serialise header: \(error.localizedDescription)")
    }
    while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
    var out = Data()
    appendLE(&out, UInt64(json.count))
    out.append(json)
    out.append(body)
    return out
  }

  /// Writes tensors to `url` atomically (temporary file, then rename).
  /// - Throws: ``EncoderError`` from ``encode(_:metadata:)`` or ``EncoderError/io(path:reason:)``.
  public static func write(_ tensors: [SafeTensorsValue], metadata: [String: String] = [:], to url: URL)
    throws(EncoderError)
  {
    let data = try encode(tensors, metadata: metadata)
    do { try data.write(to: url, options: .atomic) } catch {
      throw .io(path: url.path, reason: error.localizedDescription)
    }
  }

  private static func mismatch(_ t: SafeTensorsValue, _ n: Int) -> EncoderError {
    .invalidInput(reason: "tensor '\(t.name)' has \(n) values for shape \(t.shape)")
  }

  private static func appendLE<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }
}

/// IEEE binary16 and bfloat16 conversions done on bits (portable; no `Float16` needed).
enum HalfPrecision {
  static func float(fromF16 h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
      // Zero or subnormal: mantissa * 2^-24.
      let v = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
      return sign != 0 ? -v : v
    }
    if exponent == 31 {
      return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
  }

  /// Round-to-nearest-even narrowing to binary16 (overflow to infinity, NaN preserved).
  static func f16(from f: Float) -> UInt16 {
    let bits = f.bitPattern
    let sign = UInt16((bits >> 16) & 0x8000)
    if f.isNaN { return sign | 0x7E00 }
    let a = abs(f)
    if a >= 65520 { return sign | 0x7C00 }  // rounds to infinity
    if a < Float(sign: .plus, exponent: -14, significand: 1) {
      // Subnormal (or zero): round a / 2^-24 to nearest even.
      let q = (a / Float(sign: .plus, exponent: -24, significand: 1)).rounded(.toNearestOrEven)
      return sign | UInt16(q)
    }
    let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
    var mantissa = bits & 0x7F_FFFF
    var e = UInt32(exponent)
    // Round 23-bit mantissa to 10 bits, nearest even.
    let rest = mantissa & 0x1FFF
    mantissa >>= 13
    if rest > 0x1000 || (rest == 0x1000 && mantissa & 1 == 1) {
      mantissa += 1
      if mantissa == 0x400 {
        mantissa = 0
        e += 1
      }
    }
    return sign | UInt16(e << 10) | UInt16(mantissa)
  }

  /// Round-to-nearest-even narrowing to bfloat16 (NaN preserved).
  static func bf16(from f: Float) -> UInt16 {
    let bits = f.bitPattern
    if f.isNaN { return UInt16(bits >> 16) | 0x0040 }
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return UInt16(rounded >> 16)
  }
}
