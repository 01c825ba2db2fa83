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
        // The non-blank lines, trimmed, with their line numbers for messages.
        let numbered = Lines.split(text).enumerated().map { (number: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespaces)) }
          .filter { !$0.text.isEmpty }
        let lines = numbered.map(\.text)
        switch source.option("role") {
        case "title":
          let line = lines.first ?? ""
          title = line.hasPrefix(reviewID) ? line.dropFirst(reviewID.count).trimmingCharacters(in: .whitespaces) : line
        case "query": query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "keywords": keywords = lines
        case "included_abstract": abstractLevel = try pmids(numbered, url)
        case "included_content": contentLevel = Set(try pmids(numbered, url))
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

  private static func pmids(_ lines: [(number: Int, text: String)], _ url: URL) throws -> [String] {
    try lines.map { number, line in
      guard let pmid = Identifiers.pmid(line), line.allSatisfy({ $0.isNumber }) else {
        throw IngestError.malformed(file: url.path, line: number, expected: "a PMID", found: "'\(line.prefix(40))'")
      }
      return pmid
    }
  }
}
