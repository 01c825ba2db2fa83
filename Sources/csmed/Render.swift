import Corpus
import Foundation
import Store
import Workflows

/// Turns workflow results into text: aligned tables for people, JSON and CSV for machines.
enum Render {
  /// An aligned table: numeric columns right-aligned, text columns left-aligned.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    let numeric = header.indices.map { column in
      column > 0 && rows.allSatisfy { row in
        let cell = row[column].trimmingCharacters(in: CharacterSet(charactersIn: "%"))
        return cell.isEmpty || cell == "-" || Double(cell) != nil
      }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        let pad = String(repeating: " ", count: widths[index] - cell.count)
        return numeric[index] ? pad + cell : cell + pad
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
      .joined(separator: "\n") + "\n"
  }

  static func csv(_ header: [String], _ rows: [[String]]) -> String {
    ([header] + rows).map { $0.map(DelimitedText.quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  static func json<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }

  /// One line of JSON with sorted keys: what `--format json` and the worker processes print.
  static func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }

  static func buildSummary(_ report: BuildWorkflow.Report) -> String {
    let rows = report.collections.map { collection -> [String] in
      guard collection.built else { return [collection.id, "unavailable", "", "", "", "", ""] }
      return [
        collection.id, String(collection.reviews), String(collection.documents), String(collection.withText),
        String(collection.idsOnly), String(collection.includedTA), String(collection.includedFT),
      ]
    }
    var text = table(["collection", "reviews", "documents", "with text", "ids-only", "included TA", "included FT"], rows)
    for collection in report.collections where !collection.built {
      text += "\(collection.id): unavailable: \(collection.unavailableReason ?? "")\n"
    }
    if report.filledFromPubMed > 0 { text += "filled from PubMed files: \(report.filledFromPubMed) documents\n" }
    text += String(format: "built %@ in %.1f s\n", report.database, report.seconds)
    return text
  }

  static func statistics(_ rows: [StatisticsRow], format: OutputFormat) throws -> String {
    let header = ["group", "reviews", "docs", "with text", "ids-only", "included TA", "included FT", "avg docs/review", "avg % included", "avg words/doc"]
    let cells = rows.map { row in
      [
        row.group, String(row.reviews), String(row.documents), String(row.withText), String(row.idsOnly),
        String(row.includedTA), String(row.includedFT), String(format: "%.0f", row.averageDocumentsPerReview),
        row.averagePercentIncludedTA.map { String(format: "%.1f%%", $0) } ?? "-",
        String(format: "%.0f", row.averageWordsPerDocument),
      ]
    }
    switch format {
    case .table: return table(header, cells)
    case .csv: return csv(header.map { $0.replacingOccurrences(of: " ", with: "_") }, cells)
    case .json: return try json(rows)
    }
  }

  static func searchHits(_ hits: [SearchHit], format: OutputFormat) throws -> String {
    switch format {
    case .json: return try json(hits)
    case .csv:
      return csv(["document_id", "pmid", "score", "title", "snippet"], hits.map {
        [String($0.documentID), $0.pmid ?? "", String(format: "%.4f", $0.score), $0.title, $0.snippet]
      })
    case .table:
      if hits.isEmpty { return "no matches\n" }
      return hits.enumerated().map { index, hit in
        let id = hit.pmid.map { "PMID \($0)" } ?? "doc \(hit.documentID)"
        return String(format: "%2d. %@  (%@, score %.2f)\n    %@\n", index + 1, hit.title, id, hit.score, hit.snippet)
      }.joined()
    }
  }
}
