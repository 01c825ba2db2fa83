import Foundation
import Testing
import Text

@testable import Screening

/// The scikit-learn reference results written by `scripts/make_tfidf_fixture.py`: the TF-IDF matrix
/// of 31 Cohen ADHD records (`ngram_range=(1, 2)`, `sublinear_tf=True`), their labels and what
/// `MultinomialNB`, `LogisticRegression` and `LinearSVC` learn from them.
struct ClassifierFixture: Decodable {
  struct Matrix: Decodable {
    let shape: [Int]
    let indptr: [Int]
    let indices: [Int32]
    let data: [Double]
  }

  struct Result: Decodable {
    let featureLogProb: [[Double]]?
    let classLogPrior: [Double]?
    let predictLogProba: [[Double]]?
    let coef: [Double]?
    let intercept: Double?
    let decisionFunction: [Double]?
    enum CodingKeys: String, CodingKey {
      case featureLogProb = "feature_log_prob"
      case classLogPrior = "class_log_prior"
      case predictLogProba = "predict_log_proba"
      case coef, intercept
      case decisionFunction = "decision_function"
    }
  }

  let sklearnVersion: String
  let labels: [Int]
  let matrix: Matrix
  let asreviewWeights: [Double]
  let classifiers: [String: Result]

  enum CodingKeys: String, CodingKey {
    case sklearnVersion = "sklearn_version"
    case labels, matrix, classifiers
    case asreviewWeights = "asreview_balanced_weights_ratio_9_8"
  }

  static func load() throws -> ClassifierFixture {
    let url = try #require(
      Bundle.module.url(forResource: "classifier_fixture", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(ClassifierFixture.self, from: Data(contentsOf: url))
  }

  func features() throws -> SparseMatrix {
    try SparseMatrix(
      rowCount: matrix.shape[0], columnCount: matrix.shape[1], rowOffsets: matrix.indptr,
      columnIndices: matrix.indices, values: matrix.data)
  }

  func result(_ name: String) throws -> Result {
    try #require(classifiers[name], "fixture has no \(name)")
  }
}

/// The largest absolute difference between two arrays of equal length (infinity otherwise).
func maximumDifference(_ a: [Double], _ b: [Double]) -> Double {
  guard a.count == b.count else { return .infinity }
  return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// The positions of `values` from highest to lowest (stable).
func ranking(_ values: [Double]) -> [Int] {
  values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
}

/// A small separable problem: feature 0 marks relevant records, feature 1 irrelevant ones.
func toyProblem() throws -> (SparseMatrix, [Int]) {
  let matrix = try SparseMatrix(
    dense: [[1, 0, 0.5], [0.9, 0, 0], [0, 1, 0.5], [0, 0.8, 0], [0.1, 0.9, 0.2], [0, 1, 0]], columnCount: 3)
  return (matrix, [1, 1, 0, 0, 0, 0])
}

/// Whether `values` order every pair of records as `reference` does, except pairs that
/// `reference` ties within `tieTolerance` (a hinge-loss SVM puts many records exactly on the margin).
func orderAgrees(_ values: [Double], _ reference: [Double], tieTolerance: Double) -> Bool {
  guard values.count == reference.count else { return false }
  for i in reference.indices {
    for j in reference.indices where reference[i] > reference[j] + tieTolerance {
      if !(values[i] > values[j]) { return false }
    }
  }
  return true
}
