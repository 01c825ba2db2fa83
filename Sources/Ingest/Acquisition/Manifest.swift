import Corpus
import Foundation

/// A collection's manifest (`manifests/<id>.json`): what the collection is, where each source file
/// comes from, how to check it, which reader takes it, and how its labels map to stages.
///
/// Manifests are data: `parse` decodes the JSON with `JSONDecoder` and `validate` checks it, and every
/// problem names the file and key. Decoding refuses invalid JSON, a missing required key, a value of
/// the wrong type or out of `Int` range, and a `kind` other than `file`/`directory`, as
/// `IngestError.invalidJSON(file:reason:)` with the key path; unknown keys are ignored. Validation
/// refuses, as `.invalidManifest(file:reason:)` naming the key: an `id` that is empty or not letters,
/// digits and `_`, or unlike the file's name when it ends `.json`; a repeated source id; an unknown
/// reader; a path that is empty, absolute or has a `..` component; a `sha256` not 64 lower-case hex
/// ASCII digits (0-9, a-f); a `review` missing from
/// `known_reviews`; a label stage other than `ta`/`ft`, or a label value other than 0/1. Nothing is
/// repaired. Throws only `IngestError` (`load` adds `.fileNotFound` and `.unreadable`).
public struct Manifest: Sendable, Equatable, Codable {
  /// One file (or folder of one-record files) of the collection.
  public struct Source: Sendable, Equatable, Codable {
    /// Unique within the manifest, e.g. `copd.labels`.
    public var id: String
    /// The review this source belongs to, when it belongs to one.
    public var review: String?
    /// The format, e.g. `csv`, `clef-topic`, `trec-qrels`, `bibtex` (see `Manifest.readers`).
    public var reader: String
    /// Relative path inside a mirror laid out like `shared/corpora`, and inside `data/raw/`.
    public var path: String
    /// Where the original lives.
    public var url: String
    /// `file` or `directory` (a folder of one-record files, checked by a tree digest).
    public var kind: Kind
    /// SHA-256 of the file, or for a directory of the lines `"<sha256>  <name>\n"` sorted by name.
    /// Nil only where the file is not distributed publicly enough to pin (CSMeD-FT).
    public var sha256: String?
    /// Size in bytes (file) or number of files (directory).
    public var size: Int?
    /// Reader options, e.g. `stage: ta`, `rels_only: true`, `split: ft_dev`, `label: 1`.
    public var options: [String: String]?

    /// An option's value, if set.
    public func option(_ key: String) -> String? { options?[key] }

    public enum Kind: String, Sendable, Codable { case file, directory }
  }

  public var id: String
  public var name: String
  public var citation: String
  public var doi: String?
  public var license: String
  public var domain: String
  public var homepage: String
  /// Every review id the collection has upstream, whether or not its files are listed here.
  public var knownReviews: [String]
  /// Stage (`ta`/`ft`) to raw label to 0/1, as the loader applies it.
  public var labels: [String: [String: Int]]
  public var sources: [Source]
  /// Free text shown by `csmed build` (what is missing from the public copies, and why).
  public var notes: String?

  enum CodingKeys: String, CodingKey {
    case id, name, citation, doi, license, domain, homepage, labels, sources, notes
    case knownReviews = "known_reviews"
  }

  /// The readers a manifest may name.
  public static let readers: Set<String> = [
    "csv", "tsv", "sas2010-labels", "sas2010-texts", "clef-topic", "clef-topic-json", "trec-qrels",
    "jsonl", "sigir2017-reviews", "sigir2017-queries", "sr-updates", "bibtex", "protocol-json",
    "csmed-ft-csv", "csmed-ft-metadata", "review-list-json",
  ]

  public var info: CollectionInfo {
    CollectionInfo(
      id: id, name: name, citation: citation, doi: doi, license: license, sourceURL: homepage,
      domain: domain)
  }

  /// Decodes and validates a manifest.
  public static func load(from url: URL) throws -> Manifest {
    try parse(FileContents.data(at: url), file: url.path)
  }

  /// Decodes and validates the bytes of a manifest named `file` (its name must be the id).
  /// - Throws: `IngestError.invalidJSON` for what JSON decoding refuses, `.invalidManifest` naming
  ///   the key for the rest.
  public static func parse(_ data: Data, file: String) throws -> Manifest {
    let manifest: Manifest
    do {
      manifest = try JSONDecoder().decode(Manifest.self, from: data)
    } catch {
      throw IngestError.invalidJSON(file: file, reason: JSONErrors.describe(error))
    }
    try manifest.validate(file: file)
    return manifest
  }

  /// Checks what decoding cannot: ids, readers, checksums, paths and label values.
  public func validate(file: String) throws {
    func fail(_ reason: String) -> IngestError { .invalidManifest(file: file, reason: reason) }
    guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
      throw fail("id '\(id)' must be letters, digits and '_'")
    }
    if file.hasSuffix(".json"), URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent != id {
      throw fail("id '\(id)' does not match the file name")
    }
    var seen = Set<String>()
    for (index, source) in sources.enumerated() {
      let key = "sources[\(index)]"
      guard seen.insert(source.id).inserted else { throw fail("\(key): duplicate source id '\(source.id)'") }
      guard Self.readers.contains(source.reader) else {
        throw fail("\(key).reader: unknown reader '\(source.reader)' (known: \(Self.readers.sorted().joined(separator: ", ")))")
      }
      guard !source.path.isEmpty, !source.path.hasPrefix("/"), !source.path.split(separator: "/").contains("..") else {
        throw fail("\(key).path: '\(source.path)' must be relative and stay inside the mirror")
      }
      if let sha = source.sha256 {
        guard sha.utf8.count == 64, sha.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
          throw fail("\(key).sha256: expected 64 lower-case hex digits, found '\(sha)'")
        }
      }
      if let review = source.review, !knownReviews.contains(review) {
        throw fail("\(key).review: '\(review)' is not in known_reviews")
      }
    }
    for (stage, mapping) in labels {
      guard Stage(rawValue: stage) != nil else { throw fail("labels: unknown stage '\(stage)' (ta, ft)") }
      for (raw, value) in mapping where value != 0 && value != 1 {
        throw fail("labels.\(stage).\(raw): expected 0 or 1, found \(value)")
      }
    }
  }

  /// The sources of one review, or of the whole collection when `review` is nil.
  public func sources(for review: String?) -> [Source] {
    sources.filter { $0.review == review }
  }

  /// Maps a raw label of a stage through the manifest, nil where the manifest has no mapping.
  public func label(_ raw: String, stage: Stage) -> Int? {
    labels[stage.rawValue]?[raw.trimmingCharacters(in: .whitespaces)]
  }
}

/// The manifests shipped in `manifests/`, plus the split definitions beside them.
public struct ManifestCatalog: Sendable {
  public var manifests: [Manifest]
  public var splits: SplitDefinitions

  /// The build order: the nine collections, then CSMeD-FT.
  public static let collectionOrder = [
    "cohen2006", "sas2010", "swift", "sigir2017", "clef_tar2017", "clef_tar2018", "clef_tar2019",
    "sr_updates", "hannousse", "csmed_ft",
  ]

  /// Loads every `<collection>.json` in the folder (in build order) and `splits.json` if present.
  public static func load(from directory: URL) throws -> ManifestCatalog {
    guard FileManager.default.fileExists(atPath: directory.path) else {
      throw IngestError.fileNotFound(path: directory.path)
    }
    var manifests: [Manifest] = []
    for id in collectionOrder {
      let url = directory.appendingPathComponent("\(id).json")
      if FileManager.default.fileExists(atPath: url.path) { manifests.append(try Manifest.load(from: url)) }
    }
    guard !manifests.isEmpty else {
      throw IngestError.invalidManifest(file: directory.path, reason: "no collection manifests in this folder")
    }
    let splitsURL = directory.appendingPathComponent("splits.json")
    var splits = SplitDefinitions()
    if FileManager.default.fileExists(atPath: splitsURL.path) {
      do {
        splits = try JSONDecoder().decode(SplitDefinitions.self, from: FileContents.data(at: splitsURL))
      } catch let error as IngestError {
        throw error
      } catch {
        throw IngestError.invalidJSON(file: splitsURL.path, reason: JSONErrors.describe(error))
      }
    }
    return ManifestCatalog(manifests: manifests, splits: splits)
  }

  /// The manifests for the ids asked for, in build order.
  public func select(_ ids: [String]?) throws -> [Manifest] {
    guard let ids else { return manifests }
    let known = manifests.map(\.id)
    for id in ids where !known.contains(id) {
      throw IngestError.unknownCollection(id: id, known: known)
    }
    return manifests.filter { ids.contains($0.id) }
  }
}

/// CSMeD's named splits (`manifests/splits.json`).
public struct SplitDefinitions: Sendable, Equatable, Codable {
  /// Split name to the collections whose reviews all belong to it.
  public var byCollection: [String: [String]]
  /// Split name to Cochrane review ids.
  public var byCochraneID: [String: [String]]

  enum CodingKeys: String, CodingKey {
    case byCollection = "by_collection"
    case byCochraneID = "by_cochrane_id"
  }

  public init(byCollection: [String: [String]] = [:], byCochraneID: [String: [String]] = [:]) {
    self.byCollection = byCollection
    self.byCochraneID = byCochraneID
  }

  /// The split assignments for one loaded collection.
  public func assignments(for collection: LoadedCollection) -> [SplitAssignment] {
    var result: [SplitAssignment] = []
    for (name, collections) in byCollection.sorted(by: { $0.key < $1.key })
    where collections.contains(collection.info.id) {
      result.append(SplitAssignment(name: name, sourceReviewIDs: collection.reviews.map(\.sourceReviewID)))
    }
    for (name, ids) in byCochraneID.sorted(by: { $0.key < $1.key }) {
      let wanted = Set(ids)
      let members = collection.reviews.filter { $0.cochraneID.map(wanted.contains) ?? false }
      if !members.isEmpty {
        result.append(SplitAssignment(name: name, sourceReviewIDs: members.map(\.sourceReviewID)))
      }
    }
    return result
  }
}
