import Corpus
import Foundation

/// Alharbi & Stevenson 2019: per review a title file (`<CD id> <title>`), a Boolean query, MeSH
/// keywords, and the PMIDs included at abstract and content level. The candidate lists themselves
/// are only in an unpublished pickle, so each review holds its included records (TA = 1; FT from
/// the content-level list).
enum SRUpdatesLoader {
  static func load(_ manifest: Manifest, _ files: CollectionLoader.Files) throws -> LoadedCollection {
    var reviews: [Review] = []
    for reviewID in CollectionLoader.reviewsWithFiles(manifest, files) {
      var title = reviewID, query: String?, keywords: [String] = []
      var abstractLevel: [String] = [], contentLevel = Set<String>()
      for source in manifest.sources(for: reviewID) {
        guard let url = files[source.id] else { continue }
        let text = try FileContents.text(at: url)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
          .filter { !$0.isEmpty }
        switch source.option("role") {
        case "title":
          let line = lines.first ?? ""
          title = line.hasPrefix(reviewID) ? line.dropFirst(reviewID.count).trimmingCharacters(in: .whitespaces) : line
        case "query": query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "keywords": keywords = lines
        case "included_abstract": abstractLevel = try pmids(lines, url)
        case "included_content": contentLevel = Set(try pmids(lines, url))
        default: continue
        }
      }
      var order = abstractLevel
      for pmid in contentLevel.sorted() where !abstractLevel.contains(pmid) { order.append(pmid) }
      let candidates = order.map { pmid in
        Candidate(
          record: Record(sourceID: pmid, pmid: pmid), labelTA: 1, labelFT: contentLevel.contains(pmid) ? 1 : 0,
          rawLabel: contentLevel.contains(pmid) ? "content" : "abstract")
      }
      reviews.append(
        Review(
          sourceReviewID: reviewID, cochraneID: reviewID, title: title,
          criteria: keywords.isEmpty ? [] : [Criterion(heading: "MeSH keywords", text: keywords.joined(separator: "; "))],
          searchQuery: query, reviewType: "intervention", candidateSet: .includedOnly, candidates: candidates))
    }
    return LoadedCollection(info: manifest.info, reviews: reviews)
  }

  private static func pmids(_ lines: [String], _ url: URL) throws -> [String] {
    try lines.enumerated().map { index, line in
      guard let pmid = Identifiers.pmid(line), line.allSatisfy({ $0.isNumber }) else {
        throw IngestError.malformed(file: url.path, line: index + 1, expected: "a PMID", found: "'\(line.prefix(40))'")
      }
      return pmid
    }
  }
}
