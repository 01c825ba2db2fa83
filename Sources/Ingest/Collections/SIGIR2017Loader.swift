import Corpus
import Foundation

/// Scells et al. 2017: TREC qrels over numeric review ids (values 1-4), a map from review id to
/// the Cochrane URL, and the Boolean queries. Only judged documents are public, as PMIDs.
enum SIGIR2017Loader {
  static func load(_ manifest: Manifest, _ files: CollectionLoader.Files) throws -> LoadedCollection {
    var qrelsURL: URL?, reviewsURL: URL?, queriesURL: URL?
    for source in manifest.sources where files[source.id] != nil {
      switch source.reader {
      case "trec-qrels": qrelsURL = files[source.id]
      case "sigir2017-reviews": reviewsURL = files[source.id]
      case "sigir2017-queries": queriesURL = files[source.id]
      default: continue
      }
    }
    guard let qrelsURL else { return LoadedCollection(info: manifest.info, reviews: []) }
    struct ReviewEntry: Decodable { var id: Int; var url: String }
    struct QueryEntry: Decodable { var document_id: Int; var query: String }
    var cochrane: [String: String] = [:]
    if let reviewsURL {
      for entry in try decode([ReviewEntry].self, reviewsURL) {
        if let range = entry.url.range(of: #"CD\d+"#, options: .regularExpression) {
          cochrane[String(entry.id)] = String(entry.url[range])
        }
      }
    }
    var queries: [String: String] = [:]
    if let queriesURL {
      for entry in try decode([QueryEntry].self, queriesURL) where queries[String(entry.document_id)] == nil {
        queries[String(entry.document_id)] = entry.query
      }
    }
    var byReview: [String: [Candidate]] = [:]
    var order: [String] = []
    for judgement in try QrelsReader.read(contentsOf: qrelsURL) {
      let raw = String(judgement.relevance)
      guard let label = manifest.label(raw, stage: .titleAbstract) else {
        throw IngestError.malformed(
          file: qrelsURL.path, line: judgement.line, expected: "a relevance the manifest maps (1-4)", found: raw)
      }
      if byReview[judgement.topic] == nil { order.append(judgement.topic) }
      byReview[judgement.topic, default: []].append(
        Candidate(
          record: Record(sourceID: judgement.document, pmid: Identifiers.pmid(judgement.document)),
          labelTA: label, rawLabel: raw))
    }
    let reviews = order.map { id in
      Review(
        sourceReviewID: id, cochraneID: cochrane[id], title: cochrane[id] ?? "SIGIR2017 review \(id)",
        searchQuery: queries[id], candidateSet: .judgedOnly, candidates: byReview[id] ?? [])
    }
    return LoadedCollection(info: manifest.info, reviews: reviews)
  }

  static func decode<T: Decodable>(_ type: T.Type, _ url: URL) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: FileContents.data(at: url))
    } catch let error as IngestError {
      throw error
    } catch {
      throw IngestError.invalidJSON(file: url.path, reason: JSONErrors.describe(error))
    }
  }
}
