import Corpus
import Foundation

/// CSMeD-FT: per split a CSV (`review_id, document_id, decision, reason_for_exclusion, ...,
/// title, authors, abstract, main_text, ...`) and a reviews-metadata JSON
/// (`{review_id: {title, abstract, review_type, criteria{...}, ...}}`). The decision is a
/// full-text decision; the split is kept as `ft_<split>`.
enum CSMeDFTLoader {
  static func load(_ manifest: Manifest, _ files: CollectionLoader.Files) throws -> LoadedCollection {
    var metadata: [String: ReviewMetadata] = [:]
    for source in manifest.sources where source.reader == "csmed-ft-metadata" {
      guard let url = files[source.id] else { continue }
      for (id, entry) in try readMetadata(url) where metadata[id] == nil { metadata[id] = entry }
    }
    var reviews: [String: Review] = [:]
    var order: [String] = []
    var splits: [String: [String]] = [:]
    for source in manifest.sources where source.reader == "csmed-ft-csv" {
      guard let url = files[source.id] else { continue }
      let table = try TabularRecordReader.table(FileContents.data(at: url), file: url.path)
      let reviewColumn = try table.requireColumn("review_id")
      let decisionColumn = try table.requireColumn("decision")
      let mainTextColumn = try table.requireColumn("main_text")
      let reasonColumn = table.column(["reason_for_exclusion"])
      let records = try TabularRecordReader.records(from: table)
      let split = source.option("split") ?? "ft"
      for (record, row) in zip(records, table.rows) {
        let reviewID = row.fields[reviewColumn]
        let decision = row.fields[decisionColumn].trimmingCharacters(in: .whitespaces)
        guard let label = manifest.label(decision.lowercased(), stage: .fullText) else {
          throw IngestError.malformed(
            file: url.path, line: row.line, expected: "decision 'included' or 'excluded'", found: "'\(decision)'")
        }
        if reviews[reviewID] == nil {
          let info = metadata[reviewID]
          reviews[reviewID] = Review(
            sourceReviewID: reviewID, cochraneID: reviewID.hasPrefix("CD") ? reviewID : nil,
            title: info?.title ?? reviewID, abstract: info?.abstract, criteria: info?.criteria ?? [],
            reviewType: info?.reviewType)
          order.append(reviewID)
        }
        if !(splits[split]?.contains(reviewID) ?? false) { splits[split, default: []].append(reviewID) }
        var stripped = record
        stripped.label = nil
        stripped.sourceID = record.sourceID ?? record.pmid ?? record.doi
        let body = row.fields[mainTextColumn]
        let reason = reasonColumn.map { row.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        reviews[reviewID]?.candidates.append(
          Candidate(
            record: stripped, labelFT: label, rawLabel: decision, exclusionReason: reason,
            fullText: body.isEmpty ? nil : FullText(format: "csv", body: body)))
      }
    }
    return LoadedCollection(
      info: manifest.info, reviews: order.compactMap { reviews[$0] },
      splits: splits.sorted { $0.key < $1.key }.map { SplitAssignment(name: $0.key, sourceReviewIDs: $0.value) })
  }

  struct ReviewMetadata {
    var title: String?
    var abstract: String?
    var reviewType: String?
    var criteria: [Criterion]
  }

  static func readMetadata(_ url: URL) throws -> [String: ReviewMetadata] {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: FileContents.data(at: url))
    } catch let error as IngestError {
      throw error
    } catch {
      throw IngestError.invalidJSON(file: url.path, reason: JSONErrors.describe(error))
    }
    guard let reviews = object as? [String: Any] else {
      throw IngestError.invalidJSON(file: url.path, reason: "expected an object keyed by review id")
    }
    var result: [String: ReviewMetadata] = [:]
    for (id, value) in reviews {
      guard let entry = value as? [String: Any] else {
        throw IngestError.invalidJSON(file: url.path, reason: "review '\(id)': expected an object")
      }
      var criteria: [Criterion] = []
      if let sections = entry["criteria"] as? [String: Any] {
        for heading in sections.keys.sorted() {
          if let text = sections[heading] as? String { criteria.append(Criterion(heading: heading, text: text)) }
        }
      }
      result[id] = ReviewMetadata(
        title: entry["title"] as? String, abstract: entry["abstract"] as? String,
        reviewType: entry["review_type"] as? String, criteria: criteria)
    }
    return result
  }
}
