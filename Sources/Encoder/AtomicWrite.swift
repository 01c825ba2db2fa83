import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes `data` to a temporary file beside `url`, syncs it, and renames it over `url`.
public func writeAtomically(_ data: Data, to url: URL) throws(EncoderError) {
  let dir = url.deletingLastPathComponent()
  let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
  do {
    guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
      throw EncoderError.io(path: tmp.path, reason: "cannot create temporary file")
    }
    let handle = try FileHandle(forWritingTo: tmp)
    defer { try? handle.close() }
    try handle.write(contentsOf: data)
    try handle.synchronize()
  } catch {
    try? FileManager.default.removeItem(at: tmp)
    throw .io(path: url.path, reason: "\(error)")
  }
  guard rename(tmp.path, url.path) == 0 else {
    let reason = String(cString: strerror(errno))
    try? FileManager.default.removeItem(at: tmp)
    throw .io(path: url.path, reason: "rename failed: \(reason)")
  }
}
