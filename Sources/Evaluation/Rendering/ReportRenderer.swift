import Corpus
import Foundation

/// The output formats of an evaluation report.
public enum ReportFormat: String, Sendable, Hashable, CaseIterable {
  /// Human-readable aligned tables.
  case table
  /// JSON for machines.
  case json
  /// CSV, one row per review plus an `ALL` row of means.
  case csv
  /// The exact lines of CLEF TAR's `tar_eval_2018.py` (Task 2).
  case clef
}

/// Renders evaluation reports as strings (the caller decides where to write them).
public enum ReportRenderer {
  /// Renders a report in a format.
  public static func render(_ report: EvaluationReport, as format: ReportFormat) -> String {
    switch format {
    case .table: table(report)
    case .json: json(report)
    case .csv: csv(report)
    case .clef: clef(report)
    }
  }

  // MARK: - CLEF

  /// The lines `tar_eval_2018.py 2 QRELS RUN` prints, in its order: for each topic of the run
  /// its `Duplicate` lines and its measures (or `Skipping topic: …`), then the `ALL` block.
  ///
  /// Differences from the script, all on inputs it cannot handle: a topic split into several
  /// blocks of the run is evaluated once (the script evaluates each block as a separate topic),
  /// and 2017 actions (`AF`/`NF`/`NS`, on which the script raises) are accepted.
  public static func clef(_ report: EvaluationReport) -> String {
    var lines: [String] = []
    var topics: [CLEFTopicMeasures] = []
    for outcome in report.outcomes {
      switch outcome {
      case .evaluated(let result):
        for duplicate in result.duplicateDocumentIDs {
          lines.append("\(result.reviewID) Duplicate \(duplicate)")
        }
        lines.append(contentsOf: CLEFTAR2018.lines(for: result.clef))
        topics.append(result.clef)
      case .skipped(let reviewID, _):
        lines.append("Skipping topic: \(reviewID)")
      }
    }
    lines.append(contentsOf: CLEFTAR2018.lines(for: CLEFTAR2018.aggregate(topics)))
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: - Table

  static let countMetrics: Set<String> = ["num_docs", "num_rels", "rels_found", "last_rel", "num_shown"]

  static func formatted(_ value: Double?, name: String, isMean: Bool) -> String {
    guard let value else { return "–" }
    if countMetrics.contains(name), !isMean, value == value.rounded() { return String(Int(value)) }
    if countMetrics.contains(name) || name == "atd" || name == "total_cost" || name == "last_rel_pct" {
      return String(format: "%.2f", value)
    }
    return String(format: "%.4f", value)
  }

  static func alignedTable(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
    guard let width = rows.map(\.count).max() else { return [] }
    var widths = [Int](repeating: 0, count: width)
    for row in rows {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    return rows.map { row in
      row.enumerated().map { index, cell in
        let pad = String(repeating: " ", count: widths[index] - cell.count)
        return rightAligned.contains(index) ? pad + cell : cell + pad
      }
      .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
  }

  /// A human-readable report: a header, the macro averages, a per-review table of key metrics,
  /// notes and warnings.
  public static func table(_ report: EvaluationReport) -> String {
    let reviews = report.reviews
    let skipped = report.outcomes.count - reviews.count
    var lines: [String] = []
    lines.append("run:     \(report.runName)")
    lines.append("labels:  \(report.labelsSource)")
    lines.append(
      "reviews: \(reviews.count) evaluated, \(skipped) skipped; WSS convention: "
        + report.options.wssConvention.rawValue)
    lines.append("")
    var summaryRows: [[String]] = [["metric", "mean", "reviews"]]
    for item in report.summary {
      summaryRows.append([
        item.name, formatted(item.mean, name: item.name, isMean: true), String(item.reviewCount),
      ])
    }
    lines.append(contentsOf: alignedTable(summaryRows, rightAligned: [1, 2]))

    let targets = report.options.recallTargets.map { Evaluator.levelName($0 * 100) }
    let columns =
      ["num_docs", "num_rels", "rels_found", "ap"] + targets.map { "wss@\($0)" }
      + targets.prefix(1).map { "tnr@\($0)" } + ["last_rel_pct", "norm_area"]
    if !reviews.isEmpty {
      lines.append("")
      var rows: [[String]] = [["review"] + columns]
      for review in reviews {
        rows.append(
          [review.reviewID]
            + columns.map { formatted(review.value(named: $0), name: $0, isMean: false) })
      }
      lines.append(contentsOf: alignedTable(rows, rightAligned: Set(1...columns.count)))
    }
    if !report.notes.isEmpty {
      lines.append("")
      lines.append("notes:")
      lines.append(contentsOf: report.notes.map { "  " + $0 })
    }
    if !report.warnings.isEmpty {
      lines.append("")
      lines.append("warnings:")
      lines.append(contentsOf: report.warnings.map { "  " + $0 })
    }
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: - CSV

  /// CSV: a header `review_id,<metric>…`, one row per evaluated review, then an `ALL` row of
  /// macro averages. Undefined values are empty cells.
  public static func csv(_ report: EvaluationReport) -> String {
    let names = report.summary.map(\.name)
    var lines = [(["review_id"] + names).map(DelimitedText.quoted).joined(separator: ",")]
    for review in report.reviews {
      let cells = names.map { name -> String in
        guard let value = review.value(named: name) else { return "" }
        if countMetrics.contains(name), value == value.rounded(), abs(value) < 1e15 {
          return String(Int(value))
        }
        return "\(value)"
      }
      lines.append(([DelimitedText.quoted(review.reviewID)] + cells).joined(separator: ","))
    }
    let means = report.summary.map { $0.mean.map { "\($0)" } ?? "" }
    lines.append((["ALL"] + means).joined(separator: ","))
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: - JSON

  struct JSONReview: Encodable {
    var reviewID: String
    var metrics: [String: Double?]
    var timeToDiscovery: [Discovery]
    var duplicates: [String]
    enum CodingKeys: String, CodingKey {
      case reviewID = "review_id", metrics, timeToDiscovery = "time_to_discovery", duplicates
    }
  }

  struct JSONSkipped: Encodable {
    var reviewID: String
    var reason: String
    enum CodingKeys: String, CodingKey { case reviewID = "review_id", reason }
  }

  struct JSONSummary: Encodable {
    var mean: Double?
    var reviews: Int
    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(mean, forKey: .mean)
      try container.encode(reviews, forKey: .reviews)
    }
    enum CodingKeys: String, CodingKey { case mean, reviews }
  }

  struct JSONReport: Encodable {
    var run: String
    var labels: String
    var wssConvention: String
    var reviews: [JSONReview]
    var skipped: [JSONSkipped]
    var summary: [String: JSONSummary]
    var notes: [String]
    var warnings: [String]
    enum CodingKeys: String, CodingKey {
      case run, labels, wssConvention = "wss_convention", reviews, skipped, summary, notes, warnings
    }
  }

  /// JSON with sorted keys: run, labels, WSS convention, per-review metrics (undefined values are
  /// `null`), time to discovery, duplicates, skipped reviews, the macro summary, notes, warnings.
  public static func json(_ report: EvaluationReport) -> String {
    var skipped: [JSONSkipped] = []
    for outcome in report.outcomes {
      if case .skipped(let id, let reason) = outcome {
        skipped.append(JSONSkipped(reviewID: id, reason: reason))
      }
    }
    let payload = JSONReport(
      run: report.runName, labels: report.labelsSource,
      wssConvention: report.options.wssConvention.rawValue,
      reviews: report.reviews.map { review in
        var metrics: [String: Double?] = [:]
        for value in review.values { metrics[value.name] = .some(value.value) }
        return JSONReview(
          reviewID: review.reviewID, metrics: metrics, timeToDiscovery: review.timeToDiscovery,
          duplicates: review.duplicateDocumentIDs)
      },
      skipped: skipped,
      summary: Dictionary(
        report.summary.map { ($0.name, JSONSummary(mean: $0.mean, reviews: $0.reviewCount)) },
        uniquingKeysWith: { first, _ in first }),
      notes: report.notes, warnings: report.warnings)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(payload) else { return "{}\n" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
