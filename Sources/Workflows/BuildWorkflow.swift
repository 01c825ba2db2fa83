import Corpus
import Foundation
import Ingest
import Store

/// `csmed build`: acquire, verify, read, normalize and store the collections into one SQLite file.
public enum BuildWorkflow {
  public struct Options: Sendable {
    public var manifests: URL
    public var mirror: URL?
    public var cache: URL
    public var database: URL
    public var collections: [String]?
    public var pubmedFiles: [URL]
    public var allowDownload: Bool

    public init(
      manifests: URL, mirror: URL?, cache: URL, database: URL, collections: [String]? = nil,
      pubmedFiles: [URL] = [], allowDownload: Bool = true
    ) {
      self.manifests = manifests
      self.mirror = mirror
      self.cache = cache
      self.database = database
      self.collections = collections
      self.pubmedFiles = pubmedFiles
      self.allowDownload = allowDownload
    }
  }

  /// The outcome of one collection.
  public struct CollectionReport: Sendable, Equatable {
    public var id: String
    public var built: Bool
    public var reviews = 0
    public var documents = 0
    public var withText = 0
    public var idsOnly = 0
    public var includedTA = 0
    public var includedFT = 0
    public var warnings: [String] = []
    /// Why the collection is not in the database, when `built` is false.
    public var unavailableReason: String?
  }

  public struct Report: Sendable, Equatable {
    public var database: String
    public var collections: [CollectionReport]
    /// Documents that gained text from `--pubmed` files.
    public var filledFromPubMed: Int
    public var seconds: Double
  }

  /// Builds into a temporary file beside the database and renames it over the database only when
  /// every step succeeded, so a failed or interrupted build leaves the previous database intact.
  public static func run(_ options: Options, progress: ProgressHandler = { _ in }) throws -> Report {
    let start = Date()
    let catalog = try ManifestCatalog.load(from: options.manifests)
    let manifests = try catalog.select(options.collections)
    if let mirror = options.mirror, !FileManager.default.fileExists(atPath: mirror.path) {
      throw WorkflowError.missingInput(path: mirror.path)
    }
    for file in options.pubmedFiles where !FileManager.default.fileExists(atPath: file.path) {
      throw WorkflowError.missingInput(path: file.path)
    }
    let target = options.database
    let directory = target.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw WorkflowError.io(path: directory.path, reason: "cannot create the database folder: \(error.localizedDescription)")
    }
    let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).building-\(ProcessInfo.processInfo.processIdentifier)")
    try removeStaleTemporaries(besides: target)
    var keepTemporary = false
    defer { if !keepTemporary { try? FileManager.default.removeItem(at: temporary) } }

    let store: DatasetStore
    let keepsOthers = options.collections != nil && FileManager.default.fileExists(atPath: target.path)
    if keepsOthers {
      // A subset rebuild starts from the current database so the other collections stay.
      _ = try DatasetStore.open(at: target.path)
      do {
        try FileManager.default.copyItem(at: target, to: temporary)
      } catch {
        throw WorkflowError.io(path: temporary.path, reason: "cannot copy the database: \(error.localizedDescription)")
      }
      store = try DatasetStore.open(at: temporary.path, readOnly: false)
    } else {
      store = try DatasetStore.create(at: temporary.path)
    }

    let resolver = SourceResolver(mirror: options.mirror, cache: options.cache, allowDownload: options.allowDownload)
    var reports: [CollectionReport] = []
    for manifest in manifests {
      progress(.started(manifest.id, total: manifest.sources.count))
      var report = CollectionReport(id: manifest.id, built: false)
      var files: CollectionLoader.Files = [:]
      var missing: [String] = []
      for (index, source) in manifest.sources.enumerated() {
        do {
          files[source.id] = try resolver.resolve(source).url
          if source.sha256 == nil { report.warnings.append("\(source.path): no checksum pinned; not verified") }
        } catch let unavailable as SourceResolver.Unavailable {
          missing.append(unavailable.description)
        }
        progress(.advanced(done: index + 1))
      }
      if files.isEmpty {
        let reason = missing.first.map { "no source file could be had (\($0)\(missing.count > 1 ? "; and \(missing.count - 1) more" : ""))" }
          ?? "the manifest lists no source files"
        try store.markUnavailable(manifest.info, note: reason)
        report.unavailableReason = reason
      } else {
        if !missing.isEmpty {
          report.warnings.append("\(missing.count) source file(s) unavailable: \(missing.prefix(3).joined(separator: "; "))")
        }
        var loaded = try CollectionLoader.load(manifest, files: files)
        loaded.splits += catalog.splits.assignments(for: loaded)
        _ = try store.replace(loaded)
        report.built = true
        report.warnings += loaded.warnings
      }
      for warning in report.warnings { progress(.warning("\(manifest.id): \(warning)")) }
      progress(.finished(manifest.id))
      reports.append(report)
    }

    var filled = 0
    if !options.pubmedFiles.isEmpty {
      progress(.started("pubmed", total: options.pubmedFiles.count))
      for (index, file) in options.pubmedFiles.enumerated() {
        filled += try store.fill(from: readPubMed(file))
        progress(.advanced(done: index + 1))
      }
      progress(.finished("pubmed"))
    }

    progress(.started("index", total: 0))
    try store.rebuildSearchIndex()
    try store.setMeta("built_at", ISO8601DateFormatter().string(from: Date()))
    try store.setMeta("csmed_version", CSMeDVersion.current)
    for manifest in manifests {
      let url = options.manifests.appendingPathComponent("\(manifest.id).json")
      try store.setMeta("manifest_sha256:\(manifest.id)", SHA256.hex(ofFileAt: url))
    }
    let statistics = try store.statistics(by: .collection)
    for index in reports.indices {
      guard let row = statistics.first(where: { $0.collection == reports[index].id }) else { continue }
      reports[index].reviews = row.reviews
      reports[index].documents = row.documents
      reports[index].withText = row.withText
      reports[index].idsOnly = row.idsOnly
      reports[index].includedTA = row.includedTA
      reports[index].includedFT = row.includedFT
    }
    progress(.finished("index"))

    // Atomic replace: rename(2) swaps the directory entry in one step.
    keepTemporary = true
    if rename(temporary.path, target.path) != 0 {
      keepTemporary = false
      throw WorkflowError.io(path: target.path, reason: "cannot move the new database into place: \(String(cString: strerror(errno)))")
    }
    return Report(
      database: target.path, collections: reports, filledFromPubMed: filled, seconds: Date().timeIntervalSince(start))
  }

  /// Reads PubMed XML or MEDLINE (.nbib/.txt), recognised by content.
  static func readPubMed(_ url: URL) throws -> [Record] {
    try RecordFileReader.read(contentsOf: url)
  }

  /// Removes temporary files of builds that were killed before they could clean up.
  static func removeStaleTemporaries(besides target: URL) throws {
    let directory = target.deletingLastPathComponent()
    let prefix = ".\(target.lastPathComponent).building-"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
    for name in names where name.hasPrefix(prefix) {
      if let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) == 0 { continue }
      try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }
  }
}

/// The version csmed reports and stamps into its outputs.
public enum CSMeDVersion {
  public static let current = "0.1.0"
}
