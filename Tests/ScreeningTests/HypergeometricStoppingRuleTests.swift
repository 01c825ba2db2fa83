import Testing

@testable import Screening

/// Reference values computed once with scipy 1.17.1 (`scipy.stats.hypergeom`) and buscarpy's
/// `calculate_h0` formula; see the comments for the Python expressions.
@Suite struct HypergeometricStoppingRuleTests {
  struct CDFCase: Sendable, CustomTestStringConvertible {
    var k: Int, population: Int, successes: Int, draws: Int, expected: Double
    var testDescription: String { "cdf(\(k), \(population), \(successes), \(draws))" }
  }

  /// `hypergeom.cdf(k, M, n, N)`.
  static let cdfCases: [CDFCase] = [
    CDFCase(k: 0, population: 100, successes: 1, draws: 10, expected: 0.9),
    CDFCase(k: 3, population: 1245, successes: 12, draws: 200, expected: 0.8883437109394932),
    CDFCase(k: 250, population: 10000, successes: 500, draws: 5000, expected: 0.5182955530631518),
    CDFCase(k: 5, population: 50, successes: 20, draws: 10, expected: 0.8601118970671333),
    CDFCase(k: 0, population: 20000, successes: 50, draws: 3000, expected: 0.00029257932075508634),
    CDFCase(k: 2, population: 1000, successes: 40, draws: 302, expected: 7.306092499879702e-05),
    CDFCase(k: 12, population: 700, successes: 60, draws: 250, expected: 0.004646171892040704),
  ]

  @Test("the cdf matches scipy", arguments: cdfCases)
  func cdf(_ c: CDFCase) {
    let value = HypergeometricDistribution.cdf(c.k, population: c.population, successes: c.successes, draws: c.draws)
    #expect(stoppingIsClose(value, c.expected, relative: 1e-9), "\(value) vs scipy \(c.expected)")
  }

  @Test("pmf, support edges and invalid parameters")
  func distributionEdges() {
    // hypergeom.pmf(3, 1245, 12, 200)
    #expect(
      stoppingIsClose(
        HypergeometricDistribution.pmf(3, population: 1245, successes: 12, draws: 200), 0.18926805722805287))
    #expect(HypergeometricDistribution.cdf(-1, population: 10, successes: 3, draws: 4) == 0)
    #expect(HypergeometricDistribution.cdf(3, population: 10, successes: 3, draws: 4) == 1)
    // At least 4 − (10 − 8) = 2 successes are drawn.
    #expect(HypergeometricDistribution.cdf(1, population: 10, successes: 8, draws: 4) == 0)
    #expect(HypergeometricDistribution.cdf(0, population: 5, successes: 6, draws: 2).isNaN)
  }

  struct SequenceCase: Sendable, CustomTestStringConvertible {
    var name: String, labels: [Bool], total: Int, targetRecall: Double
    var pValue: Double, urnSize: Int, minimumRelevant: Int, population: Int
    var testDescription: String { name }
  }

  /// min over tails of `hypergeom.cdf(urns.cumsum(), N − (n − j), floor(r/τ + 1 − (r − k)), j)`.
  static let sequenceCases: [SequenceCase] = [
    SequenceCase(
      name: "A: 20 relevant, 80 irrelevant, 2 relevant, 200 irrelevant; N = 1000",
      labels: stoppingRun(true, 20) + stoppingRun(false, 80) + stoppingRun(true, 2) + stoppingRun(false, 200),
      total: 1000, targetRecall: 0.95,
      pValue: 0.6039756376737108, urnSize: 200, minimumRelevant: 2, population: 898),
    SequenceCase(
      name: "B: 10 relevant, 40 irrelevant; N = 500, τ = 0.9",
      labels: stoppingRun(true, 10) + stoppingRun(false, 40), total: 500, targetRecall: 0.9,
      pValue: 0.8432452735695505, urnSize: 40, minimumRelevant: 2, population: 490),
    SequenceCase(
      name: "D: 50 relevant, 10 × (1 relevant, 9 irrelevant), 1000 irrelevant; N = 5000",
      labels: stoppingRun(true, 50) + Array((0..<10).map { _ in [true] + stoppingRun(false, 9) }.joined())
        + stoppingRun(false, 1000),
      total: 5000, targetRecall: 0.95,
      pValue: 0.3940167633760237, urnSize: 1009, minimumRelevant: 4, population: 4859),
    SequenceCase(
      name: "E at 782: 30 relevant then irrelevant; N = 1000",
      labels: stoppingRun(true, 30) + stoppingRun(false, 752), total: 1000, targetRecall: 0.95,
      pValue: 0.050329279839988084, urnSize: 752, minimumRelevant: 2, population: 970),
    SequenceCase(
      name: "E at 783",
      labels: stoppingRun(true, 30) + stoppingRun(false, 753), total: 1000, targetRecall: 0.95,
      pValue: 0.0498675433276946, urnSize: 753, minimumRelevant: 2, population: 970),
  ]

  @Test("the smallest p over every tail matches buscarpy with scipy", arguments: sequenceCases)
  func everyTail(_ c: SequenceCase) throws {
    let rule = try HypergeometricStoppingRule(targetRecall: c.targetRecall)
    let test = try #require(rule.decisiveTest(for: try stoppingProgress(c.labels, total: c.total)))
    #expect(stoppingIsClose(test.pValue, c.pValue, relative: 1e-9), "\(test.pValue) vs scipy \(c.pValue)")
    #expect(test.urnSize == c.urnSize)
    #expect(test.minimumRelevant == c.minimumRelevant)
    #expect(test.population == c.population)
  }

  @Test("30 relevant first in N = 1000 first stops at n = 783")
  func firstStopE() throws {
    let rule = try HypergeometricStoppingRule()
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(true, 30) + stoppingRun(false, 970)) == 783)
    let decision = rule.decision(
      for: try stoppingProgress(stoppingRun(true, 30) + stoppingRun(false, 753), total: 1000))
    #expect(
      decision.reason
        == "p = 0.0499 < 0.05 that recall < 95% (urn of the last 753 records with 0 relevant; K̂ = 2 in 970)")
  }

  @Test("zero relevant: K̂ = 1 and p = (N − n)/N")
  func zeroRelevant() throws {
    let rule = try HypergeometricStoppingRule()
    // n = 96 of 100: p = 4/100 = 0.04 < 0.05 (scipy 0.04); n = 94: p = 0.06 (scipy 0.060000000000000005).
    let stop = rule.decision(for: try stoppingProgress(stoppingRun(false, 96), total: 100))
    #expect(stop.shouldStop)
    #expect(stoppingIsClose(try #require(stop.statistic), 0.04))
    let keep = rule.decision(for: try stoppingProgress(stoppingRun(false, 94), total: 100))
    #expect(keep.verdict == .continue)
    #expect(stoppingIsClose(try #require(keep.statistic), 0.06))
    // At n = 95 the exact value is 0.05 (scipy rounds to 0.04999999999999999): not a test case.
  }

  @Test("all relevant at the start: 20 of N = 500 first stops at 393 (scipy p 0.04933 after 0.05026)")
  func allRelevantFirst() throws {
    let rule = try HypergeometricStoppingRule()
    let order = stoppingRun(true, 20) + stoppingRun(false, 480)
    #expect(try stoppingFirstStop(of: rule, in: order) == 393)
    let state = try ScreeningOrder(labels: order)
    #expect(
      stoppingIsClose(
        try #require(rule.decision(for: state.progress(afterScreening: 393)).statistic), 0.04933020180932498))
    #expect(
      stoppingIsClose(
        try #require(rule.decision(for: state.progress(afterScreening: 392)).statistic), 0.05026096033402922))
  }

  @Test("every record relevant: H0 becomes impossible (K̂ > population, scipy nan) and p = 0 from n = 48 of 50")
  func everyRecordRelevant() throws {
    let rule = try HypergeometricStoppingRule()
    // floor(48/0.95) + 1 = 51 relevant would be needed for recall < 95%, but only 50 records exist.
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(true, 50)) == 48)
    #expect(rule.decisiveTest(for: try stoppingProgress(stoppingRun(true, 48), total: 50))?.pValue == 0)
    #expect(rule.decision(for: try stoppingProgress(stoppingRun(true, 9), total: 100)).verdict == .continue)
    #expect(rule.decision(for: try stoppingProgress([], total: 100)).verdict == .continue)
  }

  @Test("random phase: the trailing random run is the single urn (2020 paper)")
  func randomPhase() throws {
    let rule = try HypergeometricStoppingRule(urns: .randomPhase)
    // 300 prioritised with 40 relevant, then random draws from the 1700 left.
    let prioritised = stoppingRun(true, 40) + stoppingRun(false, 260)
    func state(_ random: [Bool]) throws -> ScreeningProgress {
      try ScreeningProgress(
        labels: prioritised + random, total: 2000,
        randomlyDrawn: stoppingRun(false, prioritised.count) + stoppingRun(true, random.count))
    }
    // r = 41, k = 1: K̂ = floor(41/0.95 + 1 − 40) = 4; hypergeom.cdf(1, 1700, 4, 200) = 0.9296166037542323.
    let some = try #require(
      rule.decisiveTest(for: try state(stoppingRun(false, 150) + [true] + stoppingRun(false, 49))))
    #expect(some.minimumRelevant == 4)
    #expect(stoppingIsClose(some.pValue, 0.9296166037542323))
    // r = 40, k = 0: K̂ = floor(40/0.95 + 1 − 40) = 3; hypergeom.cdf(0, 1700, 3, 1100) = 0.04382271401043004
    // (stop), hypergeom.cdf(0, 1700, 3, 1000) = 0.06963869952234486 (continue).
    let long = rule.decision(for: try state(stoppingRun(false, 1100)))
    #expect(long.shouldStop)
    #expect(stoppingIsClose(try #require(long.statistic), 0.04382271401043004))
    let shorter = try #require(rule.decisiveTest(for: try state(stoppingRun(false, 1000))))
    #expect(shorter.minimumRelevant == 3)
    #expect(stoppingIsClose(shorter.pValue, 0.06963869952234486))
    // Without random draws the rule cannot apply.
    #expect(rule.decision(for: try stoppingProgress(prioritised, total: 2000)).verdict == .notApplicable)
  }

  @Test("invalid parameters throw")
  func invalid() {
    #expect(throws: StoppingError.self) { try HypergeometricStoppingRule(targetRecall: 0) }
    #expect(throws: StoppingError.self) { try HypergeometricStoppingRule(alpha: 1) }
  }
}
