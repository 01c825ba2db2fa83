import Testing

@testable import Screening

@Suite struct ScreeningProgressTests {
  @Test("counts and prefix sums")
  func counts() throws {
    let state = try ScreeningProgress(labels: [1, 0, 1, 1, 0], total: 9)
    #expect(state.screenedCount == 5)
    #expect(state.relevantCount == 3)
    #expect(state.unscreenedCount == 4)
    #expect(state.relevant(inFirst: 2) == 1)
    #expect(state.relevant(inLast: 3) == 2)
    #expect(state.trailingRandomCount == 0)
    let random = try ScreeningProgress(
      labels: stoppingPattern("1010"), total: 4, randomlyDrawn: [false, true, false, true])
    #expect(random.trailingRandomCount == 1)
  }

  @Test("inconsistent parts throw")
  func inconsistent() {
    #expect(throws: StoppingError.self) { try ScreeningProgress(labels: stoppingPattern("11"), total: 1) }
    #expect(throws: StoppingError.self) { try ScreeningProgress(labels: [1, 2], total: 5) }
    #expect(throws: StoppingError.self) {
      try ScreeningProgress(labels: stoppingPattern("1"), total: 3, scores: [0.1, 0.2])
    }
    #expect(throws: StoppingError.self) {
      try ScreeningProgress(labels: stoppingPattern("1"), total: 3, unscreenedScores: [0.1])
    }
    #expect(throws: StoppingError.self) {
      try ScreeningProgress(labels: stoppingPattern("1"), total: 3, scores: [.nan])
    }
    #expect(throws: StoppingError.self) {
      try ScreeningProgress(
        labels: stoppingPattern("1"), total: 3,
        targetSample: TargetSample(size: 2, relevantCount: 1, screenedCount: 2, relevantScreenedCount: 1))
    }
    #expect(throws: StoppingError.self) { try ScreeningOrder(labels: stoppingPattern("10"), scores: [0.5]) }
  }

  @Test("an order's prefix state slices scores into screened and unscreened")
  func orderSlices() throws {
    let order = try ScreeningOrder(labels: stoppingPattern("1010"), scores: [0.9, 0.8, 0.3, 0.1])
    let state = order.progress(afterScreening: 1)
    #expect(state.labels == [true])
    #expect(state.scores == [0.9])
    #expect(state.unscreenedScores == [0.8, 0.3, 0.1])
    #expect(order.relevantCount == 2)
  }
}
