import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Finds a manifest source on disk and proves it is the file the manifest means.
///
/// Order: the mirror (`--mirror DIR`), then the cache `data/raw/`, then a download of the original
/// URL into the cache. A download goes to a temporary file that is renamed only after its checksum
/// matched, so the cache never holds a half-written or wrong file.
public struct SourceResolver: Sendable {
  public var mirror: URL?
  public var cache: URL
  public var allowDownload: Bool

  public init(mirror: URL?, cache: URL, allowDownload: Bool = true) {
    self.mirror = mirror
    self.cache = cache
    self.allowDownload = allowDownload
  }

  /// Where a source was found.
  public enum Origin: String, Sendable { case mirror, cache, download }

  /// A verified local copy of a source.
  public struct Resolved: Sendable {
    public var source: Manifest.Source
    public var url: URL
    public var origin: Origin
    /// False when the manifest pins no checksum for this source.
    public var verified: Bool
  }

  /// Why a source could not be had. Not an error by itself: the build reports the collection as
  /// unavailable and goes on with the others.
  public struct Unavailable: Error, Sendable, CustomStringConvertible {
    public var source: Manifest.Source
    public var reason: String
    public var description: String { "\(source.path): \(reason)" }
  }

  /// Resolves one source.
  /// - Throws: `IngestError.checksumMismatch` when a copy exists but is not the pinned file
  ///   (a wrong file must stop the build, not be skipped), or `Unavailable`.
  public func resolve(_ source: Manifest.Source) throws -> Resolved {
    var candidates: [(URL, Origin)] = []
    if let mirror { candidates.append((mirror.appendingPathComponent(source.path), .mirror)) }
    candidates.append((cache.appendingPathComponent(source.path), .cache))
    for (url, origin) in candidates where exists(url, kind: source.kind) {
      try verify(source, at: url)
      return Resolved(source: source, url: url, origin: origin, verified: source.sha256 != nil)
    }
    guard allowDownload else {
      throw Unavailable(source: source, reason: "not in the mirror or data/raw, and downloads are off (--offline)")
    }
    guard source.kind == .file else {
      throw Unavailable(
        source: source,
        reason: "a folder of \(source.size ?? 0) files that cannot be downloaded one by one; get it from \(source.url) into a mirror")
    }
    let target = cache.appendingPathComponent(source.path)
    try download(source, to: target)
    return Resolved(source: source, url: target, origin: .download, verified: source.sha256 != nil)
  }

  private func exists(_ url: URL, kind: Manifest.Source.Kind) -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return false }
    return isDirectory.boolValue == (kind == .directory)
  }

  /// Checks the pinned checksum of a file or a folder's tree digest.
  public func verify(_ source: Manifest.Source, at url: URL) throws {
    guard let expected = source.sha256 else { return }
    let found = source.kind == .file ? try SHA256.hex(ofFileAt: url) : try Self.treeDigest(of: url)
    guard found == expected else {
      throw IngestError.checksumMismatch(file: url.path, expected: expected, found: found)
    }
  }

  /// SHA-256 over the lines `"<sha256 of file>  <name>\n"` of a folder's regular files, sorted by name.
  public static func treeDigest(of directory: URL) throws -> String {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    } catch {
      throw IngestError.unreadable(path: directory.path, reason: error.localizedDescription)
    }
    var hasher = SHA256()
    for name in names {
      let digest = try SHA256.hex(ofFileAt: directory.appendingPathComponent(name))
      hasher.update(Data("\(digest)  \(name)\n".utf8))
    }
    return hasher.hexDigest()
  }

  private func download(_ source: Manifest.Source, to target: URL) throws {
    guard let remote = URL(string: source.url), remote.scheme == "https" || remote.scheme == "http" else {
      throw Unavailable(source: source, reason: "no downloadable URL ('\(source.url)')")
    }
    let fileManager = FileManager.default
    let temporary = target.deletingLastPathComponent()
      .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).part")
    do {
      try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw Unavailable(source: source, reason: "cannot create \(target.deletingLastPathComponent().path): \(error.localizedDescription)")
    }
    defer { try? fileManager.removeItem(at: temporary) }
    let result = Downloader.fetch(remote, timeout: 60)
    guard case .success(let data) = result else {
      if case .failure(let message) = result {
        throw Unavailable(source: source, reason: "download of \(source.url) failed: \(message)")
      }
      return
    }
    do {
      try data.write(to: temporary)
    } catch {
      throw Unavailable(source: source, reason: "cannot write \(temporary.path): \(error.localizedDescription)")
    }
    try verify(source, at: temporary)
    do {
      if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
      try fileManager.moveItem(at: temporary, to: target)
    } catch {
      throw Unavailable(source: source, reason: "cannot move the download into \(target.path): \(error.localizedDescription)")
    }
  }
}

/// A blocking HTTP GET, for the one place that downloads.
enum Downloader {
  enum Outcome: Sendable {
    case success(Data)
    case failure(String)
  }

  private final class Box: @unchecked Sendable {
    // Written once by the session's callback before the semaphore is signalled, read after.
    var outcome: Outcome = .failure("no answer")
  }

  static func fetch(_ url: URL, timeout: TimeInterval) -> Outcome {
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    var request = URLRequest(url: url)
    request.timeoutInterval = timeout
    let task = URLSession.shared.dataTask(with: request) { data, response, error in
      if let error {
        box.outcome = .failure(error.localizedDescription)
      } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
        box.outcome = .failure("HTTP \(http.statusCode)")
      } else {
        box.outcome = .success(data ?? Data())
      }
      done.signal()
    }
    task.resume()
    if done.wait(timeout: .now() + timeout + 5) == .timedOut {
      task.cancel()
      return .failure("timed out after \(Int(timeout)) s")
    }
    return box.outcome
  }
}
