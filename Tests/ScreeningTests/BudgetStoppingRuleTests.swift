import Testing

@testable import Screening

@Suite struct BudgetStoppingRuleTests {
  @Test("knee ratio 6 and the budget 10·N/relret: 50 relevant first in N = 100 stops at 56")
  func kneeAndBudget() throws {
    let rule = try BudgetStoppingRule()
    let order = stoppingRun(true, 50) + stoppingRun(false, 50)
    // Knee at 50, ρ = n − 50; budget 10 · 100 / 50 = 20 ≤ n.
    #expect(try stoppingFirstStop(of: rule, in: order) == 56)
    let decision = rule.decision(for: try ScreeningOrder(labels: order).progress(afterScreening: 56))
    #expect(decision.reason == "knee at 50 with slope ratio 6 ≥ 6 and 56 screened vs budget 10 × 100 / 50 = 20")
  }

  @Test("few relevant records put the budget beyond N: the 75% cap stops")
  func cap() throws {
    let rule = try BudgetStoppingRule()
    // 10 · 100 / 5 = 200 > N, so only n ≥ 75 stops.
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(true, 5) + stoppingRun(false, 95)) == 75)
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(false, 100)) == 75)
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(true, 100)) == 75)
    #expect(
      rule.decision(for: try stoppingProgress(stoppingRun(false, 75), total: 100)).reason
        == "75 screened ≥ 0.75 × 100 = 75")
  }

  @Test("the budget holds back a steep knee: ρ ≥ 6 at n = 26 but 10 · 200 / 20 = 100")
  func budgetBinds() throws {
    let order = stoppingRun(true, 20) + stoppingRun(false, 180)
    // ρ = n − 20 ≥ 6 from n = 26; budget 100 → stop at 100.
    #expect(try stoppingFirstStop(of: try BudgetStoppingRule(), in: order) == 100)
  }
}
