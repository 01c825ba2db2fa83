import Testing

@testable import Screening

@Suite struct FixedFractionStoppingRuleTests {
  @Test("stops when n/N ≥ q")
  func stops() throws {
    let half = try FixedFractionStoppingRule(fraction: 0.5)
    #expect(try stoppingFirstStop(of: half, in: stoppingRun(false, 10)) == 5)
    #expect(try stoppingFirstStop(of: half, in: stoppingRun(true, 10)) == 5)
    #expect(try stoppingFirstStop(of: half, in: stoppingRun(false, 11)) == 6)
    // 3/10 == 0.3 in floating point, as in ASReview's QuantileLabeled.
    #expect(try stoppingFirstStop(of: try FixedFractionStoppingRule(fraction: 0.3), in: stoppingRun(false, 10)) == 3)
    #expect(try stoppingFirstStop(of: try FixedFractionStoppingRule(fraction: 1), in: stoppingRun(false, 4)) == 4)
    let decision = half.decision(for: try stoppingProgress(stoppingPattern("0101"), total: 10))
    #expect(decision.reason == "4 of 10 screened (40%) < 50%")
    #expect(decision.verdict == .continue)
  }

  @Test("a fraction outside (0, 1] throws")
  func invalid() {
    #expect(throws: StoppingError.self) { try FixedFractionStoppingRule(fraction: 0) }
    #expect(throws: StoppingError.self) { try FixedFractionStoppingRule(fraction: 1.01) }
  }
}
