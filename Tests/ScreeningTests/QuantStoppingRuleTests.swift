import Testing

@testable import Screening

@Suite struct QuantStoppingRuleTests {
  /// Screened 0.9, 0.8; unscreened 0.2, 0.1: K = 1.7, U = 0.3, recall 0.85.
  func state() throws -> ScreeningProgress {
    try ScreeningProgress(labels: stoppingPattern("10"), total: 4, scores: [0.9, 0.8], unscreenedScores: [0.2, 0.1])
  }

  @Test("Quant: K / (K + U) against τ")
  func quant() throws {
    let estimate = try QuantRecallEstimate.estimate(for: try state()).get()
    #expect(stoppingIsClose(estimate.recall, 0.85))
    #expect(try QuantStoppingRule(targetRecall: 0.8).decision(for: try state()).shouldStop)
    let below = try QuantStoppingRule(targetRecall: 0.9).decision(for: try state())
    #expect(below.verdict == .continue)
    #expect(below.reason == "estimated recall 0.85 = 1.7 / 2 < 0.9")
  }

  @Test("QuantCI: Var = K²/(K+U)⁴ V_all + (V_all − V_unscreened)/(K+U)²")
  func quantCI() throws {
    // V_all = 0.09 + 0.16 + 0.16 + 0.09 = 0.5, V_unscreened = 0.25;
    // Var = 2.89/16 · 0.5 + 0.25/4 = 0.1528125; bound = 0.85 − 2·√0.1528125 = 0.068189…
    let estimate = try QuantRecallEstimate.estimate(for: try state()).get()
    #expect(stoppingIsClose(estimate.variance, 0.1528125))
    let bound = 0.85 - 2 * 0.1528125.squareRoot()
    let rule = try QuantCIStoppingRule(targetRecall: 0.05)
    let decision = rule.decision(for: try state())
    #expect(decision.shouldStop)
    #expect(stoppingIsClose(try #require(decision.statistic), bound))
    #expect(try QuantCIStoppingRule(targetRecall: 0.07).decision(for: try state()).verdict == .continue)
  }

  @Test("missing scores, scores outside [0, 1] or zero mass are not applicable")
  func notApplicable() throws {
    let rule = try QuantStoppingRule(targetRecall: 0.9)
    #expect(rule.decision(for: try stoppingProgress(stoppingPattern("10"), total: 4)).verdict == .notApplicable)
    let margins = try ScreeningProgress(labels: stoppingPattern("1"), total: 2, scores: [2.5], unscreenedScores: [-1])
    #expect(rule.decision(for: margins).reason == "needs probabilities in [0, 1], found score 2.5")
    let zeros = try ScreeningProgress(labels: stoppingPattern("0"), total: 2, scores: [0], unscreenedScores: [0])
    #expect(try QuantCIStoppingRule(targetRecall: 0.9).decision(for: zeros).verdict == .notApplicable)
  }

  @Test("all records screened: estimated recall 1 stops")
  func allScreened() throws {
    let state = try ScreeningProgress(
      labels: stoppingPattern("10"), total: 2, scores: [0.9, 0.2], unscreenedScores: [])
    #expect(try QuantStoppingRule(targetRecall: 0.95).decision(for: state).shouldStop)
  }
}
