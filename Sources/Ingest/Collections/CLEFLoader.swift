import Corpus
import Foundation

/// CLEF eHealth TAR 2017, 2018 and 2019: topics (official text files or auto-stop-tar JSON),
/// qrels per stage (full, or rels-only completed from the topic's PIDs), and document texts where
/// a public copy has them (auto-stop-tar JSONL for seven 2017 topics).
///
/// Manifest conventions: per-review sources `clef-topic`/`clef-topic-json`/`trec-qrels`/`jsonl`;
/// collection-level `trec-qrels` sources with options `stage` (`ta`/`ft`) and `rels_only`.
/// Judgements 3 and 4 ("relevant but not retrieved") are ignored as the CLEF scripts do.
enum CLEFLoader {
  static func load(_ manifest: Manifest, _ files: CollectionLoader.Files) throws -> LoadedCollection {
    var warnings: [String] = []
    // Collection-level qrels: topic -> document -> relevance, per stage.
    var qrels: [Stage: [String: [String: Int]]] = [:]
    var relsOnly: [Stage: Bool] = [:]
    for source in manifest.sources(for: nil) where source.reader == "trec-qrels" {
      guard let files = files[source.id] else { continue }
      let stage = Stage(rawValue: source.option("stage") ?? "ta") ?? .titleAbstract
      relsOnly[stage] = source.option("rels_only") == "true"
      for judgement in try QrelsReader.read(contentsOf: files) where judgement.relevance < 3 {
        qrels[stage, default: [:]][judgement.topic, default: [:]][judgement.document] = judgement.relevance
      }
    }
    var reviews: [Review] = []
    for reviewID in CollectionLoader.reviewsWithFiles(manifest, files) {
      var topic: CLEFTopic?
      var texts: [String: Record] = [:]
      var reviewQrels: [Stage: [String: Int]] = [:]
      var qrelsOrder: [String] = []
      for source in manifest.sources(for: reviewID) {
        guard let url = files[source.id] else { continue }
        switch source.reader {
        case "clef-topic", "clef-topic-json":
          let read = try CLEFTopicReader.read(contentsOf: url)
          // The official file carries the PIDs; keep whichever topic has more.
          if topic == nil || read.pids.count > (topic?.pids.count ?? 0) { topic = read }
        case "jsonl":
          for record in try JSONLinesReader.read(contentsOf: url) {
            if let id = record.pmid ?? record.sourceID { texts[id] = record }
          }
        case "trec-qrels":
          let stage = Stage(rawValue: source.option("stage") ?? "ta") ?? .titleAbstract
          for judgement in try QrelsReader.read(contentsOf: url) where judgement.relevance < 3 {
            if reviewQrels[stage]?[judgement.document] == nil, stage == .titleAbstract {
              qrelsOrder.append(judgement.document)
            }
            reviewQrels[stage, default: [:]][judgement.document] = judgement.relevance
          }
        default:
          continue
        }
      }
      for stage in Stage.allCases {
        if let shared = qrels[stage]?[reviewID] {
          for (document, relevance) in shared where reviewQrels[stage]?[document] == nil {
            reviewQrels[stage, default: [:]][document] = relevance
          }
        }
      }
      // Candidates: the topic's PIDs in file order, then judged documents the PIDs lack.
      var order = topic?.pids ?? []
      var seen = Set(order)
      for document in qrelsOrder + (reviewQrels[.titleAbstract].map { $0.keys.sorted() } ?? [])
      where seen.insert(document).inserted {
        order.append(document)
      }
      func label(_ stage: Stage, _ document: String) -> Int? {
        if let relevance = reviewQrels[stage]?[document] { return relevance > 0 ? 1 : 0 }
        // Rels-only files list relevant documents: every other candidate is a 0.
        if relsOnly[stage] == true, qrels[stage] != nil { return 0 }
        return nil
      }
      let candidates = order.map { document -> Candidate in
        var record = texts[document] ?? Record()
        record.sourceID = document
        record.pmid = Identifiers.pmid(document)
        return Candidate(
          record: record, labelTA: label(.titleAbstract, document), labelFT: label(.fullText, document),
          rawLabel: reviewQrels[.titleAbstract]?[document].map(String.init))
      }
      let missingText = texts.isEmpty ? 0 : candidates.filter { texts[$0.record.sourceID ?? ""] == nil }.count
      if missingText > 0 {
        warnings.append("\(reviewID): \(missingText) candidate(s) have no text in the document file; stored ids-only")
      }
      reviews.append(
        Review(
          sourceReviewID: reviewID, cochraneID: reviewID, title: topic?.title ?? reviewID,
          searchQuery: topic?.query, reviewType: manifest.sources(for: reviewID).first?.option("review_type"),
          candidates: candidates))
    }
    let known = Set(reviews.map(\.sourceReviewID))
    for stage in Stage.allCases {
      let orphans = (qrels[stage] ?? [:]).keys.filter { !known.contains($0) }
      if !orphans.isEmpty {
        warnings.append(
          "\(orphans.count) topic(s) have \(stage.rawValue.uppercased()) judgements but no topic file here, so no candidate list; skipped")
      }
    }
    return LoadedCollection(info: manifest.info, reviews: reviews, warnings: warnings)
  }
}
