import Foundation
import Testing

@testable import Screening

@Suite("ClassBalance")
struct ClassBalanceTests {
  @Test("ASReview's Balanced(ratio=9.8) weights equal the fixture's (sklearn compute_sample_weight)")
  func asreview() throws {
    let fixture = try ClassifierFixture.load()
    let weights = ClassBalance.asreview(ratio: 9.8).sampleWeights(labels: fixture.labels)
    #expect(maximumDifference(weights, fixture.asreviewWeights) <= 1e-12)
    #expect(abs(weights.reduce(0, +) - Double(fixture.labels.count)) < 1e-9)
  }

  @Test("inverse class frequency and none; JSON round trip")
  func others() throws {
    let third: Double = 2.0 / 3.0
    let expected: [Double] = [2, third, third, third]
    #expect(ClassBalance.inverseClassFrequency.sampleWeights(labels: [1, 0, 0, 0]) == expected)
    #expect(ClassBalance.none.sampleWeights(labels: [1, 0]) == [1, 1])
    for balance in [ClassBalance.none, .asreview(ratio: 1.2), .inverseClassFrequency] {
      #expect(try JSONDecoder().decode(ClassBalance.self, from: JSONEncoder().encode(balance)) == balance)
    }
  }
}
