import Corpus
import Foundation
import Ingest
import Store
import Testing
import TestSupport

@testable import Workflows

/// A tiny mirror with two collections (a Cohen-style CSV and a SAS2010-style layout) and manifests
/// pinned to its files, so that build behaviour is tested without the real corpora.
struct FixtureMirror {
  let root: URL
  let mirror: URL
  let manifests: URL
  let database: URL

  static let cohenCSV = """
    record_id,pubmedID,title,authors,abstract,year,label_included,label_abstract_screening
    1,101,"Statins, muscles",A B; C D,"Abstract one, with comma.",2001,1,1
    2,102,Beta blockers,E F,,2002,0,1
    3,,No identifiers,,Abstract three,2003,0,0

    """

  init() throws {
    root = try TestSupport.temporaryDirectory("fixture")
    mirror = root.appendingPathComponent("mirror")
    manifests = root.appendingPathComponent("manifests")
    database = root.appendingPathComponent("data/csmed.sqlite")
    try TestSupport.write(Self.cohenCSV, to: "cohen2006/ADHD.csv", in: mirror)
    try TestSupport.write("1 1 ? 0:1\n2 -1 ? 1:1\n", to: "sas2010/copd/labels", in: mirror)
    for (id, title, abstract) in [("1", "COPD and smoking", "An abstract."), ("2", "Asthma", ""), ("3", "Unlabelled", "x")] {
      try TestSupport.write(title, to: "sas2010/copd/Titles/\(id)", in: mirror)
      try TestSupport.write(abstract, to: "sas2010/copd/Abstracts/\(id)", in: mirror)
    }
    try writeManifests()
  }

  func sha(_ path: String) throws -> String { try SHA256.hex(ofFileAt: mirror.appendingPathComponent(path)) }
  func tree(_ path: String) throws -> String { try SourceResolver.treeDigest(of: mirror.appendingPathComponent(path)) }

  func writeManifests() throws {
    let cohen = """
      {"id": "cohen2006", "name": "Cohen", "citation": "c", "license": "l", "domain": "d", "homepage": "h",
       "known_reviews": ["ADHD", "Statins"], "labels": {"ta": {"0": 0, "1": 1}, "ft": {"0": 0, "1": 1}},
       "sources": [{"id": "ADHD", "review": "ADHD", "reader": "csv", "path": "cohen2006/ADHD.csv",
                    "url": "https://example.invalid/ADHD.csv", "kind": "file", "sha256": "\(try sha("cohen2006/ADHD.csv"))",
                    "options": {"title": "Attention deficit hyperactivity disorder"}}]}
      """
    let sas = """
      {"id": "sas2010", "name": "SAS", "citation": "c", "license": "l", "domain": "d", "homepage": "h",
       "known_reviews": ["copd"], "labels": {"ta": {"1": 1, "-1": 0}},
       "sources": [
        {"id": "copd.labels", "review": "copd", "reader": "sas2010-labels", "path": "sas2010/copd/labels", "url": "u", "kind": "file",
         "sha256": "\(try sha("sas2010/copd/labels"))", "options": {"title": "COPD"}},
        {"id": "copd.titles", "review": "copd", "reader": "sas2010-texts", "path": "sas2010/copd/Titles", "url": "u", "kind": "directory",
         "sha256": "\(try tree("sas2010/copd/Titles"))", "options": {"role": "titles"}},
        {"id": "copd.abstracts", "review": "copd", "reader": "sas2010-texts", "path": "sas2010/copd/Abstracts", "url": "u", "kind": "directory",
         "sha256": "\(try tree("sas2010/copd/Abstracts"))", "options": {"role": "abstracts"}}]}
      """
    try TestSupport.write(cohen, to: "cohen2006.json", in: manifests)
    try TestSupport.write(sas, to: "sas2010.json", in: manifests)
    try TestSupport.write(#"{"by_collection": {"csmed_basic_train": ["cohen2006", "sas2010"]}, "by_cochrane_id": {}}"#, to: "splits.json", in: manifests)
  }

  func options(collections: [String]? = nil, pubmed: [URL] = []) -> BuildWorkflow.Options {
    BuildWorkflow.Options(
      manifests: manifests, mirror: mirror, cache: root.appendingPathComponent("data/raw"), database: database,
      collections: collections, pubmedFiles: pubmed, allowDownload: false)
  }

  func databaseBytes() throws -> Data { try Data(contentsOf: database) }
}

@Suite struct BuildWorkflowTests {
  @Test("a build stores both collections with both stages and splits")
  func build() throws {
    let fixture = try FixtureMirror()
    let report = try BuildWorkflow.run(fixture.options())
    let cohen = try #require(report.collections.first { $0.id == "cohen2006" })
    #expect(cohen.built && cohen.reviews == 1 && cohen.documents == 3 && cohen.includedTA == 2 && cohen.includedFT == 1)
    #expect(cohen.warnings.contains { $0.contains("1 of 2 known reviews") })
    let sas = try #require(report.collections.first { $0.id == "sas2010" })
    #expect(sas.documents == 3 && sas.includedTA == 1 && sas.withText == 3)
    #expect(sas.warnings.contains { $0.contains("without a label") })
    let store = try DatasetStore.open(at: fixture.database.path)
    #expect(try store.reviews(inSplit: "csmed_basic_train").count == 2)
    #expect(try store.meta("schema_version") == Schema.version)
    #expect(try store.meta("manifest_sha256:sas2010")?.count == 64)
    let adhd = try store.review(matching: "ADHD")
    #expect(adhd.title == "Attention deficit hyperactivity disorder")  // the manifest's name, not the file's
    let rows = try store.candidates(ofReview: adhd.id, stage: .fullText)
    #expect(rows.map(\.labelTA) == [1, 1, 0] && rows.map(\.labelFT) == [1, 0, 0])
    #expect(try store.search("statins").count == 1)
  }

  @Test("building a subset keeps the other collections, and rebuilding is idempotent")
  func subset() throws {
    let fixture = try FixtureMirror()
    _ = try BuildWorkflow.run(fixture.options())
    let before = try DatasetWorkflows.statistics(database: fixture.database, by: .review)
    _ = try BuildWorkflow.run(fixture.options(collections: ["sas2010"]))
    #expect(try DatasetWorkflows.statistics(database: fixture.database, by: .review) == before)
  }

  /// Each bad input must fail the build and leave the previous database byte-identical.
  @Test("bad input fails clearly and leaves the previous database intact", arguments: [
    "truncated-csv", "checksum", "manifest-json", "unknown-collection", "missing-mirror", "malformed-labels",
    "malformed-xml", "missing-pubmed",
  ])
  func badInput(kind: String) throws {
    let fixture = try FixtureMirror()
    _ = try BuildWorkflow.run(fixture.options())
    let before = try fixture.databaseBytes()
    var options = fixture.options()
    let expectedFragment: String
    switch kind {
    case "truncated-csv":
      let truncated = String(FixtureMirror.cohenCSV.prefix(FixtureMirror.cohenCSV.count - 40))
      try TestSupport.write(truncated, to: "cohen2006/ADHD.csv", in: fixture.mirror)
      try fixture.writeManifests()
      expectedFragment = "ADHD.csv:4"
    case "checksum":
      try TestSupport.write("tampered", to: "sas2010/copd/Titles/2", in: fixture.mirror)
      expectedFragment = "sha256 mismatch"
    case "manifest-json":
      try TestSupport.write("{\"id\": \"sas2010\",", to: "sas2010.json", in: fixture.manifests)
      expectedFragment = "sas2010.json: invalid JSON"
    case "unknown-collection":
      options.collections = ["nope"]
      expectedFragment = "unknown collection 'nope'"
    case "malformed-xml":
      let xml = "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID>\n</PubmedArticleSet>\n"
      options.pubmedFiles = [try TestSupport.write(xml, to: "broken.xml", in: fixture.root)]
      expectedFragment = "broken.xml:4"
    case "missing-pubmed":
      options.pubmedFiles = [fixture.root.appendingPathComponent("absent.nbib")]
      expectedFragment = "absent.nbib: no such file"
    case "missing-mirror":
      options.mirror = fixture.root.appendingPathComponent("absent")
      expectedFragment = "absent: no such file"
    default:
      try TestSupport.write("1 1\nfoo\n", to: "sas2010/copd/labels", in: fixture.mirror)
      try fixture.writeManifests()
      expectedFragment = "labels:2: expected '<doc id> <1|-1> ...'"
    }
    let error = #expect(throws: (any Error).self) { _ = try BuildWorkflow.run(options) }
    #expect("\(error.map { "\($0)" } ?? "")".contains(expectedFragment), "\(String(describing: error))")
    #expect(try fixture.databaseBytes() == before)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.database.deletingLastPathComponent().path)
    #expect(leftovers == ["csmed.sqlite"])
  }

  @Test("a read-only target folder is an I/O error naming the folder")
  func readOnly() throws {
    guard getuid() != 0 else { return }  // root writes anywhere; the CLI test covers a path that cannot exist.
    let fixture = try FixtureMirror()
    let folder = fixture.database.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
    #expect(throws: (any Error).self) { _ = try BuildWorkflow.run(fixture.options()) }
  }

  @Test("export writes CSV and RIS that read back through our readers; qrels and JSONL too")
  func export() throws {
    let fixture = try FixtureMirror()
    _ = try BuildWorkflow.run(fixture.options())
    let csv = try DatasetWorkflows.export(database: fixture.database, review: "ADHD", stage: .fullText, format: .csv)
    let fromCSV = try TabularRecordReader.parse(Data(csv.utf8), file: "export.csv")
    #expect(fromCSV.map(\.title) == ["Statins, muscles", "Beta blockers", "No identifiers"])
    #expect(fromCSV.map(\.label) == [1, 0, 0])
    #expect(fromCSV[0].authors == ["A B", "C D"] && fromCSV[0].pmid == "101")
    let ris = try DatasetWorkflows.export(database: fixture.database, review: "ADHD", stage: .titleAbstract, format: .ris)
    let fromRIS = try RISReader.parse(ris, file: "export.ris")
    #expect(fromRIS.map(\.title) == fromCSV.map(\.title))
    #expect(fromRIS.map(\.abstract) == fromCSV.map(\.abstract))
    #expect(fromRIS.map(\.label) == [1, 1, 0])
    let qrels = try DatasetWorkflows.export(database: fixture.database, review: "copd", stage: .titleAbstract, format: .qrels)
    #expect(qrels == "copd 0 1 1\ncopd 0 2 0\n" || qrels.hasPrefix("copd 0 "))
    let jsonl = try DatasetWorkflows.export(database: fixture.database, review: "ADHD", stage: .titleAbstract, format: .jsonl)
    #expect(jsonl.split(separator: "\n").count == 3 && jsonl.contains(#""label_ft":1"#))
  }

  @Test("--pubmed fills ids-only records from a MEDLINE export")
  func pubmed() throws {
    let fixture = try FixtureMirror()
    let csv = "record_id,pmid,label_included,label_abstract_screening\n1,555,1,1\n"
    try TestSupport.write(csv, to: "cohen2006/ADHD.csv", in: fixture.mirror)
    try fixture.writeManifests()
    let medline = "PMID- 555\nTI  - A filled title that wraps\n      onto a second line\nAB  - The abstract.\n\n"
    let file = try TestSupport.write(medline, to: "p.nbib", in: fixture.root)
    let report = try BuildWorkflow.run(fixture.options(collections: ["cohen2006"], pubmed: [file]))
    #expect(report.filledFromPubMed == 1)
    let rows = try DatasetStore.open(at: fixture.database.path).candidates(ofReview: 1, stage: .titleAbstract)
    #expect(rows.first?.record.title == "A filled title that wraps onto a second line")
  }
}

@Suite struct CSMeDFTFixtureTests {
  /// CSMeD-FT is not in the public mirror, so its exact layout is tested on a fixture:
  /// `CSMeD-FT-<split>.csv` with the loader's columns and `<split>_reviews_metadata.json`.
  @Test("CSMeD-FT CSV and reviews metadata build full texts, FT labels, exclusion reasons and ft splits")
  func csmedFT() throws {
    let root = try TestSupport.temporaryDirectory()
    let mirror = root.appendingPathComponent("mirror"), manifests = root.appendingPathComponent("manifests")
    let header = "review_id,document_id,decision,reason_for_exclusion,publication_date,doi,journal,year,PubMed ID,PDF links,title,authors,abstract,main_text,citation"
    let dev = header + "\n"
      + "CD010254,d1,included,,2010-01-01,10.1/A,J Lipid,2010,123,,Rosuvastatin trial,A B,An abstract.,\"Methods, results and\nmore text.\",cite\n"
      + "CD010254,d2,excluded,Wrong comparator,2011-01-01,,J,2011,,,Other trial,C D,Abstract two.,Body two.,cite\n"
    let metadata = #"{"CD010254": {"title": "Lipid-lowering efficacy of rosuvastatin", "abstract": "Background...", "review_type": "Intervention", "criteria": {"Types of studies": "RCTs", "Types of participants": "Adults"}, "criteria_text": "RCTs Adults"}}"#
    let csv = try TestSupport.write(dev, to: "csmed_ft/CSMeD-FT/CSMeD-FT-dev.csv", in: mirror)
    let json = try TestSupport.write(metadata, to: "csmed_ft/CSMeD-FT/CSMeD-FT-dev_reviews_metadata.json", in: mirror)
    try TestSupport.write("""
      {"id": "csmed_ft", "name": "CSMeD-FT", "citation": "c", "license": "CC BY-SA 4.0", "domain": "d", "homepage": "h",
       "known_reviews": [], "labels": {"ft": {"included": 1, "excluded": 0}},
       "sources": [
        {"id": "dev.csv", "path": "csmed_ft/CSMeD-FT/CSMeD-FT-dev.csv", "url": "u", "reader": "csmed-ft-csv", "kind": "file",
         "sha256": "\(try SHA256.hex(ofFileAt: csv))", "options": {"split": "ft_dev"}},
        {"id": "dev.metadata", "path": "csmed_ft/CSMeD-FT/CSMeD-FT-dev_reviews_metadata.json", "url": "u", "reader": "csmed-ft-metadata",
         "kind": "file", "sha256": "\(try SHA256.hex(ofFileAt: json))"},
        {"id": "test.csv", "path": "csmed_ft/CSMeD-FT/CSMeD-FT-test.csv", "url": "u", "reader": "csmed-ft-csv", "kind": "file",
         "options": {"split": "ft_test"}}]}
      """, to: "csmed_ft.json", in: manifests)
    let database = root.appendingPathComponent("db.sqlite")
    let report = try BuildWorkflow.run(.init(manifests: manifests, mirror: mirror, cache: root.appendingPathComponent("raw"), database: database, allowDownload: false))
    let collection = try #require(report.collections.first)
    #expect(collection.built && collection.reviews == 1 && collection.documents == 2 && collection.includedFT == 1)
    #expect(collection.warnings.contains { $0.contains("1 source file(s) unavailable") })
    let store = try DatasetStore.open(at: database.path)
    let review = try store.review(matching: "CD010254")
    #expect(review.title == "Lipid-lowering efficacy of rosuvastatin")
    #expect(try store.reviews(inSplit: "ft_dev").map(\.id) == [review.id])
    let rows = try store.candidates(ofReview: review.id, stage: .fullText)
    #expect(rows.map(\.labelFT) == [1, 0] && rows.map(\.labelTA) == [nil, nil])
    #expect(rows[0].record.pmid == "123" && rows[0].record.doi == "10.1/a")
    #expect(try store.fullText(ofDocument: rows[0].documentID)?.body == "Methods, results and\nmore text.")
  }
}
