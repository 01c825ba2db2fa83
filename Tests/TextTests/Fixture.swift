import Foundation
import Testing

@testable import Text

/// The scikit-learn parity fixture written by `scripts/make_tfidf_fixture.py`.
struct TFIDFFixture: Decodable {
  struct Document: Decodable {
    let recordID: String
    let label: Int
    let text: String
    enum CodingKeys: String, CodingKey {
      case recordID = "record_id"
      case label, text
    }
  }

  struct AnalyzerCase: Decodable {
    let text: String
    let unigrams: [String]
    let unigramsStopWords: [String]
    let bigrams: [String]
    enum CodingKeys: String, CodingKey {
      case text, unigrams, bigrams
      case unigramsStopWords = "unigrams_stop_words"
    }
  }

  struct Matrix: Decodable {
    let shape: [Int]
    let indptr: [Int]
    let indices: [Int32]
    let data: [Double]
  }

  struct Parameters: Decodable {
    let ngramRange: [Int]?
    let sublinearTF: Bool?
    let stopWords: String?
    let minDF: Int?
    let maxDF: Double?
    let maxFeatures: Int?
    enum CodingKeys: String, CodingKey {
      case ngramRange = "ngram_range"
      case sublinearTF = "sublinear_tf"
      case stopWords = "stop_words"
      case minDF = "min_df"
      case maxDF = "max_df"
      case maxFeatures = "max_features"
    }
  }

  struct Vectorized: Decodable {
    let parameters: Parameters
    let vocabulary: [String]
    let idf: [Double]
    let matrix: Matrix
  }

  let sklearnVersion: String
  let documents: [Document]
  let englishStopWords: [String]
  let analyzerCases: [AnalyzerCase]
  let tfidf: [String: Vectorized]

  enum CodingKeys: String, CodingKey {
    case sklearnVersion = "sklearn_version"
    case documents
    case englishStopWords = "english_stop_words"
    case analyzerCases = "analyzer_cases"
    case tfidf
  }

  static func load() throws -> TFIDFFixture {
    let url = try #require(
      Bundle.module.url(forResource: "tfidf_fixture", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(TFIDFFixture.self, from: Data(contentsOf: url))
  }
}

extension TFIDFFixture.Parameters {
  /// The Swift configuration that mirrors these scikit-learn parameters.
  func configuration() throws -> TFIDFVectorizer.Configuration {
    let range = ngramRange ?? [1, 1]
    let analyzer = try TextAnalyzer(
      stopWords: stopWords == "english" ? .english : .none, ngramRange: range[0]...range[1])
    return TFIDFVectorizer.Configuration(
      analyzer: analyzer, sublinearTF: sublinearTF ?? false,
      minimumDocumentFrequency: .count(minDF ?? 1),
      maximumDocumentFrequency: .fraction(maxDF ?? 1),
      maximumFeatureCount: maxFeatures)
  }
}

/// The largest absolute difference between two arrays of equal length (infinity otherwise).
func maximumDifference(_ a: [Double], _ b: [Double]) -> Double {
  guard a.count == b.count else { return .infinity }
  return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
