import CZstd

/// zstd compression of full texts, so CSMeD-FT's ~4,500-word documents cost a fraction on disk.
public enum Zstd {
  public static func compress(_ text: String, level: Int32 = 9) -> [UInt8] {
    let input = Array(text.utf8)
    let bound = ZSTD_compressBound(input.count)
    var output = [UInt8](repeating: 0, count: bound)
    let written = input.withUnsafeBytes { source in
      output.withUnsafeMutableBytes { target in
        ZSTD_compress(target.baseAddress, bound, source.baseAddress, source.count, level)
      }
    }
    precondition(ZSTD_isError(written) == 0, "zstd cannot fail on a buffer of compressBound size")
    output.removeSubrange(written...)
    return output
  }

  /// Decompresses a frame written by `compress`.
  /// - Throws: `StoreError.corrupt` when the bytes are not a complete zstd frame.
  public static func decompress(_ bytes: [UInt8]) throws -> String {
    let size = bytes.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
    guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN, size < 1 << 31 else {
      throw StoreError.corrupt("full text is not a complete zstd frame")
    }
    var output = [UInt8](repeating: 0, count: Int(size))
    let written = bytes.withUnsafeBytes { source in
      output.withUnsafeMutableBytes { target in
        ZSTD_decompress(target.baseAddress, target.count, source.baseAddress, source.count)
      }
    }
    guard ZSTD_isError(written) == 0 else {
      throw StoreError.corrupt("zstd: \(String(cString: ZSTD_getErrorName(written)))")
    }
    return String(decoding: output[0..<written], as: UTF8.self)
  }
}
