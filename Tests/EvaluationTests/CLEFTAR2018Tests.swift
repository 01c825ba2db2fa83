import Foundation
import Testing

@testable import Evaluation

/// Compares two multi-line texts and reports the first differing line.
func expectSameLines(
  _ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
  let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
  for index in 0..<max(a.count, e.count) {
    let left = index < a.count ? String(a[index]) : "<missing>"
    let right = index < e.count ? String(e[index]) : "<missing>"
    if left != right {
      Issue.record(
        "line \(index + 1): got '\(left)', expected '\(right)'", sourceLocation: sourceLocation)
      return
    }
  }
}

/// The 1,000-record ranking with 43 relevant documents at ranks 1…39, 320, 477, 600 and 800.
enum FortyThree {
  static let relevantRanks = Set(1...39).union([320, 477, 600, 800])

  static var qrels: String {
    (1...1000).map { "CD043 0 \(10_000 + $0) \(relevantRanks.contains($0) ? 1 : 0)" }
      .joined(separator: "\n") + "\n"
  }

  static var run: String {
    (1...1000).map { "CD043 0 \(10_000 + $0) \($0) \(1001 - $0) csmed" }
      .joined(separator: "\n") + "\n"
  }

  static var ranking: JudgedRanking {
    JudgedRanking(relevance: (1...1000).map { relevantRanks.contains($0) })
  }
}

@Suite("CLEF TAR 2018 script parity")
struct CLEFTAR2018Tests {
  func clefOutput(qrels: String, run: String) throws -> String {
    let labels = try QrelsReader.read(qrels, file: "qrels.txt")
    let parsed = try RunReader.read(run, file: "run.txt")
    #expect(parsed.format == .clef)
    let report = try Evaluator.evaluate(
      parsed, labels: labels, options: EvaluationOptions(unlabelledReviews: .skip))
    return ReportRenderer.clef(report)
  }

  @Test("case A (threshold, grade 2, single relevant, zero relevant, all relevant) matches the script")
  func caseA() throws {
    expectSameLines(
      try clefOutput(qrels: CLEFGolden.qrelsA, run: CLEFGolden.runA), CLEFGolden.expectedA + "\n")
  }

  @Test("case B (95% never reached, duplicates, unlisted, grades 3/4/-1, two marks) matches the script")
  func caseB() throws {
    expectSameLines(
      try clefOutput(qrels: CLEFGolden.qrelsB, run: CLEFGolden.runB), CLEFGolden.expectedB + "\n")
  }

  @Test("case C (1,000 records, 43 relevant) matches the script, wss_95 = 0.473")
  func caseC() throws {
    let output = try clefOutput(qrels: FortyThree.qrels, run: FortyThree.run)
    expectSameLines(output, CLEFGolden.expectedC + "\n")
    #expect(output.contains("CD043\twss_95\t0.473\n"))
  }

  @Test("Python round and repr are reproduced, including half-even ties on exact binary values")
  func pythonFormatting() {
    #expect(PythonFormat.round(0.0625, digits: 3) == 0.062)
    #expect(PythonFormat.round(0.0005, digits: 3) == 0.001)  // 0.0005 is slightly above the tie
    #expect(PythonFormat.round(0.9996, digits: 3) == 1.0)
    #expect(PythonFormat.repr(PythonFormat.round(-0.0004, digits: 3)) == "-0.0")
    #expect(PythonNumber.float(628.5).clefFormatted == "628.0")
    #expect(PythonNumber.float(-628.1666).clefFormatted == "-628.167")
    #expect(PythonNumber.int(0).clefFormatted == "0")
    #expect(PythonNumber.float(0).clefFormatted == "0.0")
  }
}
