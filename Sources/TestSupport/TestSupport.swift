import Foundation

/// Helpers shared by the test targets.
public enum TestSupport {
  /// A fresh empty folder under the system temporary directory.
  public static func temporaryDirectory(_ name: String = #function) throws -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("csmed-tests-\(safe)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes text to a file in a folder, creating intermediate folders.
  @discardableResult
  public static func write(_ text: String, to name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url
  }

  /// The real corpora folder: `$CSMED_CORPORA`, else `shared/corpora` beside the repository.
  public static func corpora(filePath: String = #filePath) -> URL? {
    if let path = ProcessInfo.processInfo.environment["CSMED_CORPORA"] {
      return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
    }
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    for _ in 0..<6 {
      let candidate = directory.appendingPathComponent("shared/corpora")
      if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("PROVENANCE.md").path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return nil
  }

  /// The repository root (the folder holding Package.swift).
  public static func repositoryRoot(filePath: String = #filePath) -> URL {
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    for _ in 0..<6 {
      if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
      directory = directory.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  }
}
