import Foundation
import Testing
import Text

@testable import Screening

@Suite("Bad input")
struct BadInputTests {
  static let models: [ClassicalModel] = {
    do {
      return [
        .naiveBayes(try NaiveBayes()), .logisticRegression(try LogisticRegression()), .linearSVM(try LinearSVM()),
      ]
    } catch {
      return []
    }
  }()

  @Test("an empty training set, a single class, labels other than 0/1, count mismatches", arguments: models)
  func training(model: ClassicalModel) throws {
    var model = model
    let (matrix, labels) = try toyProblem()
    let empty = try SparseMatrix(rows: [], columnCount: 3)
    #expect(throws: ScreeningError.self) { try model.fit(empty, labels: []) }
    do {
      try model.fit(matrix.rows([0, 1]), labels: [1, 1])
      Issue.record("expected a single-class error")
    } catch let error as ScreeningError {
      guard case .singleClass(_, 1, 2) = error else { Issue.record("unexpected \(error)"); return }
      #expect(error.description.contains("both classes"))
    }
    #expect(throws: ScreeningError.invalidLabel(index: 2, value: -1)) {
      try model.fit(matrix, labels: [1, 1, -1, 0, 0, 0])
    }
    #expect(throws: ScreeningError.labelCountMismatch(rows: 6, labels: 5)) {
      try model.fit(matrix, labels: Array(labels.prefix(5)))
    }
    #expect(throws: ScreeningError.weightCountMismatch(rows: 6, weights: 2)) {
      try model.fit(matrix, labels: labels, weights: [1, 1])
    }
    #expect(throws: ScreeningError.invalidWeight(index: 0, value: -1)) {
      try model.fit(matrix, labels: labels, weights: [-1, 1, 1, 1, 1, 1])
    }
    // Zero weight on every relevant record leaves one class.
    #expect(throws: ScreeningError.self) { try model.fit(matrix, labels: labels, weights: [0, 0, 1, 1, 1, 1]) }
    // Failed fits leave the model untrained.
    #expect(model.featureCount == nil)
    #expect(throws: ScreeningError.notFitted(model: model.modelName)) { try model.scores(matrix) }
  }

  @Test("a checkpoint applied to features of another dimension, and corrupted checkpoints", arguments: models)
  func checkpoints(model: ClassicalModel) throws {
    var model = model
    let (matrix, labels) = try toyProblem()
    try model.fit(matrix, labels: labels)
    let restored = try ClassicalModel(checkpoint: model.checkpointData())
    #expect(try restored.scores(matrix) == model.scores(matrix))
    #expect(try restored.checkpointData() == model.checkpointData())
    let wider = try SparseMatrix(dense: [[1, 0, 0, 1]], columnCount: 4)
    do {
      _ = try restored.scores(wider)
      Issue.record("expected a dimension mismatch")
    } catch let error as ScreeningError {
      guard case .dimensionMismatch(_, 3, 4) = error else { Issue.record("unexpected \(error)"); return }
      #expect(error.description.contains("3 features") && error.description.contains("4 columns"))
    }
    let json = try #require(String(data: model.checkpointData(), encoding: .utf8))
    let corrupted = [
      "", "{}", json.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":9"),
      json.replacingOccurrences(of: "\"model\":\"\(model.kind)\"", with: "\"model\":\"forest\""),
      json.replacingOccurrences(of: "\"C\":1", with: "\"C\":-1"),
      json.replacingOccurrences(of: "\"alpha\":3.822", with: "\"alpha\":-2"),
      json.replacingOccurrences(of: "\"state\":{", with: "\"state\":{\"coef\":[1e999],\"feature_log_prob\":[[1]],"),
    ]
    for text in corrupted where text != json {
      #expect(throws: ScreeningError.self) { try ClassicalModel(checkpoint: Data(text.utf8)) }
    }
  }

  @Test("invalid hyper-parameters are rejected at construction")
  func parameters() {
    #expect(throws: ScreeningError.self) { try NaiveBayes(configuration: .init(alpha: -1)) }
    #expect(throws: ScreeningError.self) { try LogisticRegression(configuration: .init(c: 0)) }
    #expect(throws: ScreeningError.self) { try LinearSVM(configuration: .init(tolerance: 0)) }
    #expect(throws: ScreeningError.self) { try LinearSVM(configuration: .init(balance: .asreview(ratio: 0))) }
  }
}

extension ClassicalModel: CustomTestStringConvertible {
  public var testDescription: String { kind }
  var modelName: String {
    switch self {
    case .naiveBayes: return NaiveBayes.modelName
    case .logisticRegression: return LogisticRegression.modelName
    case .linearSVM: return LinearSVM.modelName
    }
  }
}
