import Foundation
import Testing
import Text

@testable import Screening

@Suite("NaiveBayes")
struct NaiveBayesTests {
  @Test("log-probabilities equal scikit-learn's MultinomialNB(alpha=3.822) within 1e-9")
  func parity() throws {
    let fixture = try ClassifierFixture.load()
    let expected = try fixture.result("naive_bayes")
    var model = try NaiveBayes()
    try model.fit(fixture.features(), labels: fixture.labels)
    let featureLogProb = try #require(expected.featureLogProb)
    #expect(maximumDifference(model.featureLogProbabilities[0], featureLogProb[0]) <= 1e-12)
    #expect(maximumDifference(model.featureLogProbabilities[1], featureLogProb[1]) <= 1e-12)
    #expect(maximumDifference(model.classLogPriors, try #require(expected.classLogPrior)) <= 1e-12)
    let (irrelevant, relevant) = try model.logProbabilities(fixture.features())
    let reference = try #require(expected.predictLogProba)
    #expect(maximumDifference(irrelevant, reference.map { $0[0] }) <= 1e-9)
    #expect(maximumDifference(relevant, reference.map { $0[1] }) <= 1e-9)
    // Scores are the log-odds, so they rank as predict_proba[:, 1].
    let scores = try model.scores(fixture.features())
    #expect(maximumDifference(scores, reference.map { $0[1] - $0[0] }) <= 1e-9)
  }

  @Test("with ASReview's balanced sample weights (ratio 9.8) as sample_weight, within 1e-9")
  func weightedParity() throws {
    let fixture = try ClassifierFixture.load()
    let reference = try #require(try fixture.result("naive_bayes_weighted").predictLogProba)
    // Passing the weights explicitly and asking for the balance strategy give the same model.
    var explicit = try NaiveBayes()
    try explicit.fit(fixture.features(), labels: fixture.labels, weights: fixture.asreviewWeights)
    var balanced = try NaiveBayes(configuration: .init(balance: .asreview(ratio: 9.8)))
    try balanced.fit(fixture.features(), labels: fixture.labels)
    for model in [explicit, balanced] {
      let (irrelevant, relevant) = try model.logProbabilities(fixture.features())
      #expect(maximumDifference(irrelevant, reference.map { $0[0] }) <= 1e-9)
      #expect(maximumDifference(relevant, reference.map { $0[1] }) <= 1e-9)
    }
  }

  @Test("uniform priors without fitPrior; the toy problem ranks relevant records first")
  func toy() throws {
    let (matrix, labels) = try toyProblem()
    var model = try NaiveBayes(configuration: .init(alpha: 1, fitPrior: false))
    try model.fit(matrix, labels: labels)
    #expect(model.classLogPriors == [-log(2.0), -log(2.0)])
    #expect(Set(ranking(try model.scores(matrix)).prefix(2)) == [0, 1])
  }
}
