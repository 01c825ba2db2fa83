import Foundation
import Testing

@testable import Text

@Suite("TFIDFVectorizer")
struct TFIDFVectorizerTests {
  static let configurations = ["bigram_sublinear", "bigram_sublinear_stop_words", "pruned", "unigram_raw_tf"]

  @Test(
    "fit_transform equals scikit-learn's TfidfVectorizer (vocabulary, idf, CSR structure, values)",
    arguments: configurations)
  func parity(name: String) throws {
    let fixture = try TFIDFFixture.load()
    let expected = try #require(fixture.tfidf[name])
    let texts = fixture.documents.map(\.text)
    let (vectorizer, matrix) = try TFIDFVectorizer.fitTransform(
      texts, configuration: expected.parameters.configuration())
    #expect(vectorizer.vocabulary == expected.vocabulary)
    #expect(maximumDifference(vectorizer.idf, expected.idf) <= 1e-12)
    #expect([matrix.rowCount, matrix.columnCount] == expected.matrix.shape)
    #expect(matrix.rowOffsets == expected.matrix.indptr)
    #expect(matrix.columnIndices == expected.matrix.indices)
    let difference = maximumDifference(matrix.values, expected.matrix.data)
    #expect(difference <= 1e-6, "max |Δ| = \(difference)")
    #expect(difference <= 1e-12, "max |Δ| = \(difference) (float64 parity)")
    // transform of the training texts gives the same matrix.
    #expect(vectorizer.transform(texts) == matrix)
  }

  @Test("the defaults are word uni+bigrams with sublinear tf, smooth idf and L2 rows")
  func defaults() {
    let configuration = TFIDFVectorizer.Configuration()
    #expect(configuration.analyzer.ngramRange == 1...2)
    #expect(configuration.sublinearTF && configuration.smoothIDF && configuration.useIDF)
    #expect(configuration.normalization == .l2)
    #expect(TFIDFVectorizer.Configuration.asreviewELASU4.maximumDocumentFrequency == .fraction(0.95))
    #expect(TFIDFVectorizer.Configuration.asreviewELASU3.analyzer.stopWords == .english)
  }

  @Test("a hand-computed two-document example")
  func handComputed() throws {
    // "aa bb bb" and "aa cc": n = 2, df(aa) = 2, df(bb) = df(cc) = 1.
    let configuration = TFIDFVectorizer.Configuration(analyzer: TextAnalyzer(), sublinearTF: true)
    let (vectorizer, matrix) = try TFIDFVectorizer.fitTransform(["aa bb bb", "Aa cc"], configuration: configuration)
    #expect(vectorizer.vocabulary == ["aa", "bb", "cc"])
    let idfRare = log(3.0 / 2.0) + 1
    #expect(vectorizer.idf == [1, idfRare, idfRare])
    let first = [1.0, (1 + log(2.0)) * idfRare, 0]
    let norm = (first[0] * first[0] + first[1] * first[1]).squareRoot()
    let row = matrix.row(0).dense
    #expect(abs(row[0] - first[0] / norm) < 1e-15 && abs(row[1] - first[1] / norm) < 1e-15 && row[2] == 0)
  }

  @Test("unseen terms are ignored and a document without known terms gives an empty row")
  func unseenTerms() throws {
    let vectorizer = try TFIDFVectorizer(fitting: ["asthma copd", "copd smoking"])
    let matrix = vectorizer.transform(["unrelated words", "", "COPD asthma zzz"])
    #expect(matrix.rowCount == 3 && matrix.columnCount == vectorizer.featureCount)
    #expect(matrix.row(0).nonzeroCount == 0 && matrix.row(1).nonzeroCount == 0)
    #expect(abs(matrix.row(2).norm - 1) < 1e-12)
    #expect(vectorizer.column(of: "asthma copd") != nil)
  }

  @Test("the fitted vectorizer round-trips through JSON and transforms identically")
  func checkpoint() throws {
    let fixture = try TFIDFFixture.load()
    let texts = fixture.documents.map(\.text)
    let vectorizer = try TFIDFVectorizer(fitting: texts, configuration: .asreviewELASU4)
    let data = try JSONEncoder().encode(vectorizer)
    let decoded = try JSONDecoder().decode(TFIDFVectorizer.self, from: data)
    #expect(decoded.vocabulary == vectorizer.vocabulary)
    #expect(decoded.configuration == vectorizer.configuration)
    #expect(decoded.transform(texts) == vectorizer.transform(texts))
    let json = try #require(String(data: data, encoding: .utf8))
    #expect(json.contains("\"sublinear_tf\":true") && json.contains("\"max_df\":{\"fraction\":0.95}"))
  }

  @Test("corrupted checkpoints are rejected with a reason")
  func corruptedCheckpoints() throws {
    let vectorizer = try TFIDFVectorizer(fitting: ["asthma copd", "copd smoking"])
    let json = try #require(String(data: JSONEncoder().encode(vectorizer), encoding: .utf8))
    let cases = [
      json.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":2"),
      json.replacingOccurrences(of: "\"asthma\",", with: ""),  // idf count mismatch
      json.replacingOccurrences(of: "\"asthma\",\"asthma copd\"", with: "\"asthma copd\",\"asthma\""),  // unsorted
      json.replacingOccurrences(of: "\"min_df\":{\"count\":1}", with: "\"min_df\":{\"fraction\":7}"),
    ]
    for corrupted in cases {
      #expect(corrupted != json)
      #expect(throws: DecodingError.self) {
        try JSONDecoder().decode(TFIDFVectorizer.self, from: Data(corrupted.utf8))
      }
    }
  }

  @Test("bad input: empty corpus, only stop words, pruning everything, inverted bounds")
  func badInput() throws {
    #expect(throws: VectorizerError.emptyCorpus) { try TFIDFVectorizer(fitting: []) }
    let stopWordsOnly = TFIDFVectorizer.Configuration(analyzer: try TextAnalyzer(stopWords: .english))
    #expect(throws: VectorizerError.self) {
      try TFIDFVectorizer(fitting: ["the and of", "a I"], configuration: stopWordsOnly)
    }
    do {
      _ = try TFIDFVectorizer(fitting: ["", " ", "!"])
      Issue.record("expected an empty-vocabulary error")
    } catch let error as VectorizerError {
      guard case .emptyVocabulary = error else { Issue.record("unexpected \(error)"); return }
      #expect(error.description.contains("empty vocabulary"))
    }
    let pruneAll = TFIDFVectorizer.Configuration(minimumDocumentFrequency: .count(3))
    #expect(throws: VectorizerError.self) { try TFIDFVectorizer(fitting: ["aa bb", "cc dd"], configuration: pruneAll) }
    let inverted = TFIDFVectorizer.Configuration(
      minimumDocumentFrequency: .count(2), maximumDocumentFrequency: .fraction(0.1))
    #expect(throws: VectorizerError.self) { try TFIDFVectorizer(fitting: ["aa bb", "aa dd"], configuration: inverted) }
    let badLimit = TFIDFVectorizer.Configuration(maximumFeatureCount: 0)
    #expect(throws: VectorizerError.self) { try TFIDFVectorizer(fitting: ["aa bb"], configuration: badLimit) }
  }
}
