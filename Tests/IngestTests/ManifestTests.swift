import Corpus
import Foundation
import Testing
import TestSupport

@testable import Ingest

@Suite struct ManifestTests {
  func manifestJSON(reader: String = "csv", sha: String = String(repeating: "a", count: 64), stage: String = "ta", path: String = "x/a.csv") -> String {
    """
    {"id": "demo", "name": "Demo", "citation": "C", "license": "MIT", "domain": "d", "homepage": "h",
     "known_reviews": ["r1"], "labels": {"\(stage)": {"1": 1, "0": 0}},
     "sources": [{"id": "r1", "review": "r1", "reader": "\(reader)", "path": "\(path)", "url": "https://e/a.csv",
                  "kind": "file", "sha256": "\(sha)"}]}
    """
  }

  func load(_ text: String) throws -> Manifest {
    let folder = try TestSupport.temporaryDirectory()
    return try Manifest.load(from: TestSupport.write(text, to: "demo.json", in: folder))
  }

  @Test("a valid manifest loads with its label mapping")
  func valid() throws {
    let manifest = try load(manifestJSON())
    #expect(manifest.label("1", stage: .titleAbstract) == 1)
    #expect(manifest.label("1", stage: .fullText) == nil)
    #expect(manifest.sources(for: "r1").count == 1)
  }

  @Test("validation names the key and what is wrong", arguments: [
    ("reader", "sources[0].reader: unknown reader 'xls'"),
    ("sha", "sources[0].sha256: expected 64 lower-case hex digits, found 'ABC'"),
    ("stage", "labels: unknown stage 'xx' (ta, ft)"),
    ("path", "sources[0].path: '../escape' must be relative and stay inside the mirror"),
  ])
  func invalid(kind: String, message: String) throws {
    let text = switch kind {
    case "reader": manifestJSON(reader: "xls")
    case "sha": manifestJSON(sha: "ABC")
    case "stage": manifestJSON(stage: "xx")
    default: manifestJSON(path: "../escape")
    }
    let error = #expect(throws: IngestError.self) { _ = try load(text) }
    #expect(error?.description.contains(message) == true, "\(String(describing: error))")
  }

  @Test("invalid JSON is reported as such")
  func invalidJSON() throws {
    let error = #expect(throws: IngestError.self) { _ = try load("{\"id\": ") }
    guard case .invalidJSON = error else {
      Issue.record("expected invalidJSON, got \(String(describing: error))")
      return
    }
  }

  @Test("the shipped manifests all validate and cover the ten collections")
  func shipped() throws {
    let catalog = try ManifestCatalog.load(from: TestSupport.repositoryRoot().appendingPathComponent("manifests"))
    #expect(catalog.manifests.map(\.id) == ManifestCatalog.collectionOrder)
    #expect(catalog.splits.byCochraneID["cochrane_train"]?.count == 195)
    #expect(catalog.splits.byCochraneID["cochrane_dev"]?.count == 100)
    #expect(throws: IngestError.unknownCollection(id: "nope", known: ManifestCatalog.collectionOrder)) {
      _ = try catalog.select(["cohen2006", "nope"])
    }
  }
}

@Suite struct SourceResolverTests {
  func source(_ path: String, sha: String?, kind: Manifest.Source.Kind = .file, url: String = "https://invalid.invalid/x") -> Manifest.Source {
    Manifest.Source(id: "s", review: nil, reader: "csv", path: path, url: url, kind: kind, sha256: sha, size: nil, options: nil)
  }

  @Test("mirror first, then cache; checksums verified")
  func order() throws {
    let mirror = try TestSupport.temporaryDirectory(), cache = try TestSupport.temporaryDirectory()
    try TestSupport.write("abc", to: "a/file.csv", in: mirror)
    try TestSupport.write("abc", to: "b/file.csv", in: cache)
    let sha = SHA256.hex(of: Data("abc".utf8))
    let resolver = SourceResolver(mirror: mirror, cache: cache, allowDownload: false)
    #expect(try resolver.resolve(source("a/file.csv", sha: sha)).origin == .mirror)
    #expect(try resolver.resolve(source("b/file.csv", sha: sha)).origin == .cache)
  }

  @Test("a wrong file is a checksum mismatch, a missing one is unavailable")
  func failures() throws {
    let mirror = try TestSupport.temporaryDirectory()
    let file = try TestSupport.write("tampered", to: "f.csv", in: mirror)
    let resolver = SourceResolver(mirror: mirror, cache: mirror.appendingPathComponent("cache"), allowDownload: false)
    let expected = String(repeating: "0", count: 64)
    #expect(throws: IngestError.checksumMismatch(file: file.path, expected: expected, found: SHA256.hex(of: Data("tampered".utf8)))) {
      _ = try resolver.resolve(source("f.csv", sha: expected))
    }
    #expect(throws: SourceResolver.Unavailable.self) { _ = try resolver.resolve(source("missing.csv", sha: expected)) }
  }

  @Test("a failed download leaves nothing in the cache")
  func failedDownload() throws {
    let cache = try TestSupport.temporaryDirectory()
    let resolver = SourceResolver(mirror: nil, cache: cache, allowDownload: true)
    #expect(throws: SourceResolver.Unavailable.self) {
      _ = try resolver.resolve(source("d/x.csv", sha: nil, url: "http://127.0.0.1:9/x.csv"))
    }
    let left = (try? FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("d").path)) ?? []
    #expect(left.isEmpty)
  }

  @Test("the tree digest of a folder matches the documented construction")
  func treeDigest() throws {
    let folder = try TestSupport.temporaryDirectory()
    try TestSupport.write("one", to: "2", in: folder)
    try TestSupport.write("two", to: "10", in: folder)
    let lines = "\(SHA256.hex(of: Data("two".utf8)))  10\n\(SHA256.hex(of: Data("one".utf8)))  2\n"
    #expect(try SourceResolver.treeDigest(of: folder) == SHA256.hex(of: Data(lines.utf8)))
  }
}
