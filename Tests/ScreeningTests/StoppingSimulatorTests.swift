import Corpus
import Testing

@testable import Screening

@Suite struct StoppingSimulatorTests {
  @Test("outcomes: stop position, recall, work saved and whether the target was met")
  func outcomes() throws {
    // N = 20, R = 4 (positions 0, 1, 2, 9).
    let order = try ScreeningOrder(labels: stoppingPattern("1110 0000 0100 0000 0000"))
    let rules: [any StoppingRule] = [
      try ConsecutiveIrrelevantStoppingRule(runLength: .count(4)),  // records 4–7 irrelevant: n = 7 (> 4)
      try FixedFractionStoppingRule(fraction: 0.5),  // n = 10
      try KneeStoppingRule(),  // never (N < 150 and the threshold is 152)
    ]
    var generator = SplitMix64(seed: 1)
    let report = try StoppingSimulator(targetRecall: 0.95).simulate(order, rules: rules, using: &generator)
    #expect(report.total == 20)
    #expect(report.relevantCount == 4)
    let consecutive = report.outcomes[0]
    #expect(consecutive.rule == "consecutive:4")
    #expect(consecutive.stopPosition == 7)
    #expect(consecutive.relevantFound == 3)
    #expect(consecutive.recall == 0.75)
    #expect(consecutive.workSaved == 0.65)
    #expect(!consecutive.metTarget)
    let fraction = report.outcomes[1]
    #expect(fraction.stopPosition == 10)
    #expect(fraction.recall == 1)
    #expect(fraction.workSaved == 0.5)
    #expect(fraction.metTarget)
    let knee = report.outcomes[2]
    #expect(knee.stopPosition == nil)
    #expect(knee.reviewedCount == 20)
    #expect(knee.recall == 1)
    #expect(knee.workSaved == 0)
    #expect(knee.metTarget)
  }

  @Test("a check interval only evaluates multiples of c and N")
  func interval() throws {
    let simulator = try StoppingSimulator(checkInterval: 3)
    #expect(simulator.checkPositions(total: 10) == [3, 6, 9, 10])
    var generator = SplitMix64(seed: 1)
    let report = try simulator.simulate(
      try ScreeningOrder(labels: stoppingPattern("1110 0000 0100 0000 0000")),
      rules: [try ConsecutiveIrrelevantStoppingRule(runLength: .count(4))], using: &generator)
    // 8 is not checked; at 9 the last 4 labels (records 6–9) are still irrelevant.
    #expect(report.outcomes[0].stopPosition == 9)
  }

  @Test("the same seed gives the same Target outcome; reliability counts runs meeting the target")
  func determinismAndReliability() throws {
    var orders: [ScreeningOrder] = []
    var shuffler = SplitMix64(seed: 42)
    for _ in 0..<5 {
      // 30 relevant among 300, all within the first 100 (in a seeded random order).
      var labels = stoppingRun(true, 30) + stoppingRun(false, 70)
      labels.shuffle(using: &shuffler)
      orders.append(try ScreeningOrder(labels: labels + stoppingRun(false, 200)))
    }
    let rules: [any StoppingRule] = [
      try TargetStoppingRule(targetCount: 10), try HypergeometricStoppingRule(),
      try FixedFractionStoppingRule(fraction: 0.2),
    ]
    let simulator = try StoppingSimulator(targetRecall: 0.95, checkInterval: 5)
    func runAll(seed: UInt64) throws -> [StoppingSimulationReport] {
      var generator = SplitMix64(seed: seed)
      return try orders.map { order throws(StoppingError) in
        try simulator.simulate(order, rules: rules, using: &generator)
      }
    }
    let first = try runAll(seed: 7)
    #expect(try runAll(seed: 7) == first)
    let reliability = StoppingSimulator.reliability(of: first)
    #expect(reliability.map(\.rule) == ["target:10", "hypergeometric:0.95", "fraction:0.2"])
    for row in reliability {
      #expect(row.runs == 5)
      #expect(
        row.runsMeetingTarget
          == first.filter { report in report.outcomes.contains { $0.rule == row.rule && $0.metTarget } }.count)
      #expect(row.reliability == Double(row.runsMeetingTarget) / 5)
    }
    // Target: sample records beyond the stop add to the records reviewed.
    for report in first {
      let target = report.outcomes[0]
      #expect(target.reviewedCount >= (target.stopPosition ?? 300))
    }
  }

  @Test("an order without relevant records is an error")
  func noRelevant() throws {
    var generator = SplitMix64(seed: 1)
    #expect(throws: StoppingError.noRelevantRecords(records: 5)) {
      try StoppingSimulator().simulate(
        try ScreeningOrder(labels: stoppingRun(false, 5)), rules: [try KneeStoppingRule()], using: &generator)
    }
  }
}
