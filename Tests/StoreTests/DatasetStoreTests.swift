import Corpus
import Foundation
import Testing
import TestSupport

@testable import Store

@Suite struct DatasetStoreTests {
  static let info = CollectionInfo(id: "c1", name: "C1", citation: "cite", doi: nil, license: "MIT", sourceURL: "u", domain: "d")

  func newStore() throws -> (DatasetStore, URL) {
    let url = try TestSupport.temporaryDirectory().appendingPathComponent("db.sqlite")
    return (try DatasetStore.create(at: url.path), url)
  }

  func collection(_ id: String = "c1", reviews: [Review]) -> LoadedCollection {
    var info = Self.info
    info.id = id
    return LoadedCollection(info: info, reviews: reviews, splits: [SplitAssignment(name: "s", sourceReviewIDs: reviews.map(\.sourceReviewID))])
  }

  let statin = Record(sourceID: "a", pmid: "1", title: "Statins and myopathy", abstract: "Muscle pain with statin therapy.")
  let beta = Record(sourceID: "b", pmid: "2", title: "Beta blockers", abstract: "")
  let bare = Record(sourceID: "c")

  @Test("storing a collection, then statistics by collection and review")
  func statistics() throws {
    let (store, _) = try newStore()
    let review = Review(sourceReviewID: "r1", title: "R1", candidates: [
      Candidate(record: statin, labelTA: 1, labelFT: 0), Candidate(record: beta, labelTA: 0, labelFT: 0),
      Candidate(record: bare, labelTA: 1, labelFT: 1),
    ])
    let summary = try store.replace(collection(reviews: [review]))
    #expect(summary.reviews == 1 && summary.candidates == 3 && summary.newDocuments == 3)
    let rows = try store.statistics(by: .collection)
    #expect(rows.count == 1)
    let row = try #require(rows.first)
    #expect(row.documents == 3 && row.withText == 2 && row.idsOnly == 1)
    #expect(row.includedTA == 2 && row.includedFT == 1)
    #expect(abs((row.averagePercentIncludedTA ?? 0) - 200.0 / 3) < 1e-9)
    // "Statins and myopathy Muscle pain with statin therapy." = 8 words; "Beta blockers" = 2.
    #expect(row.averageWordsPerDocument == 5)
    #expect(try store.reviews(inSplit: "s").map(\.sourceReviewID) == ["r1"])
  }

  @Test("a document shared by PMID is stored once and gains missing fields")
  func dedup() throws {
    let (store, _) = try newStore()
    _ = try store.replace(collection("c1", reviews: [Review(sourceReviewID: "r", title: "R", candidates: [Candidate(record: beta, labelTA: 1)])]))
    var richer = beta
    richer.abstract = "Now with an abstract."
    richer.doi = "10.1/b"
    let summary = try store.replace(collection("c2", reviews: [Review(sourceReviewID: "r", title: "R", candidates: [Candidate(record: richer, labelTA: 0)])]))
    #expect(summary.newDocuments == 0 && summary.sharedDocuments == 1)
    let review = try store.review(matching: "c1/r")
    let rows = try store.candidates(ofReview: review.id, stage: .titleAbstract)
    #expect(rows.first?.record.abstract == "Now with an abstract." && rows.first?.record.doi == "10.1/b")
    // Replacing c1 keeps the shared document, which c2 still uses.
    _ = try store.replace(collection("c1", reviews: []))
    #expect(try store.candidates(ofReview: try store.review(matching: "c2/r").id, stage: .titleAbstract).count == 1)
  }

  @Test("records without identifiers are unique per review, and replacing is idempotent")
  func idempotent() throws {
    let (store, _) = try newStore()
    let loaded = collection(reviews: [
      Review(sourceReviewID: "r1", title: "R1", candidates: [Candidate(record: Record(sourceID: "1", title: "x"))]),
      Review(sourceReviewID: "r2", title: "R2", candidates: [Candidate(record: Record(sourceID: "1", title: "y"))]),
    ])
    _ = try store.replace(loaded)
    let first = try store.statistics(by: .review)
    _ = try store.replace(loaded)
    #expect(try store.statistics(by: .review) == first)
    #expect(first.map(\.documents) == [1, 1])
  }

  @Test("search with bm25 snippets, restricted to a review, and suggestions")
  func searchAndSuggest() throws {
    let (store, _) = try newStore()
    _ = try store.replace(collection(reviews: [
      Review(sourceReviewID: "r1", title: "Statin safety", candidates: [Candidate(record: statin), Candidate(record: beta)])
    ]))
    try store.rebuildSearchIndex()
    let hits = try store.search("statin*")
    #expect(hits.map(\.pmid) == ["1"])
    #expect(hits.first?.snippet.contains("[") == true)
    #expect(try store.search("blockers", review: try store.review(matching: "r1").id).map(\.pmid) == ["2"])
    let suggestions = try store.suggest("stat")
    #expect(suggestions.contains("statin") && suggestions.contains("statins"))
    #expect(try store.suggest("Statin s").contains("Statin safety"))
  }

  @Test("PubMed records fill ids-only documents by PMID")
  func fill() throws {
    let (store, _) = try newStore()
    _ = try store.replace(collection(reviews: [Review(sourceReviewID: "r", title: "R", candidates: [Candidate(record: Record(sourceID: "9", pmid: "9"))])]))
    let filled = try store.fill(from: [Record(pmid: "9", title: "Filled", abstract: "Text"), Record(pmid: "404", title: "Nobody")])
    #expect(filled == 1)
    let row = try #require(try store.statistics(by: .collection).first)
    #expect(row.idsOnly == 0 && row.withText == 1)
  }

  @Test("full texts round-trip through zstd")
  func fullText() throws {
    let (store, _) = try newStore()
    let body = String(repeating: "Methods. We screened 4,500 records. ", count: 200)
    _ = try store.replace(collection(reviews: [Review(sourceReviewID: "r", title: "R", candidates: [
      Candidate(record: statin, labelFT: 1, fullText: FullText(format: "csv", body: body))
    ])]))
    let id = try #require(try store.candidates(ofReview: try store.review(matching: "r").id, stage: .fullText).first?.documentID)
    #expect(try store.fullText(ofDocument: id) == FullText(format: "csv", body: body))
    #expect(throws: StoreError.self) { _ = try Zstd.decompress([1, 2, 3]) }
  }

  @Test("review lookup by id, collection/id and unique source id; ambiguity is explained")
  func lookup() throws {
    let (store, _) = try newStore()
    _ = try store.replace(collection("c1", reviews: [Review(sourceReviewID: "r", cochraneID: "CD1", title: "R")]))
    _ = try store.replace(collection("c2", reviews: [Review(sourceReviewID: "r", title: "R")]))
    #expect(try store.review(matching: "CD1").collection == "c1")
    #expect(try store.review(matching: "c2/r").collection == "c2")
    let error = #expect(throws: StoreError.self) { _ = try store.review(matching: "r") }
    #expect(error?.description.contains("c1/r, c2/r") == true)
    #expect(throws: StoreError.notFound("review 'zzz'")) { _ = try store.review(matching: "zzz") }
  }

  @Test("opening a file that is not a csmed database fails clearly")
  func notADatabase() throws {
    let url = try TestSupport.write("hello", to: "x.sqlite", in: try TestSupport.temporaryDirectory())
    #expect(throws: StoreError.self) { _ = try DatasetStore.open(at: url.path) }
    #expect(throws: StoreError.notFound("database /nonexistent/x.sqlite (build it with `csmed build`)")) {
      _ = try DatasetStore.open(at: "/nonexistent/x.sqlite")
    }
  }
}
