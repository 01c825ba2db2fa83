import Corpus
import Foundation

/// Assembles one collection from its verified source files into reviews and candidates.
///
/// Each collection's layout differs, so each has its own small assembly function; all of them
/// speak the same value types and leave storage to the caller.
public enum CollectionLoader {
  /// Sources already found and verified, by source id.
  public typealias Files = [String: URL]

  public static func load(_ manifest: Manifest, files: Files) throws -> LoadedCollection {
    var loaded: LoadedCollection
    switch manifest.id {
    case "cohen2006": loaded = try cohen(manifest, files)
    case "sas2010": loaded = try sas2010(manifest, files)
    case "swift": loaded = try swift(manifest, files)
    case "sigir2017": loaded = try SIGIR2017Loader.load(manifest, files)
    case "clef_tar2017", "clef_tar2018", "clef_tar2019": loaded = try CLEFLoader.load(manifest, files)
    case "sr_updates": loaded = try SRUpdatesLoader.load(manifest, files)
    case "hannousse": loaded = try HannousseLoader.load(manifest, files)
    case "csmed_ft": loaded = try CSMeDFTLoader.load(manifest, files)
    default:
      throw IngestError.unknownCollection(id: manifest.id, known: ManifestCatalog.collectionOrder)
    }
    let missing = manifest.knownReviews.filter { id in !loaded.reviews.contains { $0.sourceReviewID == id } }
    if !missing.isEmpty {
      loaded.warnings.append(
        "\(missing.count) of \(manifest.knownReviews.count) known reviews have no public copy here: "
          + missing.prefix(12).joined(separator: ", ") + (missing.count > 12 ? ", ..." : ""))
    }
    return loaded
  }

  /// The file of a source id, or an error naming what the manifest lacks.
  static func file(_ id: String, _ files: Files, _ manifest: Manifest) throws -> URL {
    guard let url = files[id] else {
      throw IngestError.invalidManifest(file: "manifests/\(manifest.id).json", reason: "no resolved source '\(id)'")
    }
    return url
  }

  /// The reviews that have at least one resolved source, in manifest order.
  static func reviewsWithFiles(_ manifest: Manifest, _ files: Files) -> [String] {
    manifest.knownReviews.filter { review in
      manifest.sources(for: review).contains { files[$0.id] != nil }
    }
  }

  // MARK: - Cohen 2006 (ASReview CSVs with both stages)

  static func cohen(_ manifest: Manifest, _ files: Files) throws -> LoadedCollection {
    var reviews: [Review] = []
    for review in reviewsWithFiles(manifest, files) {
      for source in manifest.sources(for: review) {
        let url = try file(source.id, files, manifest)
        let table = try TabularRecordReader.table(FileContents.data(at: url), file: url.path)
        let records = try TabularRecordReader.records(from: table)
        let taColumn = table.column(["label_abstract_screening"])
        let ftColumn = table.column(["label_included"])
        let candidates = try zip(records, table.rows).map { record, row in
          func label(_ column: Int?) throws -> Int? {
            guard let column else { return nil }
            let raw = row.fields[column]
            guard let value = LabelParser.binary(raw) else {
              throw IngestError.malformed(file: url.path, line: row.line, expected: "a label 0/1", found: "'\(raw)'")
            }
            return value
          }
          var record = record
          record.label = nil
          return Candidate(
            record: record, labelTA: try label(taColumn), labelFT: try label(ftColumn),
            rawLabel: [taColumn, ftColumn].compactMap { $0.map { row.fields[$0] } }.joined(separator: "/"))
        }
        // The files are named by topic in CamelCase ("OralHypoglycemics"); the manifest gives the
        // topic's name as a reader and the zero-shot query need it ("Oral Hypoglycemics").
        reviews.append(Review(
          sourceReviewID: review, title: source.option("title") ?? review, reviewType: "drug class", candidates: candidates))
      }
    }
    return LoadedCollection(info: manifest.info, reviews: reviews)
  }

  // MARK: - SAS2010 (Wallace et al.): label file plus one file per title and abstract

  static func sas2010(_ manifest: Manifest, _ files: Files) throws -> LoadedCollection {
    var reviews: [Review] = []
    var warnings: [String] = []
    for review in reviewsWithFiles(manifest, files) {
      let sources = manifest.sources(for: review)
      func source(_ reader: String, _ role: String? = nil) throws -> URL {
        guard let match = sources.first(where: { $0.reader == reader && (role == nil || $0.option("role") == role) }) else {
          throw IngestError.invalidManifest(file: "manifests/sas2010.json", reason: "review \(review) lacks a '\(reader)' source")
        }
        return try file(match.id, files, manifest)
      }
      let labels = try SAS2010Reader.labels(contentsOf: source("sas2010-labels"))
      let titles = try SAS2010Reader.texts(in: source("sas2010-texts", "titles"))
      let abstracts = try SAS2010Reader.texts(in: source("sas2010-texts", "abstracts"))
      let ids = Set(titles.keys).union(abstracts.keys).union(labels.keys)
        .sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
      let unlabelled = ids.filter { labels[$0] == nil }
      if !unlabelled.isEmpty {
        warnings.append("\(review): \(unlabelled.count) document(s) without a label in the label file (\(unlabelled.prefix(5).joined(separator: ", "))); stored with an unknown label")
      }
      let candidates = ids.map { id in
        let raw = labels[id]
        return Candidate(
          record: Record(sourceID: id, title: titles[id] ?? "", abstract: abstracts[id] ?? ""),
          labelTA: raw.flatMap { manifest.label($0, stage: .titleAbstract) }, rawLabel: raw)
      }
      let title = sources.first?.option("title") ?? review
      reviews.append(Review(sourceReviewID: review, title: title, candidates: candidates))
    }
    return LoadedCollection(info: manifest.info, reviews: reviews, warnings: warnings)
  }

  // MARK: - SWIFT (Howard et al. 2016) via SYNERGY id files

  static func swift(_ manifest: Manifest, _ files: Files) throws -> LoadedCollection {
    var reviews: [Review] = []
    for review in reviewsWithFiles(manifest, files) {
      for source in manifest.sources(for: review) {
        let url = try file(source.id, files, manifest)
        let records = try TabularRecordReader.parse(FileContents.data(at: url), file: url.path)
        let candidates = records.map { record in
          var stripped = record
          stripped.label = nil
          stripped.sourceID = record.sourceID ?? record.pmid ?? record.doi
          return Candidate(record: stripped, labelTA: record.label, rawLabel: record.label.map(String.init))
        }
        reviews.append(Review(sourceReviewID: review, title: source.option("title") ?? review, candidates: candidates))
      }
    }
    return LoadedCollection(info: manifest.info, reviews: reviews)
  }
}
