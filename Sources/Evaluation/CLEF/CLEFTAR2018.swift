import Foundation

/// The values the CLEF TAR 2018 script (`scripts/tar_eval_2018.py`, Task 2) prints for one topic.
///
/// Each field keeps the Python type the script holds (an `int` prints as `3`, a `float` as
/// `3.0`) and the script's quirks: `norm_last_rel`, `norm_threshold` and `norm_area` are stored
/// rounded to 3 places before averaging; `wss_100`/`wss_95` become the `int` 0 when the recall
/// level is not reached; Count and Gain keep the *last* `1` mark as threshold while Utility and
/// Loss stop "seeing" after the *first*; recall@p% carries the value of the last cut-off the run
/// reached forward when the run is shorter than N.
public struct CLEFTopicMeasures: Sendable, Hashable {
  /// The topic identifier.
  public var topicID: String
  /// `num_shown`: documents consumed from the run (after duplicates and grades ≥ 3).
  public var numShown: PythonNumber
  /// `rels_found`: relevant documents in the run.
  public var relsFound: PythonNumber
  /// `num_rels`: R.
  public var numRels: PythonNumber
  /// `last_rel`: rank of the last relevant document (0 if none).
  public var lastRel: PythonNumber
  /// `norm_last_rel`: `round(last_rel / N, 3)`.
  public var normLastRel: PythonNumber
  /// `threshold` (Count): rank of the last `1` mark, or N.
  public var threshold: PythonNumber
  /// `norm_threshold`: `round(threshold / N, 3)`.
  public var normThreshold: PythonNumber
  /// `wss_100`.
  public var wss100: PythonNumber
  /// `wss_95`.
  public var wss95: PythonNumber
  /// `cg_total`: relevant documents in the run.
  public var cgTotal: PythonNumber
  /// `cg_max`: R as a float.
  public var cgMax: PythonNumber
  /// `cgat[0…100]`: cumulative gain at the 100 percentage cut-offs (index 100 = total).
  public var cgAt: [Double]
  /// `threshold` (Gain).
  public var gainThreshold: PythonNumber
  /// `cg_threshold`.
  public var cgThreshold: PythonNumber
  /// `ncg_threshold`, printed as `recall_threshold`.
  public var ncgThreshold: PythonNumber
  /// `total_cost`.
  public var totalCost: PythonNumber
  /// `norm_area` (rounded to 3 places).
  public var normArea: PythonNumber
  /// `ap`.
  public var ap: PythonNumber
  /// `r`: recall at the threshold.
  public var r: PythonNumber
  /// `loss_e`.
  public var lossE: PythonNumber
  /// `loss_r`.
  public var lossR: PythonNumber
  /// `loss_er`.
  public var lossER: PythonNumber
}

/// Reproduces `tar_eval_2018.py` Task 2 of the CLEF TAR lab (CLEF-TAR/tar, Leif Azzopardi):
/// per-topic measures, the `ALL` aggregate, and the exact printed lines.
public enum CLEFTAR2018 {
  /// The per-topic measures of the script for one judged ranking.
  public static func topicMeasures(
    for ranking: JudgedRanking, topicID: String
  ) -> CLEFTopicMeasures {
    let n0 = ranking.candidateCount
    let r = ranking.relevantCount
    let l = ranking.rankedCount
    let lastMark = ranking.lastThresholdMark

    // CountBasedMeasures
    let numRels95 = Int((Double(r) * 0.95).rounded(.toNearestOrEven))
    var relsFound = 0
    var lastRel = 0
    var lastRel95 = 0
    for (index, isRelevant) in ranking.relevance.enumerated() where isRelevant {
      if relsFound < numRels95 { lastRel95 = index + 1 }
      relsFound += 1
      lastRel = index + 1
    }
    let countThreshold = lastMark ?? n0
    let nCount = max(n0, l)
    var wss100 = PythonNumber.float(Double(nCount - lastRel) / Double(nCount))
    var wss95 = PythonNumber.float(Double(nCount - lastRel95) / Double(nCount) - 0.05)
    if relsFound < r { wss100 = .int(0) }
    if relsFound < numRels95 { wss95 = .int(0) }

    // GainBasedMeasures
    let cutoffs = (1...100).map { Int((Double(n0 * $0) / 100).rounded(.toNearestOrEven)) }
    var firstCutoffIndex: [Int: Int] = [:]
    for (index, cutoff) in cutoffs.enumerated() where firstCutoffIndex[cutoff] == nil {
      firstCutoffIndex[cutoff] = index
    }
    var cgAt = [Double](repeating: 0, count: 101)
    var cg = 0.0
    var cgAtMark = 0.0
    for (index, isRelevant) in ranking.relevance.enumerated() {
      cg = cg + (isRelevant ? 1.0 : 0.0)
      if let position = firstCutoffIndex[index + 1] {
        for p in position...100 { cgAt[p] = cg }
      }
      if lastMark == index + 1 { cgAtMark = cg }
    }
    cgAt[100] = cg
    let gainThreshold = lastMark ?? n0
    let cgThreshold = gainThreshold == n0 ? cg : cgAtMark
    let ncgThreshold = r > 0 ? cgThreshold / Double(r) : 0

    return CLEFTopicMeasures(
      topicID: topicID,
      numShown: .int(l), relsFound: .int(relsFound), numRels: .int(r), lastRel: .int(lastRel),
      normLastRel: .float(PythonFormat.round(Double(lastRel) / Double(nCount), digits: 3)),
      threshold: .int(countThreshold),
      normThreshold: .float(PythonFormat.round(Double(countThreshold) / Double(nCount), digits: 3)),
      wss100: wss100, wss95: wss95,
      cgTotal: .float(cg), cgMax: .float(Double(r)), cgAt: cgAt,
      gainThreshold: .int(gainThreshold), cgThreshold: .float(cgThreshold),
      ncgThreshold: .float(ncgThreshold),
      totalCost: .float(ThresholdMetrics.totalCost(in: ranking)),
      normArea: .float(PythonFormat.round(RankingMetrics.normalizedArea(in: ranking), digits: 3)),
      ap: .float(RankingMetrics.averagePrecision(in: ranking)),
      r: .float(ThresholdMetrics.recallAtThreshold(in: ranking)),
      lossE: .float(ThresholdMetrics.effortLoss(in: ranking)),
      lossR: .float(ThresholdMetrics.recallLoss(in: ranking)),
      lossER: .float(ThresholdMetrics.recallEffortLoss(in: ranking)))
  }

  /// The `ALL` row: sums where the script sums (`num_shown`, `rels_found`, `num_rels`), means
  /// over topics elsewhere (`TarAggRuler`), element-wise means for `cgat`.
  public static func aggregate(_ topics: [CLEFTopicMeasures]) -> CLEFTopicMeasures {
    let count = topics.count
    func total(_ key: KeyPath<CLEFTopicMeasures, PythonNumber>, start: PythonNumber) -> PythonNumber {
      topics.reduce(start) { $0 + $1[keyPath: key] }
    }
    func mean(_ key: KeyPath<CLEFTopicMeasures, PythonNumber>, start: PythonNumber) -> PythonNumber {
      let sum = total(key, start: start)
      return count > 0 ? .float(sum.doubleValue / Double(count)) : sum
    }
    var cgAt = [Double](repeating: 0, count: 101)
    for topic in topics {
      for index in 0...100 { cgAt[index] = cgAt[index] + topic.cgAt[index] }
    }
    if count > 0 { cgAt = cgAt.map { $0 / Double(count) } }
    return CLEFTopicMeasures(
      topicID: "ALL",
      numShown: total(\.numShown, start: .int(0)),
      relsFound: total(\.relsFound, start: .int(0)),
      numRels: total(\.numRels, start: .int(0)),
      lastRel: mean(\.lastRel, start: .int(0)),
      normLastRel: mean(\.normLastRel, start: .float(0)),
      threshold: mean(\.threshold, start: .int(0)),
      normThreshold: mean(\.normThreshold, start: .float(0)),
      wss100: mean(\.wss100, start: .float(0)),
      wss95: mean(\.wss95, start: .float(0)),
      cgTotal: mean(\.cgTotal, start: .float(0)),
      cgMax: mean(\.cgMax, start: .float(0)),
      cgAt: cgAt,
      gainThreshold: mean(\.gainThreshold, start: .int(0)),
      cgThreshold: mean(\.cgThreshold, start: .float(0)),
      ncgThreshold: mean(\.ncgThreshold, start: .float(0)),
      totalCost: mean(\.totalCost, start: .int(0)),
      normArea: mean(\.normArea, start: .float(0)),
      ap: mean(\.ap, start: .float(0)),
      r: mean(\.r, start: .float(0)),
      lossE: mean(\.lossE, start: .float(0)),
      lossR: mean(\.lossR, start: .float(0)),
      lossER: mean(\.lossER, start: .float(0)))
  }

  /// The lines the script prints for one topic (or for `ALL`), without trailing newlines.
  public static func lines(for m: CLEFTopicMeasures) -> [String] {
    let t = m.topicID
    var out: [String] = []
    func generic(_ name: String, _ value: PythonNumber) {
      out.append("\(t)\t\(name)\t\(value.clefFormatted)")
    }
    func rounded(_ value: PythonNumber, digits: Int) -> String {
      switch value {
      case .int(let i): return "\(i)"
      case .float(let d): return PythonFormat.repr(PythonFormat.round(d, digits: digits))
      }
    }
    // CountBasedMeasures (generic print_scores)
    generic("num_shown", m.numShown)
    generic("rels_found", m.relsFound)
    generic("num_rels", m.numRels)
    generic("last_rel", m.lastRel)
    generic("norm_last_rel", m.normLastRel)
    generic("threshold", m.threshold)
    generic("norm_threshold", m.normThreshold)
    generic("wss_100", m.wss100)
    generic("wss_95", m.wss95)
    // GainBasedMeasures (own print_scores)
    out.append("\(t)\tcg_total\t\(rounded(m.cgTotal, digits: 0))")
    out.append("\(t)\tcg_max\t\(rounded(m.cgMax, digits: 0))")
    out.append("\(t)\tcg_threshold\t\(rounded(m.cgThreshold, digits: 0))")
    out.append("\(t)\trecall_threshold\t\(rounded(m.ncgThreshold, digits: 3))")
    out.append("\(t)\tthreshold\t\(rounded(m.gainThreshold, digits: 0))")
    let cgMax = m.cgMax.doubleValue
    for i in 0..<100 {
      let x = cgMax > 0 ? PythonFormat.round(m.cgAt[i] / cgMax, digits: 3) : 0.0
      out.append("\(t)\trecall@\(Double(i + 1))%\t\(PythonFormat.repr(x))")
    }
    // UtilityBasedMeasure, AreaBasedMeasures, MAPBasedMeasures, LossBasedMeasures
    generic("total_cost", m.totalCost)
    generic("norm_area", m.normArea)
    generic("ap", m.ap)
    generic("r", m.r)
    generic("loss_e", m.lossE)
    generic("loss_r", m.lossR)
    generic("loss_er", m.lossER)
    return out
  }
}
