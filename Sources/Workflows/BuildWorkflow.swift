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
    try checkInputsExist(options)
    let target = options.database
    let directory = target.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw WorkflowError.io(path: directory.path, reason: "cannot create the database folder: \(error.localizedDescription)")
    }
    let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).building-\(ProcessInfo.processInfo.processIdentifier)")
    try removeStaleTemporaries(besides: target)
    var movedIntoPlace = false
    defer { if !movedIntoPlace { try? FileManager.default.removeItem(at: temporary) } }

    // A subset rebuild starts from the current database so the other collections stay.
    let keepsOthers = options.collections != nil && FileManager.default.fileExists(atPath: target.path)
    let store = try keepsOthers ? openCopy(of: target, at: temporary) : DatasetStore.create(at: temporary.path)
    let resolver = SourceResolver(mirror: options.mirror, cache: options.cache, allowDownload: options.allowDownload)
    var reports: [CollectionReport] = []
    for manifest in manifests {
      reports.append(try build(manifest, from: resolver, splits: catalog.splits, into: store, progress: progress))
    }
    let filled = try fillText(from: options.pubmedFiles, into: store, progress: progress)
    try index(store, manifests: manifests, from: options.manifests, reports: &reports, progress: progress)

    try moveIntoPlace(temporary, over: target)
    movedIntoPlace = true
    return Report(
      database: target.path, collections: reports, filledFromPubMed: filled, seconds: Date().timeIntervalSince(start))
  }

  /// Fails before any file is written when the mirror or a `--pubmed` file is not there.
  private static func checkInputsExist(_ options: Options) throws {
    if let mirror = options.mirror, !FileManager.default.fileExists(atPath: mirror.path) {
      throw WorkflowError.missingInput(path: mirror.path)
    }
    for file in options.pubmedFiles where !FileManager.default.fileExists(atPath: file.path) {
      throw WorkflowError.missingInput(path: file.path)
    }
  }

  /// A writable copy of the database at `temporary`, once the database has opened.
  private static func openCopy(of target: URL, at temporary: URL) throws -> DatasetStore {
    _ = try DatasetStore.open(at: target.path)
    do {
      try FileManager.default.copyItem(at: target, to: temporary)
    } catch {
      throw WorkflowError.io(path: temporary.path, reason: "cannot copy the database: \(error.localizedDescription)")
    }
    return try DatasetStore.open(at: temporary.path, readOnly: false)
  }

  /// Stores one collection from the source files that could be had, or marks it unavailable
  /// when there are none.
  private static func build(
    _ manifest: Manifest, from resolver: SourceResolver, splits: SplitDefinitions, into store: DatasetStore,
    progress: ProgressHandler
  ) throws -> CollectionReport {
    progress(.started(manifest.id, total: manifest.sources.count))
    var report = CollectionReport(id: manifest.id, built: false)
    let (files, missing) = try resolveSources(of: manifest, with: resolver, report: &report, progress: progress)
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
      loaded.splits += splits.assignments(for: loaded)
      _ = try store.replace(loaded)
      report.built = true
      report.warnings += loaded.warnings
    }
    for warning in report.warnings { progress(.warning("\(manifest.id): \(warning)")) }
    progress(.finished(manifest.id))
    return report
  }

  /// The manifest's source files that could be had, and why the others could not; a file
  /// without a pinned checksum is warned about.
  private static func resolveSources(
    of manifest: Manifest, with resolver: SourceResolver, report: inout CollectionReport, progress: ProgressHandler
  ) throws -> (files: CollectionLoader.Files, missing: [String]) {
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
    return (files, missing)
  }

  /// Fills in the text of stored documents from the `--pubmed` files; returns how many gained text.
  private static func fillText(from files: [URL], into store: DatasetStore, progress: ProgressHandler) throws -> Int {
    guard !files.isEmpty else { return 0 }
    progress(.started("pubmed", total: files.count))
    var filled = 0
    for (index, file) in files.enumerated() {
      filled += try store.fill(from: readPubMed(file))
      progress(.advanced(done: index + 1))
    }
    progress(.finished("pubmed"))
    return filled
  }

  /// Rebuilds the search index, stamps the build and the manifests it read, and copies each
  /// collection's counts into its report.
  private static func index(
    _ store: DatasetStore, manifests: [Manifest], from manifestDirectory: URL, reports: inout [CollectionReport],
    progress: ProgressHandler
  ) throws {
    progress(.started("index", total: 0))
    try store.rebuildSearchIndex()
    try store.setMeta("built_at", ISO8601DateFormatter().string(from: Date()))
    try store.setMeta("csmed_version", CSMeDVersion.current)
    for manifest in manifests {
      let url = manifestDirectory.appendingPathComponent("\(manifest.id).json")
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
  }

  /// Atomic replace: rename(2) swaps the directory entry in one step.
  private static func moveIntoPlace(_ temporary: URL, over target: URL) throws {
    if rename(temporary.path, target.path) != 0 {
      throw WorkflowError.io(path: target.path, reason: "cannot move the new database into place: \(String(cString: strerror(errno)))")
    }
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
