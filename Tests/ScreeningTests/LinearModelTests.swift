import Corpus
import Foundation
import Testing
import Text

@testable import Screening

@Suite("LogisticRegression")
struct LogisticRegressionTests {
  @Test(
    "coefficients (1e-6) and decisions (1e-5) equal scikit-learn's LogisticRegression (converged)",
    arguments: [
      ("logistic_tight", LogisticRegression.Configuration(), false),
      ("logistic_balanced_tight", LogisticRegression.Configuration(c: 10, balance: .inverseClassFrequency), false),
      ("logistic_weighted_tight", LogisticRegression.Configuration(), true),
    ])
  func parity(name: String, configuration: LogisticRegression.Configuration, weighted: Bool) throws {
    let fixture = try ClassifierFixture.load()
    let expected = try fixture.result(name)
    var model = try LogisticRegression(configuration: configuration)
    try model.fit(fixture.features(), labels: fixture.labels, weights: weighted ? fixture.asreviewWeights : nil)
    let diagnostics = try #require(model.diagnostics)
    #expect(diagnostics.converged)
    if let coefficients = expected.coef {  // stored for the unweighted fit only, to keep the fixture small
      let coefficientError = maximumDifference(model.coefficients, coefficients)
      #expect(coefficientError <= 1e-6, "max |Δcoef| = \(coefficientError)")
    }
    #expect(abs(model.intercept - (try #require(expected.intercept))) <= 1e-6)
    let decisions = try model.scores(fixture.features())
    let decisionError = maximumDifference(decisions, try #require(expected.decisionFunction))
    // scikit-learn's lbfgs stops with ‖∇f‖∞ ≈ 5e-6 (unscaled) on the C = 10 problem, so its own
    // decisions are only that accurate.
    #expect(decisionError <= 1e-5, "max |Δdecision| = \(decisionError), iterations \(diagnostics.iterations)")
  }

  @Test("scikit-learn's default LogisticRegression(C=1.0) (tol 1e-4): coefficients within 1e-4, same ranking")
  func defaultParity() throws {
    let fixture = try ClassifierFixture.load()
    let expected = try fixture.result("logistic_default")
    var model = try LogisticRegression()
    try model.fit(fixture.features(), labels: fixture.labels)
    #expect(maximumDifference(model.coefficients, try #require(expected.coef)) <= 1e-4)
    let decisions = try model.scores(fixture.features())
    #expect(maximumDifference(decisions, try #require(expected.decisionFunction)) <= 1e-3)
    #expect(ranking(decisions) == ranking(try #require(expected.decisionFunction)))
  }

  @Test("warm start reaches the same optimum; probabilities are the logistic of the decisions")
  func warmStart() throws {
    let fixture = try ClassifierFixture.load()
    let features = try fixture.features()
    // Two fits that each meet the gradient tolerance differ by what it allows; at 1e-13 that is
    // far below the bound tested.
    var cold = try LogisticRegression(configuration: .init(tolerance: 1e-13))
    try cold.fit(features, labels: fixture.labels)
    var warm = try LogisticRegression(configuration: .init(tolerance: 1e-13, warmStart: true))
    try warm.fit(features.rows(Array(0..<20)), labels: Array(fixture.labels.prefix(20)))
    try warm.fit(features, labels: fixture.labels)
    #expect(maximumDifference(cold.coefficients, warm.coefficients) <= 1e-9)
    let probabilities = try cold.probabilities(features)
    let decisions = try cold.scores(features)
    #expect(zip(probabilities, decisions).allSatisfy { abs($0 - 1 / (1 + exp(-$1))) < 1e-15 })
  }
}

/// Active learning retrains after every label from the last solution: each warm fit must land on
/// the optimum a cold fit finds, or the loop's labelling order would drift from ASReview's.
@Suite("Warm starts along a growing training set")
struct GrowingWarmStartTests {
  /// The fixture's TF-IDF rows beside a dense block of eight columns sharing one direction, as
  /// sentence embeddings do (the case the logistic regression's centred Newton step is for).
  static func features() throws -> (SparseMatrix, [Int]) {
    let fixture = try ClassifierFixture.load()
    let sparse = try fixture.features()
    var generator = SplitMix64(seed: 3)
    let dense = (0..<sparse.rowCount).map { row in
      (0..<8).map { _ in 0.3 + 0.1 * Double(generator.next() % 1000) / 1000 + (fixture.labels[row] == 1 ? 0.02 : 0) }
    }
    return (try sparse.horizontallyConcatenated(with: try SparseMatrix(dense: dense, columnCount: 8)), fixture.labels)
  }

  /// Training sets of 12, 13, ... rows (both classes in the first), the order of a screening loop.
  static func prefixes(_ labels: [Int]) -> [[Int]] {
    let first = labels.indices.filter { labels[$0] == 1 }.prefix(3) + labels.indices.filter { labels[$0] == 0 }.prefix(9)
    let rest = labels.indices.filter { !first.contains($0) }
    return (0...min(rest.count, 25)).map { Array(first) + rest.prefix($0) }
  }

  @Test("logistic regression (balanced, C = 10): every warm fit's decisions within 1e-6 of a cold fit's at a tight tolerance (at the default 1e-8 they differ by up to 5e-6)")
  func logistic() throws {
    let (features, labels) = try Self.features()
    let configuration = LogisticRegression.Configuration(c: 10, balance: .inverseClassFrequency, tolerance: 1e-9)
    var warmConfiguration = configuration
    warmConfiguration.warmStart = true
    var warm = try LogisticRegression(configuration: warmConfiguration)
    // The prefixes, then a set that is no prefix of the last (the kept Gram matrix is rebuilt).
    for rows in Self.prefixes(labels) + [Array(Self.prefixes(labels)[5].reversed())] {
      let training = features.rows(rows), y = rows.map { labels[$0] }
      #expect(LogisticRegression.prefersGram(training), "the warm fits take the Gram form, the cold ones the primal")
      try warm.fit(training, labels: y)
      var cold = try LogisticRegression(configuration: configuration)
      try cold.fit(training, labels: y)
      #expect(try #require(warm.diagnostics).converged && (try #require(cold.diagnostics).converged))
      let difference = maximumDifference(try warm.scores(features), try cold.scores(features))
      #expect(difference <= 1e-6, "\(rows.count) rows: max |Δdecision| = \(difference)")
    }
  }

  @Test("the Gram matrix extended row by row equals one built at once and a dense reference; a reordered set is no prefix")
  func gramMatrix() throws {
    let (features, _) = try Self.features()
    let rows = Array(0..<min(features.rowCount, 70))
    var grown = GramMatrix(features.rows(Array(rows.prefix(3))))
    for n in 4...rows.count {
      let training = features.rows(Array(rows.prefix(n)))
      #expect(grown.isPrefix(of: training))
      grown.extend(to: training)
    }
    let dense = features.rows(rows).dense
    let v = rows.map { Double($0 % 7) - 3 }
    let expected = dense.map { a in dense.indices.reduce(0.0) { $0 + zip(a, dense[$1]).reduce(0) { $0 + $1.0 * $1.1 } * v[$1] } }
    #expect(maximumDifference(grown.multiply(v), expected) <= 1e-12)
    #expect(grown.multiply(v) == GramMatrix(features.rows(rows)).multiply(v))
    #expect(!grown.isPrefix(of: features.rows(Array(rows.reversed()))))
    #expect(!grown.isPrefix(of: features.rows(Array(rows.prefix(10)))))
  }

  @Test("linear SVM (elas_u4): every warm fit's decisions within 1e-6 of a cold fit's at a tight tolerance")
  func svm() throws {
    let (features, labels) = try Self.features()
    var configuration = LinearSVM.Configuration.asreviewELASU4
    configuration.tolerance = 1e-9
    configuration.maximumIterations = 100_000
    var warmConfiguration = configuration
    warmConfiguration.warmStart = true
    var warm = try LinearSVM(configuration: warmConfiguration)
    for rows in Self.prefixes(labels) {
      let training = features.rows(rows), y = rows.map { labels[$0] }
      try warm.fit(training, labels: y)
      var cold = try LinearSVM(configuration: configuration)
      try cold.fit(training, labels: y)
      let difference = maximumDifference(try warm.scores(features), try cold.scores(features))
      #expect(difference <= 1e-6, "\(rows.count) rows: max |Δdecision| = \(difference)")
    }
  }
}

@Suite("LinearSVM")
struct LinearSVMTests {
  @Test(
    "decision values equal scikit-learn's LinearSVC (converged) within 1e-8",
    arguments: [
      ("svm_tight", LinearSVM.Configuration(tolerance: 1e-10, maximumIterations: 100_000), false),
      ("svm_hinge_tight", LinearSVM.Configuration(loss: .hinge, tolerance: 1e-10, maximumIterations: 100_000), false),
      (
        "svm_balanced_tight",
        LinearSVM.Configuration(balance: .inverseClassFrequency, tolerance: 1e-10, maximumIterations: 100_000), false
      ),
      ("svm_elas_u4_tight", LinearSVM.Configuration(c: 0.11, tolerance: 1e-10, maximumIterations: 100_000), true),
    ])
  func parity(name: String, configuration: LinearSVM.Configuration, weighted: Bool) throws {
    let fixture = try ClassifierFixture.load()
    let expected = try fixture.result(name)
    var model = try LinearSVM(configuration: configuration)
    try model.fit(fixture.features(), labels: fixture.labels, weights: weighted ? fixture.asreviewWeights : nil)
    #expect(try #require(model.diagnostics).converged)
    let decisions = try model.scores(fixture.features())
    let error = maximumDifference(decisions, try #require(expected.decisionFunction))
    #expect(error <= 1e-8, "max |Δdecision| = \(error)")
    #expect(abs(model.intercept - (try #require(expected.intercept))) <= 1e-8)
    #expect(orderAgrees(decisions, try #require(expected.decisionFunction), tieTolerance: 1e-6))
  }

  @Test("ASReview elas_u4 preset (balance applied inside) equals the explicit sample weights")
  func asreviewPreset() throws {
    let fixture = try ClassifierFixture.load()
    var preset = LinearSVM.Configuration.asreviewELASU4
    preset.tolerance = 1e-10
    preset.maximumIterations = 100_000
    var model = try LinearSVM(configuration: preset)
    try model.fit(fixture.features(), labels: fixture.labels)
    let expected = try #require(try fixture.result("svm_elas_u4_tight").decisionFunction)
    #expect(maximumDifference(try model.scores(fixture.features()), expected) <= 1e-8)
  }

  @Test("scikit-learn's default LinearSVC() (tol 1e-4): decisions within 1e-3 and the same ranking")
  func defaultParity() throws {
    let fixture = try ClassifierFixture.load()
    let expected = try #require(try fixture.result("svm_default").decisionFunction)
    var model = try LinearSVM()
    try model.fit(fixture.features(), labels: fixture.labels)
    let decisions = try model.scores(fixture.features())
    #expect(maximumDifference(decisions, expected) <= 1e-3)
    #expect(ranking(decisions) == ranking(expected))
  }

  @Test("deterministic under a seed; other seeds agree within the tolerance; warm start converges")
  func determinism() throws {
    let fixture = try ClassifierFixture.load()
    let features = try fixture.features()
    func fitted(seed: UInt64, warm: Bool = false) throws -> LinearSVM {
      var model = try LinearSVM(
        configuration: .init(tolerance: 1e-8, maximumIterations: 100_000, seed: seed, warmStart: warm))
      if warm { try model.fit(features.rows(Array(0..<20)), labels: Array(fixture.labels.prefix(20))) }
      try model.fit(features, labels: fixture.labels)
      return model
    }
    let a = try fitted(seed: 7)
    let b = try fitted(seed: 7)
    #expect(a.coefficients == b.coefficients && a.intercept == b.intercept)
    let c = try fitted(seed: 8)
    #expect(maximumDifference(try a.scores(features), try c.scores(features)) <= 1e-6)
    var generator = SplitMix64(seed: 7)
    var passed = try LinearSVM(configuration: .init(tolerance: 1e-8, maximumIterations: 100_000, seed: 99))
    try passed.fit(features, labels: fixture.labels, weights: nil, using: &generator)
    #expect(passed.coefficients == a.coefficients)
    let warm = try fitted(seed: 7, warm: true)
    #expect(maximumDifference(try a.scores(features), try warm.scores(features)) <= 1e-6)
  }
}
