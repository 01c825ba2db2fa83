import Corpus
import Foundation

/// The result of a Wilcoxon signed-rank test.
public struct WilcoxonResult: Sendable, Hashable {
  /// W⁺: the sum of the ranks of the positive differences.
  public var statistic: Double
  /// The two-sided p-value.
  public var pValue: Double
  /// Non-zero differences used.
  public var sampleSize: Int
  /// Whether the exact null distribution was used (otherwise the normal approximation).
  public var isExact: Bool
}

/// The comparison of one metric between two runs over the same reviews.
public struct MetricComparison: Sendable, Hashable {
  /// The metric name.
  public var name: String
  /// Reviews with a value in both runs.
  public var reviewCount: Int
  /// Mean of run A over those reviews.
  public var meanA: Double
  /// Mean of run B over those reviews.
  public var meanB: Double
  /// Mean of the per-review differences A − B.
  public var meanDifference: Double
  /// Wilcoxon signed-rank test of the differences.
  public var wilcoxon: WilcoxonResult
  /// Two-sided p-value of the paired randomization (sign-flip) test.
  public var randomizationPValue: Double
}

/// A paired comparison of two runs.
public struct ComparisonReport: Sendable, Hashable {
  /// Name of run A.
  public var runA: String
  /// Name of run B.
  public var runB: String
  /// Reviews evaluated in both runs, in A's order.
  public var reviewIDs: [String]
  /// One comparison per metric, in A's metric order.
  public var metrics: [MetricComparison]
  /// Notes (reviews only one run evaluated).
  public var notes: [String]
  /// Permutations of the randomization test.
  public var permutations: Int
  /// Seed of the randomization test.
  public var seed: UInt64
}

/// Paired significance tests between two runs over the same reviews.
public enum PairedComparison {
  /// The seed of the randomization test unless told otherwise.
  public static let defaultSeed: UInt64 = 20_240_126

  /// Compares two evaluation reports metric by metric over the reviews both evaluated.
  ///
  /// - Parameters:
  ///   - a: Run A's report.
  ///   - b: Run B's report.
  ///   - metrics: Metric names to compare; all metrics of A that B also has when `nil`.
  ///   - permutations: Sign-flip permutations of the randomization test.
  ///   - seed: Seed of the SplitMix64 generator (each metric restarts from it).
  /// - Throws: `EvaluationError.incomparableReports` when no review was evaluated by both.
  public static func compare(
    _ a: EvaluationReport, _ b: EvaluationReport, metrics: [String]? = nil,
    permutations: Int = 10_000, seed: UInt64 = defaultSeed
  ) throws(EvaluationError) -> ComparisonReport {
    let reviewsB = Dictionary(
      b.reviews.map { ($0.reviewID, $0) }, uniquingKeysWith: { first, _ in first })
    let shared = a.reviews.filter { reviewsB[$0.reviewID] != nil }
    guard !shared.isEmpty else {
      throw .incomparableReports(
        reason: "expected reviews evaluated in both \(a.runName) and \(b.runName), found none")
    }
    var notes: [String] = []
    let onlyA = a.reviews.count - shared.count
    let onlyB = b.reviews.count - shared.count
    if onlyA > 0 || onlyB > 0 {
      notes.append(
        "compared on \(shared.count) shared reviews; \(onlyA) only in \(a.runName), "
          + "\(onlyB) only in \(b.runName)")
    }
    let namesB = Set(b.summary.map(\.name))
    let names = metrics ?? a.summary.map(\.name).filter { namesB.contains($0) }
    var comparisons: [MetricComparison] = []
    for name in names {
      var valuesA: [Double] = []
      var valuesB: [Double] = []
      for review in shared {
        guard let va = review.value(named: name),
          let vb = reviewsB[review.reviewID]?.value(named: name)
        else { continue }
        valuesA.append(va)
        valuesB.append(vb)
      }
      guard !valuesA.isEmpty else { continue }
      let differences = zip(valuesA, valuesB).map { $0 - $1 }
      let count = Double(differences.count)
      comparisons.append(
        MetricComparison(
          name: name, reviewCount: differences.count,
          meanA: valuesA.reduce(0, +) / count, meanB: valuesB.reduce(0, +) / count,
          meanDifference: differences.reduce(0, +) / count,
          wilcoxon: wilcoxonSignedRank(differences),
          randomizationPValue: randomizationTest(differences, permutations: permutations, seed: seed)))
    }
    return ComparisonReport(
      runA: a.runName, runB: b.runName, reviewIDs: shared.map(\.reviewID), metrics: comparisons,
      notes: notes, permutations: permutations, seed: seed)
  }

  /// Two-sided Wilcoxon signed-rank test of paired differences.
  ///
  /// Zero differences are dropped (Wilcoxon's method, scipy's default `zero_method="wilcox"`);
  /// |d| are ranked with average ranks for ties, after rounding to 12 significant digits so
  /// floating-point noise does not break ties. With n ≤ 50 and no ties the exact null
  /// distribution of W⁺ is used, p = min(1, 2·P(W⁺ ≤ min(W⁺, W⁻))); otherwise the normal
  /// approximation without continuity correction, with the tie-corrected variance
  /// n(n+1)(2n+1)/24 − Σ(t³ − t)/48 (as `scipy.stats.wilcoxon`). n = 0 gives p = 1.
  public static func wilcoxonSignedRank(_ differences: [Double]) -> WilcoxonResult {
    let nonZero = differences.map { Double(String(format: "%.12g", $0)) ?? $0 }.filter { $0 != 0 }
    let n = nonZero.count
    guard n > 0 else { return WilcoxonResult(statistic: 0, pValue: 1, sampleSize: 0, isExact: true) }
    let order = nonZero.indices.sorted { abs(nonZero[$0]) < abs(nonZero[$1]) }
    var ranks = [Double](repeating: 0, count: n)
    var tieGroups: [Int] = []
    var start = 0
    while start < n {
      var end = start
      while end + 1 < n, abs(nonZero[order[end + 1]]) == abs(nonZero[order[start]]) { end += 1 }
      let average = Double(start + end + 2) / 2
      for position in start...end { ranks[order[position]] = average }
      tieGroups.append(end - start + 1)
      start = end + 1
    }
    let plus = zip(nonZero, ranks).reduce(0.0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
    let total = Double(n * (n + 1)) / 2
    let hasTies = tieGroups.contains { $0 > 1 }
    if n <= 50, !hasTies {
      // Exact: counts[s] = number of subsets of {1…n} with rank sum s.
      let maxSum = n * (n + 1) / 2
      var counts = [Double](repeating: 0, count: maxSum + 1)
      counts[0] = 1
      for rank in 1...n {
        for s in stride(from: maxSum, through: rank, by: -1) { counts[s] += counts[s - rank] }
      }
      let w = Int(min(plus, total - plus).rounded())
      let tail = counts[0...w].reduce(0, +) / pow(2, Double(n))
      return WilcoxonResult(statistic: plus, pValue: min(1, 2 * tail), sampleSize: n, isExact: true)
    }
    let nd = Double(n)
    let mean = nd * (nd + 1) / 4
    let tieCorrection = tieGroups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) } / 48
    let variance = nd * (nd + 1) * (2 * nd + 1) / 24 - tieCorrection
    guard variance > 0 else {
      return WilcoxonResult(statistic: plus, pValue: 1, sampleSize: n, isExact: false)
    }
    let z = (plus - mean) / variance.squareRoot()
    return WilcoxonResult(
      statistic: plus, pValue: min(1, erfc(abs(z) / 2.0.squareRoot())), sampleSize: n,
      isExact: false)
  }

  /// Two-sided paired randomization (sign-flip) test of the mean difference.
  ///
  /// Each permutation flips the sign of every difference with probability ½ (SplitMix64 seeded
  /// with `seed`); p = (1 + #{|mean*| ≥ |mean|}) / (1 + permutations).
  public static func randomizationTest(
    _ differences: [Double], permutations: Int = 10_000, seed: UInt64 = defaultSeed
  ) -> Double {
    guard !differences.isEmpty, permutations > 0 else { return 1 }
    let observed = abs(differences.reduce(0, +))
    var generator = SplitMix64(seed: seed)
    var extreme = 0
    for _ in 0..<permutations {
      var sum = 0.0
      for d in differences { sum += generator.next() >> 63 == 1 ? d : -d }
      if abs(sum) >= observed - 1e-12 { extreme += 1 }
    }
    return Double(extreme + 1) / Double(permutations + 1)
  }

  /// A human-readable table of a comparison.
  public static func table(_ report: ComparisonReport) -> String {
    var rows: [[String]] = [["metric", "n", "mean A", "mean B", "A − B", "p wilcoxon", "p randomization"]]
    for m in report.metrics {
      rows.append([
        m.name, String(m.reviewCount), String(format: "%.4f", m.meanA),
        String(format: "%.4f", m.meanB), String(format: "%+.4f", m.meanDifference),
        String(format: "%.4g", m.wilcoxon.pValue) + (m.wilcoxon.isExact ? " (exact)" : " (normal)"),
        String(format: "%.4g", m.randomizationPValue),
      ])
    }
    var lines = [
      "A: \(report.runA)", "B: \(report.runB)",
      "reviews: \(report.reviewIDs.count); randomization: \(report.permutations) sign flips, "
        + "seed \(report.seed)", "",
    ]
    lines.append(contentsOf: ReportRenderer.alignedTable(rows, rightAligned: Set(1...6)))
    if !report.notes.isEmpty {
      lines.append("")
      lines.append(contentsOf: report.notes.map { "note: " + $0 })
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
