import Testing

@testable import Screening

@Suite struct KneeStoppingRuleTests {
  /// 10 relevant, then irrelevant: the knee is at 10 and ρ = (10/10) / (1/(n − 10)) = n − 10.
  let tenFirst = stoppingRun(true, 10) + stoppingRun(false, 290)

  @Test("adjusted threshold 156 − min(10, 150) = 146 is reached at n = 156")
  func adjusted() throws {
    let rule = try KneeStoppingRule()
    #expect(try stoppingFirstStop(of: rule, in: tenFirst) == 156)
    let order = try ScreeningOrder(labels: tenFirst)
    let before = rule.decision(for: order.progress(afterScreening: 155))
    #expect(before.verdict == .continue)
    #expect(before.statistic == 145)
    #expect(before.reason == "knee at 10 (10 relevant) with slope ratio 145 < 146 (156 − min(10, 150))")
    let at = rule.decision(for: order.progress(afterScreening: 156))
    #expect(at.reason == "knee at 10 (10 relevant) with slope ratio 146 ≥ 146 (156 − min(10, 150)); 156 screened ≥ 150")
    let knee = try #require(
      KneeStoppingRule.knee(in: order.progress(afterScreening: 156), location: .farthestFromChord))
    #expect(knee == GainCurveKnee(rank: 10, relevantCount: 10, slopeRatio: 146))
  }

  @Test("the 150-record minimum holds back a fixed ratio of 6 that is met at n = 16")
  func minimum() throws {
    #expect(try stoppingFirstStop(of: try KneeStoppingRule(threshold: .fixed(6)), in: tenFirst) == 150)
    #expect(
      try stoppingFirstStop(of: try KneeStoppingRule(minimumScreened: 0, threshold: .fixed(6)), in: tenFirst) == 16)
    let early = try KneeStoppingRule(threshold: .fixed(6)).decision(
      for: try stoppingProgress(Array(tenFirst[..<100]), total: 300))
    #expect(early.reason == "knee at 10 (10 relevant) with slope ratio 90 ≥ 6, but only 100 screened < 150")
  }

  @Test("with 150 or more relevant found the threshold is 6")
  func manyRelevant() throws {
    let order = stoppingRun(true, 200) + stoppingRun(false, 100)
    // Knee at 200, ρ = 1 / (1/(n − 200)) = n − 200 ≥ 6 at n = 206.
    #expect(try stoppingFirstStop(of: try KneeStoppingRule(), in: order) == 206)
  }

  @Test("zero relevant and all relevant never stop")
  func edges() throws {
    let rule = try KneeStoppingRule()
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(false, 400)) == nil)
    #expect(
      rule.decision(for: try stoppingProgress(stoppingRun(false, 200), total: 400)).reason
        == "no relevant record found yet, so no knee"
    )
    // Every point lies on the chord: knee at 1, ρ = (n − 1)/n < 6.
    #expect(try stoppingFirstStop(of: rule, in: stoppingRun(true, 400)) == nil)
  }

  @Test("the tarexp knee takes the rank with the largest slope ratio")
  func maximumRatio() throws {
    // 1 1 0 1 then zeros, n = 10, r = 3: chord heights relret(k)·10 − 3k peak at k = 4 (18), where
    // ρ = (3/4) / (1/6) = 4.5, also the largest ratio (k = 2 gives (2/2) / (2/8) = 4).
    let state = try stoppingProgress(stoppingPattern("1101 000000"), total: 10)
    let chord = try #require(KneeStoppingRule.knee(in: state, location: .farthestFromChord))
    #expect(chord == GainCurveKnee(rank: 4, relevantCount: 3, slopeRatio: 4.5))
    let maximum = try #require(KneeStoppingRule.knee(in: state, location: .maximumRatio))
    #expect(maximum == chord)
    // 1 0 0 0 1 then zeros, n = 10, r = 2: the chord knee is at 5 (height 20 − 10 = 10) with
    // ρ = (2/5) / (1/5) = 2; the largest ratio is at 1: (1/1) / (2/9) = 4.5.
    let other = try stoppingProgress(stoppingPattern("10001 00000"), total: 10)
    let chordOther = try #require(KneeStoppingRule.knee(in: other, location: .farthestFromChord))
    #expect(chordOther == GainCurveKnee(rank: 5, relevantCount: 2, slopeRatio: 2))
    let maximumOther = try #require(KneeStoppingRule.knee(in: other, location: .maximumRatio))
    #expect(maximumOther == GainCurveKnee(rank: 1, relevantCount: 1, slopeRatio: 4.5))
  }
}
