import Foundation
import Testing

@testable import Text

@Suite("TextAnalyzer")
struct TextAnalyzerTests {
  @Test("the English stop words are scikit-learn's ENGLISH_STOP_WORDS")
  func stopWords() throws {
    let fixture = try TFIDFFixture.load()
    #expect(TextAnalyzer.englishStopWordList == fixture.englishStopWords)
    #expect(TextAnalyzer.englishStopWords.count == 318)
  }

  @Test("tokens, stop words and bigrams match scikit-learn's build_analyzer on Unicode edge cases")
  func analyzerCases() throws {
    let fixture = try TFIDFFixture.load()
    let unigram = TextAnalyzer()
    let stop = try TextAnalyzer(stopWords: .english)
    let bigram = try TextAnalyzer(ngramRange: 1...2)
    for testCase in fixture.analyzerCases {
      #expect(unigram.terms(in: testCase.text) == testCase.unigrams, "\(testCase.text)")
      #expect(stop.terms(in: testCase.text) == testCase.unigramsStopWords, "\(testCase.text)")
      #expect(bigram.terms(in: testCase.text) == testCase.bigrams, "\(testCase.text)")
    }
  }

  @Test("the real documents analyse exactly as in scikit-learn (through the fixture vocabulary)")
  func documentsTokens() throws {
    let fixture = try TFIDFFixture.load()
    let analyzer = try TextAnalyzer(ngramRange: 1...2)
    let vocabulary = Set(try #require(fixture.tfidf["bigram_sublinear"]).vocabulary)
    var terms = Set<String>()
    for document in fixture.documents { terms.formUnion(analyzer.terms(in: document.text)) }
    #expect(terms == vocabulary)
  }

  @Test("lower-casing follows Python's str.lower, final sigma included")
  func finalSigma() {
    #expect(TextAnalyzer.pythonLowercased("ΣΟΦΟΣ Σ ΑΣ. ΣΑ") == "σοφος σ ας. σα")
    #expect(TextAnalyzer.pythonLowercased("İSTANBUL") == "i\u{307}stanbul")
    #expect(TextAnalyzer().terms(in: "ΟΔΟΣ") == ["οδος"])
  }

  @Test("n-grams of a range that starts above 1, and of short token lists")
  func ngramRanges() throws {
    let twoThree = try TextAnalyzer(ngramRange: 2...3)
    #expect(twoThree.terms(in: "aa bb cc") == ["aa bb", "bb cc", "aa bb cc"])
    #expect(twoThree.terms(in: "aa") == [])
    #expect(try TextAnalyzer(ngramRange: 1...3).terms(in: "aa bb") == ["aa", "bb", "aa bb"])
    #expect(TextAnalyzer.wordTokens(in: "a_b x 12 é3") == ["a_b", "12", "é3"])
  }

  @Test("an n-gram range starting at 0 is rejected; decoding validates")
  func invalidRange() throws {
    #expect(throws: VectorizerError.self) { try TextAnalyzer(ngramRange: 0...2) }
    let bad = Data(#"{"lowercase":true,"stop_words":"none","ngram_min":2,"ngram_max":1}"#.utf8)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(TextAnalyzer.self, from: bad) }
    let analyzer = try TextAnalyzer(stopWords: .english, ngramRange: 1...2)
    let decoded = try JSONDecoder().decode(TextAnalyzer.self, from: JSONEncoder().encode(analyzer))
    #expect(decoded == analyzer)
  }
}
