import Foundation
import Corpus
import Testing

@testable import Evaluation

/// Expected p-values from `scipy.stats.wilcoxon(d, method=…, correction=False)` (scipy 1.x).
@Suite("PairedComparison")
struct PairedComparisonTests {
  @Test("SplitMix64 reproduces the reference sequence")
  func splitMix() {
    var generator = SplitMix64(seed: 0)
    #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
  }

  @Test("Wilcoxon exact for small n without ties")
  func wilcoxonExact() {
    let a = PairedComparison.wilcoxonSignedRank([1, 2, 3, 4, 5])
    #expect(a.isExact && a.statistic == 15)
    expectClose(a.pValue, 0.0625, tolerance: 1e-15)
    let b = PairedComparison.wilcoxonSignedRank([0.5, -0.2, 0.3, 0.1, -0.4, 0.6, 0.7])
    expectClose(b.pValue, 0.21875, tolerance: 1e-15)
  }

  @Test("Wilcoxon normal approximation with ties and a zero difference")
  func wilcoxonNormal() {
    let result = PairedComparison.wilcoxonSignedRank([1, 1, 2, -2, 3, 0, 4, -1, 5, 5, 6])
    #expect(!result.isExact && result.sampleSize == 10)
    expectClose(result.pValue, 0.03164177738597928, tolerance: 1e-12)
    #expect(PairedComparison.wilcoxonSignedRank([0, 0]).pValue == 1)
  }

  @Test("the randomization test is seeded and sensible")
  func randomization() {
    let differences = [Double](repeating: 0.1, count: 10)
    let p = PairedComparison.randomizationTest(differences, permutations: 20_000, seed: 7)
    #expect(p == PairedComparison.randomizationTest(differences, permutations: 20_000, seed: 7))
    #expect(p > 0.0005 && p < 0.005)  // exact two-sided p = 2/1024
    let noise = PairedComparison.randomizationTest([0.1, -0.1, 0.2, -0.2], permutations: 2_000, seed: 1)
    #expect(noise > 0.9)
  }

  @Test("comparing two reports pairs reviews and metrics")
  func compareReports() throws {
    var qrels: [String] = []
    var runA: [String] = []
    var runB: [String] = []
    for topic in 0..<8 {
      for doc in 0..<20 {
        qrels.append("T\(topic) 0 d\(doc) \(doc % 5 == 0 ? 1 : 0)")
        runA.append("T\(topic) Q0 d\(doc) \(doc + 1) \(100 - doc) a")
        runB.append("T\(topic) Q0 d\(doc) \(doc + 1) \(Double((doc * 7 + topic) % 20)) b")
      }
    }
    let labels = try QrelsReader.read(qrels.joined(separator: "\n"), file: "q")
    let a = try Evaluator.evaluate(try RunReader.read(runA.joined(separator: "\n"), file: "A"), labels: labels)
    let b = try Evaluator.evaluate(try RunReader.read(runB.joined(separator: "\n"), file: "B"), labels: labels)
    let comparison = try PairedComparison.compare(a, b, metrics: ["ap", "wss@95"], permutations: 2_000)
    #expect(comparison.reviewIDs.count == 8)
    let ap = try #require(comparison.metrics.first)
    #expect(ap.name == "ap" && ap.reviewCount == 8)
    expectClose(ap.meanDifference, ap.meanA - ap.meanB, tolerance: 1e-12)
    #expect(ap.meanA > ap.meanB)
    #expect(PairedComparison.table(comparison).contains("p wilcoxon"))
    let empty = EvaluationReport(
      runName: "E", labelsSource: "q", options: EvaluationOptions(), outcomes: [], summary: [],
      notes: [], warnings: [])
    #expect(throws: EvaluationError.self) { try PairedComparison.compare(a, empty) }
  }
}
