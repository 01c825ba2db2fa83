import Foundation

/// File-system helpers shared by the readers: existence checks, whole-file reads and text decoding.
enum FileAccess {
  /// Throws `.fileNotFound` or `.unreadable` unless `url` names a readable regular file.
  static func checkReadable(_ url: URL) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw IngestError.fileNotFound(path: url.path)
    }
    if isDirectory.boolValue {
      throw IngestError.unreadable(path: url.path, reason: "is a directory")
    }
    guard FileManager.default.isReadableFile(atPath: url.path) else {
      throw IngestError.unreadable(path: url.path, reason: "permission denied")
    }
  }

  /// Reads the whole file at `url`.
  static func contents(of url: URL) throws -> Data {
    try checkReadable(url)
    do {
      return try Data(contentsOf: url)
    } catch {
      throw IngestError.unreadable(path: url.path, reason: error.localizedDescription)
    }
  }

  /// The first `count` bytes of the file at `url` (fewer for a shorter file), for sniffing its format.
  static func prefix(of url: URL, count: Int) throws -> Data {
    let handle = try handle(for: url)
    defer { try? handle.close() }
    do {
      return try handle.read(upToCount: count) ?? Data()
    } catch {
      throw IngestError.unreadable(path: url.path, reason: error.localizedDescription)
    }
  }

  /// Calls `body` with the file's bytes in order, `size` bytes at a time (the last piece shorter).
  static func forEachChunk(of url: URL, size: Int = 1 << 20, _ body: (Data) throws -> Void) throws {
    let handle = try handle(for: url)
    defer { try? handle.close() }
    while true {
      let chunk: Data?
      do {
        chunk = try handle.read(upToCount: size)
      } catch {
        throw IngestError.unreadable(path: url.path, reason: error.localizedDescription)
      }
      guard let chunk, !chunk.isEmpty else { return }
      try body(chunk)
    }
  }

  /// Opens `url` for sequential reading.
  static func handle(for url: URL) throws -> FileHandle {
    try checkReadable(url)
    do {
      return try FileHandle(forReadingFrom: url)
    } catch {
      throw IngestError.unreadable(path: url.path, reason: error.localizedDescription)
    }
  }

  /// Decodes bytes as UTF-8 (dropping a leading byte-order mark unless `droppingBOM` is false:
  /// a line of a file is not its start), falling back to Latin-1 when the bytes are not valid UTF-8.
  static func decode(_ bytes: some Collection<UInt8>, droppingBOM: Bool = true) -> String {
    var slice = bytes[...]
    if droppingBOM, slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
    if let text = String(validating: slice, as: UTF8.self) { return text }
    var latin1 = String.UnicodeScalarView()
    for byte in slice { latin1.append(Unicode.Scalar(byte)) }
    return String(latin1)
  }
}
