import Foundation
import Testing

@testable import Text

@Suite("BM25")
struct BM25Tests {
  // Three documents, 9 terms: |d0| = 3, |d1| = 2, |d2| = 4, avgdl = 3.
  let documents = ["Asthma COPD asthma", "COPD smoking", "diabetes insulin diet cohort"]

  @Test("Lucene idf, k1 = 1.2, b = 0.75, computed by hand")
  func lucene() throws {
    let index = try BM25(documents: documents)
    #expect(index.averageDocumentLength == 3)
    // idf(asthma) = ln(1 + (3 − 1 + 0.5) / 1.5) = ln(8/3); idf(copd) = ln(1 + 1.5 / 2.5) = ln(1.6).
    #expect(abs(try #require(index.idf(of: "asthma")) - log(8.0 / 3.0)) < 1e-15)
    #expect(abs(try #require(index.idf(of: "copd")) - log(1.6)) < 1e-15)
    #expect(index.documentFrequency(of: "copd") == 2 && index.idf(of: "absent") == nil)
    let scores = index.scores(for: "asthma COPD")
    // d0: norm = 1.2 · (0.25 + 0.75 · 3/3) = 1.2; asthma tf 2 → 2 · 2.2 / 3.2 = 1.375; copd tf 1 → 2.2 / 2.2 = 1.
    // d1: norm = 1.2 · (0.25 + 0.75 · 2/3) = 0.9; copd tf 1 → 2.2 / 1.9.
    let expected = [1.375 * log(8.0 / 3.0) + log(1.6), 2.2 / 1.9 * log(1.6), 0]
    #expect(zip(scores, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(scores) vs \(expected)")
    // A repeated query term counts twice; unknown terms add nothing.
    let doubled = index.scores(for: "copd copd unknown")
    #expect(abs(doubled[1] - 2 * 2.2 / 1.9 * log(1.6)) < 1e-12)
  }

  @Test("rank_bm25 BM25Okapi idf: negative idf replaced by epsilon times the mean idf")
  func okapi() throws {
    let index = try BM25(documents: documents, parameters: .init(idf: .okapi(epsilon: 0.25)))
    // 7 terms: six with df 1 → ln(2.5/1.5); copd with df 2 → ln(1.5/2.5) < 0.
    let mean = (6 * log(2.5 / 1.5) + log(1.5 / 2.5)) / 7
    #expect(abs(try #require(index.idf(of: "copd")) - 0.25 * mean) < 1e-15)
    #expect(abs(try #require(index.idf(of: "asthma")) - log(2.5 / 1.5)) < 1e-15)
    let fts5 = try BM25(documents: documents, parameters: .init(idf: .fts5))
    #expect(try #require(fts5.idf(of: "copd")) == 1e-6)
  }

  @Test("b = 0 ignores length; stop words apply to documents and queries")
  func options() throws {
    let flat = try BM25(documents: documents, parameters: .init(b: 0))
    let scores = flat.scores(for: "copd")
    #expect(abs(scores[0] - scores[1]) < 1e-15)
    let stop = try BM25(documents: ["the asthma", "the copd"], analyzer: TextAnalyzer(stopWords: .english))
    #expect(stop.scores(for: "the") == [0, 0])
    #expect(stop.averageDocumentLength == 1)
  }

  @Test("bad input: empty corpus and parameters out of range; empty documents are fine")
  func badInput() throws {
    #expect(throws: VectorizerError.emptyCorpus) { try BM25(documents: []) }
    #expect(throws: VectorizerError.self) { try BM25(documents: ["aa"], parameters: .init(k1: -1)) }
    #expect(throws: VectorizerError.self) { try BM25(documents: ["aa"], parameters: .init(b: 1.5)) }
    let empty = try BM25(documents: ["", ""])
    #expect(empty.scores(for: "anything") == [0, 0])
  }

  @Test(
    "the streamed query scorer equals the whole index to the last bit, for every idf",
    arguments: [BM25.IDFVariant.lucene, .okapi(epsilon: 0.25), .fts5])
  func streamed(idf: BM25.IDFVariant) throws {
    let corpus = documents + ["", "asthma asthma asthma in children with COPD", "smoking cessation and copd exacerbations copd"]
    for query in ["asthma COPD", "copd copd unknown", "smoking asthma diet", "nothing matches"] {
      let parameters = BM25.Parameters(idf: idf)
      var scorer = try BM25.QueryScorer(query: query, parameters: parameters)
      for document in corpus { scorer.add(document) }
      #expect(scorer.documentCount == corpus.count)
      #expect(try scorer.scores() == BM25(documents: corpus, parameters: parameters).scores(for: query), "\(query)")
    }
    #expect(throws: VectorizerError.emptyCorpus) { try BM25.QueryScorer(query: "copd").scores() }
    #expect(throws: VectorizerError.self) { try BM25.QueryScorer(query: "copd", parameters: .init(b: 2)) }
  }
}
