import Testing

@testable import Screening

@Suite struct ConsecutiveIrrelevantStoppingRuleTests {
  let rule: ConsecutiveIrrelevantStoppingRule

  init() throws { rule = try ConsecutiveIrrelevantStoppingRule(runLength: .count(3)) }

  @Test("stops once n > m and the last m labels are irrelevant")
  func stopsAfterRun() throws {
    #expect(rule.decision(for: try stoppingProgress(stoppingPattern("1000"), total: 20)).shouldStop)
    #expect(!rule.decision(for: try stoppingProgress(stoppingPattern("00010"), total: 20)).shouldStop)
    // ASReview requires strictly more than m screened.
    #expect(!rule.decision(for: try stoppingProgress(stoppingPattern("000"), total: 20)).shouldStop)
    #expect(try stoppingFirstStop(of: rule, in: stoppingPattern("1100100000")) == 8)
  }

  @Test("zero relevant stops at m + 1, all relevant never stops")
  func edges() throws {
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(false, 10)) == 4)
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(true, 10)) == nil)
    #expect(try stoppingFirstStop(of: rule, in: stoppingPattern("1010101010")) == nil)
    #expect(try stoppingFirstStop(of: rule, in: stoppingPattern("1111100000")) == 8)
  }

  @Test("a fraction of N rounds up")
  func fraction() throws {
    let fractional = try ConsecutiveIrrelevantStoppingRule(runLength: .fraction(0.1))
    #expect(fractional.runLength(total: 25) == 3)
    #expect(fractional.name == "consecutive:10%")
    #expect(rule.name == "consecutive:3")
    let decision = rule.decision(for: try stoppingProgress(stoppingPattern("10000"), total: 20))
    #expect(decision.reason == "the last 3 records are irrelevant (run of 4 since the last relevant)")
  }

  @Test("invalid run lengths throw")
  func invalid() {
    #expect(throws: StoppingError.self) { try ConsecutiveIrrelevantStoppingRule(runLength: .count(0)) }
    #expect(throws: StoppingError.self) { try ConsecutiveIrrelevantStoppingRule(runLength: .fraction(1.5)) }
  }
}
