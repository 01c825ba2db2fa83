import Foundation
import Testing

@testable import Encoder

@Suite("SafeTensors")
struct SafeTensorsTests {
  func sample() throws -> Data {
    try SafeTensorsWriter.encode(
      [
        .float("a", shape: [2, 3], [1, -2, 3.5, 0, 1e-3, -7]),
        .float("h", shape: [4], [1, -2, 0.333, 65504], as: .f16),
        .float("b", shape: [3], [1, -2, 3.14159], as: .bf16),
        .int64("ids", shape: [1, 3], [0, 1, -5]),
        .float("empty", shape: [0, 4], []),
      ], metadata: ["format": "pt"])
  }

  /// Builds a file from a raw header string and a data section.
  func raw(_ header: String, data: [UInt8]) -> Data {
    var out = Data()
    var n = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
    out.append(Data(header.utf8))
    out.append(contentsOf: data)
    return out
  }

  @Test("write then read: F32 exact, F16/BF16 rounded, I64, metadata, 8-byte aligned header")
  func roundTrip() throws {
    let data = try sample()
    let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    #expect(headerLength % 8 == 0)
    let f = try SafeTensorsFile(data: data, path: "mem.safetensors")
    #expect(f.metadata == ["format": "pt"])
    #expect(f.names == ["a", "b", "empty", "h", "ids"])
    #expect(try f.floats("a").scalars == [1, -2, 3.5, 0, 1e-3, -7])
    #expect(try f.floats("a").shape == [2, 3])
    let h = try f.floats("h").scalars
    #expect(h[0] == 1 && h[1] == -2 && abs(h[2] - 0.333) < 2e-4 && h[3] == 65504)
    let b = try f.floats("b").scalars
    #expect(b[0] == 1 && b[1] == -2 && abs(b[2] - 3.14159) < 2e-2)
    #expect(try f.int64s("ids").scalars == [0, 1, -5])
    #expect(try f.floats("empty").scalars.isEmpty)
  }

  @Test("F16 conversions: subnormals, infinity, rounding to nearest even")
  func halfPrecision() {
    for bits: UInt16 in [0x0000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0x3C01, 0x7BFF, 0x8001, 0xFC00] {
      #expect(HalfPrecision.f16(from: HalfPrecision.float(fromF16: bits)) == bits)
    }
    #expect(HalfPrecision.float(fromF16: 0x7C00) == .infinity)
    #expect(HalfPrecision.f16(from: 1e6) == 0x7C00)
    #expect(HalfPrecision.f16(from: 1 + 1.0 / 2048) == 0x3C00)  // tie goes to even
    #expect(HalfPrecision.bf16(from: 1) == 0x3F80)
  }

  @Test("truncated files name the file and what is missing")
  func truncated() throws {
    let data = try sample()
    let e1 = #expect(throws: EncoderError.self) { _ = try SafeTensorsFile(data: data.prefix(5), path: "m.st") }
    #expect(e1?.description.contains("m.st") == true)
    let e2 = #expect(throws: EncoderError.self) { _ = try SafeTensorsFile(data: data.prefix(40), path: "m.st") }
    guard case .truncated = e2 else { Issue.record("expected truncated, got \(String(describing: e2))"); return }
    let e3 = #expect(throws: EncoderError.self) { _ = try SafeTensorsFile(data: data.dropLast(3), path: "m.st") }
    guard case .truncated(let file, let detail) = e3 else {
      Issue.record("expected truncated, got \(String(describing: e3))"); return
    }
    #expect(file == "m.st" && detail.contains("'"))
  }

  @Test(
    "inconsistent headers name the tensor",
    arguments: [
      (#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, 4, "x"),
      (#"{"x":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#, 4, "x"),
      (#"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, 4, "x"),
      (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, 4, "x"),
      (
        #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
        4, "y"
      ),
      (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "x"),
      (#"{"x":{"shape":[1],"data_offsets":[0,4]}}"#, 4, "x"),
    ])
  func inconsistent(header: String, bytes: Int, tensor: String) {
    let error = #expect(throws: EncoderError.self) {
      _ = try SafeTensorsFile(data: raw(header, data: [UInt8](repeating: 0, count: bytes)), path: "m.st")
    }
    guard case .invalidTensorEntry(let file, let name, _) = error else {
      Issue.record("expected invalidTensorEntry, got \(String(describing: error))")
      return
    }
    #expect(file == "m.st" && name == tensor)
  }

  @Test("bad header JSON, excess data, and huge header lengths are errors")
  func badHeaders() {
    #expect(throws: EncoderError.self) { _ = try SafeTensorsFile(data: raw("{not json", data: []), path: "m") }
    #expect(throws: EncoderError.self) { _ = try SafeTensorsFile(data: raw("[1,2]", data: []), path: "m") }
    #expect(throws: EncoderError.self) {
      _ = try SafeTensorsFile(
        data: raw(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 8)),
        path: "m")
    }
    var huge = Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
    huge.append(contentsOf: [0x7B, 0x7D])
    #expect(throws: EncoderError.self) { _ = try SafeTensorsFile(data: huge, path: "m") }
  }

  @Test("reading a tensor with the wrong dtype or a missing name")
  func wrongAccess() throws {
    let f = try SafeTensorsFile(data: try sample(), path: "m")
    #expect(throws: EncoderError.unsupportedDType(file: "m", tensor: "ids", dtype: "I64", expected: "F32, F16 or BF16"))
    {
      _ = try f.floats("ids")
    }
    #expect(throws: EncoderError.missingTensor(file: "m", tensor: "nope")) { _ = try f.floats("nope") }
    #expect(throws: EncoderError.shapeMismatch(file: "m", tensor: "a", expected: [3, 2], found: [2, 3])) {
      _ = try f.tensor("a", shape: [3, 2], as: Float.self)
    }
  }

  @Test("writer rejects value counts that do not match the shape")
  func writerValidation() {
    #expect(throws: EncoderError.self) { _ = try SafeTensorsWriter.encode([.float("a", shape: [2], [1])]) }
    #expect(throws: EncoderError.self) {
      _ = try SafeTensorsWriter.encode([.float("a", shape: [1], [1]), .float("a", shape: [1], [1])])
    }
  }
}
