import Testing

@testable import Screening

@Suite struct TargetStoppingRuleTests {
  let rule: TargetStoppingRule

  init() throws { rule = try TargetStoppingRule(targetCount: 2) }

  func state(size: Int, relevant: Int, screened: Int, relevantScreened: Int, n: Int = 10) throws -> ScreeningProgress {
    try ScreeningProgress(
      labels: stoppingRun(false, n), total: 100,
      targetSample: TargetSample(
        size: size, relevantCount: relevant, screenedCount: screened, relevantScreenedCount: relevantScreened))
  }

  @Test("stops once every target record is found")
  func stops() throws {
    #expect(rule.decision(for: try state(size: 30, relevant: 2, screened: 3, relevantScreened: 1)).verdict == .continue)
    let stop = rule.decision(for: try state(size: 30, relevant: 2, screened: 4, relevantScreened: 2))
    #expect(stop.shouldStop)
    #expect(
      stop.reason
        == "all 2 target records found by the screening (sample of 30) (+26 sample records outside the ranking)")
  }

  @Test("an incomplete sample keeps screening; no sample is not applicable; an empty target set stops")
  func edges() throws {
    let incomplete = rule.decision(for: try state(size: 5, relevant: 1, screened: 1, relevantScreened: 1))
    #expect(incomplete.verdict == .continue)
    #expect(rule.decision(for: try stoppingProgress(stoppingRun(false, 3), total: 100)).verdict == .notApplicable)
    // The sample covered the whole review and found nothing relevant.
    #expect(rule.decision(for: try state(size: 100, relevant: 0, screened: 10, relevantScreened: 0)).shouldStop)
  }

  @Test("the simulator draws the sample from the end with a last-pick generator")
  func simulated() throws {
    // Relevant at positions 0, 1, 3, 7. Drawing from the end: 9, 8, 7 (relevant), 6, 5, 4, 3
    // (relevant): T = 2 reached with a sample of 7. The ranking reaches position 7 at n = 8; sample
    // positions 9 and 8 lie beyond, so 8 + 2 = 10 records are reviewed.
    let order = stoppingPattern("1101000100")
    var generator = StoppingLastPickGenerator()
    #expect(TargetSample.drawPositions(in: order, targetCount: 2, using: &generator) == [9, 8, 7, 6, 5, 4, 3])
    var simulationGenerator = StoppingLastPickGenerator()
    let report = try StoppingSimulator(targetRecall: 0.9).simulate(
      try ScreeningOrder(labels: order), rules: [rule], using: &simulationGenerator)
    let outcome = try #require(report.outcomes.first)
    #expect(outcome.stopPosition == 8)
    #expect(outcome.reviewedCount == 10)
    #expect(outcome.relevantFound == 4)
    #expect(outcome.recall == 1)
    #expect(outcome.workSaved == 0)
  }
}
