import Foundation

/// How a record of a screening log came to be reviewed.
public enum StoppingSampleKind: String, Sendable, Hashable, CaseIterable {
  /// Chosen by the model (prioritised screening); also an empty `sample` field.
  case model
  /// Drawn uniformly at random from the records still unscreened (BUSCAR's random phase).
  case random
  /// Part of the Target method's independent random sample of the whole review.
  case target
}

/// One row of a screening log.
public struct StoppingLabelsRow: Sendable, Hashable {
  /// The 1-based line of the row in the file.
  public var line: Int
  /// The position in the ranked screening (1-based), or `nil` for a record the ranking has not
  /// reached.
  public var order: Int?
  /// The record's id.
  public var documentID: String
  /// The reviewer's label, or `nil` for a record nobody reviewed yet.
  public var label: Bool?
  /// The model's probability, if given.
  public var score: Double?
  /// How the record came to be reviewed.
  public var sample: StoppingSampleKind
}

/// A partial labelling order read from a CSV file, as `csmed stop --labels FILE` takes it.
///
/// Format (header required, columns in any order, other columns ignored):
///
/// ```
/// order,document_id,label,score,sample
/// 1,pmid:123,1,0.97,
/// 2,pmid:456,0,0.91,
/// ,pmid:789,,0.12,
/// ,pmid:555,1,,target
/// ```
///
/// - `order` (required column): 1, 2, …, n for the records screened in ranked order, without
///   gaps; empty for records the ranking has not reached.
/// - `document_id` (required): non-empty and unique.
/// - `label` (required): `1` relevant, `0` irrelevant; empty only for a record without an order
///   (not reviewed).
/// - `score` (optional): the model's probability of relevance. Quant and QuantCI need one for
///   every record: the screened ones and rows with an empty order.
/// - `sample` (optional): empty or `model`, `random` (drawn at random from the unscreened
///   records: BUSCAR's random phase), `target` (in the Target method's random sample; needs a
///   label; an empty order when the ranking has not reached it yet).
public struct StoppingLabels: Sendable, Hashable {
  /// The file name used in messages.
  public var file: String
  /// Every row, in file order.
  public var entries: [StoppingLabelsRow]
  /// Whether the file has a `sample` column.
  public var hasSampleColumn: Bool

  /// The records screened in ranked order, sorted by `order`.
  public var screened: [StoppingLabelsRow] {
    entries.filter { $0.order != nil }.sorted { ($0.order ?? 0) < ($1.order ?? 0) }
  }

  /// The screening state the log describes.
  ///
  /// - Parameter total: N; `nil` takes the number of rows (every record of the review listed).
  /// - Returns: Labels in order; scores when every screened row has one; unscreened scores
  ///   when every row without an order has one and they number N − n; random-draw flags when the
  ///   file has a `sample` column; the target sample when any row is in it.
  /// - Throws: `StoppingError.invalidValue` when `total` is smaller than the rows listed.
  public func progress(total: Int? = nil) throws(StoppingError) -> ScreeningProgress {
    let rows = entries.count
    let n = total ?? rows
    guard n >= rows else {
      throw .invalidValue(
        file: file, line: 1, field: "total", expected: "a total N of at least the \(rows) records listed",
        found: "\(n)")
    }
    let screened = self.screened
    let labels = screened.map { $0.label ?? false }
    let scores = screened.allSatisfy { $0.score != nil } ? screened.compactMap(\.score) : nil
    let unscreened = entries.filter { $0.order == nil }
    let unscreenedScores =
      unscreened.count == n - screened.count && unscreened.allSatisfy({ $0.score != nil })
      ? unscreened.compactMap(\.score) : nil
    let randomlyDrawn = hasSampleColumn ? screened.map { $0.sample == .random } : nil
    let targets = entries.filter { $0.sample == .target }
    let targetSample =
      targets.isEmpty
      ? nil
      : TargetSample(
        size: targets.count, relevantCount: targets.filter { $0.label == true }.count,
        screenedCount: targets.filter { $0.order != nil }.count,
        relevantScreenedCount: targets.filter { $0.order != nil && $0.label == true }.count)
    return try ScreeningProgress(
      labels: labels, total: n, scores: scores, unscreenedScores: unscreenedScores,
      randomlyDrawn: randomlyDrawn, targetSample: targetSample)
  }
}

/// Reads screening logs (`order,document_id,label[,score][,sample]`, see `StoppingLabels`).
///
/// A file must be UTF-8 (else `StoppingError.unreadableFile`). The CSV goes through
/// `Corpus.DelimitedText` with strict quotes (a leading BOM dropped, LF/CRLF/lone-CR record ends,
/// blank lines skipped); header names and values are trimmed of spaces and tabs, header names and
/// `sample` compared in any case, other columns ignored. Refused, as `StoppingError` with the file
/// and line: CSV syntax and rows of another width (`.malformedCSV`); no header, or no row after it
/// (`.emptyInput`); no `order`, `document_id` or `label` column (`.missingColumn`); an order that is
/// not a positive `Int`, an empty id, a label other than `1`/`0`/empty, an empty label with an order
/// or in the target sample, a label without an order outside the target sample, a `random` row
/// without an order, an unknown `sample`, a score that is not a finite number (`.invalidValue`); a
/// repeated order or id (`.duplicateValue`, naming the first line); orders other than exactly 1…n
/// (`.gapInOrder`). Nothing is repaired beyond trimming. Throws only `StoppingError` (typed).
public enum StoppingLabelsReader {
  /// Reads a log from disk.
  ///
  /// - Throws: `StoppingError.unreadableFile`, or any error of `parse(_:file:)`.
  public static func read(contentsOf path: String) throws(StoppingError) -> StoppingLabels {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw .unreadableFile(file: path, reason: error.localizedDescription)
    }
    return try parse(text, file: path)
  }

  /// Parses a log.
  ///
  /// - Parameters:
  ///   - text: The CSV text.
  ///   - file: The name used in error messages.
  /// - Throws: `StoppingError` with the file and line of the first problem: empty input, a
  ///   missing column, a malformed line, an invalid order, label, score or sample, a duplicate
  ///   order or document id, or orders that are not 1…n.
  public static func parse(_ text: String, file: String) throws(StoppingError) -> StoppingLabels {
    let rows = try StoppingCSV.rows(in: text, file: file)
    guard let header = rows.first else {
      throw .emptyInput(file: file, expected: "a header 'order,document_id,label[,score]' and records")
    }
    let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    func column(_ name: String, required: Bool) throws(StoppingError) -> Int? {
      if let index = names.firstIndex(of: name) { return index }
      if required { throw .missingColumn(file: file, line: header.line, column: name, header: header.fields) }
      return nil
    }
    guard let orderColumn = try column("order", required: true),
      let idColumn = try column("document_id", required: true),
      let labelColumn = try column("label", required: true)
    else { throw .missingColumn(file: file, line: header.line, column: "order", header: header.fields) }
    let scoreColumn = try column("score", required: false)
    let sampleColumn = try column("sample", required: false)
    guard rows.count > 1 else {
      throw .emptyInput(file: file, expected: "at least one record after the header")
    }

    var entries: [StoppingLabelsRow] = []
    var idLines: [String: Int] = [:]
    var orderLines: [Int: Int] = [:]
    for row in rows.dropFirst() {
      let line = row.line
      guard row.fields.count == names.count else {
        throw .malformedCSV(
          file: file, line: line,
          reason: "expected \(names.count) fields as in the header, found \(row.fields.count)")
      }
      func value(_ index: Int) -> String { row.fields[index].trimmingCharacters(in: .whitespaces) }

      let orderText = value(orderColumn)
      var order: Int?
      if !orderText.isEmpty {
        guard let parsed = Int(orderText), parsed >= 1 else {
          throw .invalidValue(
            file: file, line: line, field: "order", expected: "a positive integer (or empty for an unscreened record)",
            found: orderText)
        }
        if let first = orderLines[parsed] {
          throw .duplicateValue(file: file, line: line, field: "order", value: orderText, firstLine: first)
        }
        orderLines[parsed] = line
        order = parsed
      }

      let id = value(idColumn)
      guard !id.isEmpty else {
        throw .invalidValue(file: file, line: line, field: "document_id", expected: "a non-empty id", found: id)
      }
      if let first = idLines[id] {
        throw .duplicateValue(file: file, line: line, field: "document_id", value: id, firstLine: first)
      }
      idLines[id] = line

      var sample = StoppingSampleKind.model
      if let sampleColumn {
        let text = value(sampleColumn).lowercased()
        if !text.isEmpty {
          guard let parsed = StoppingSampleKind(rawValue: text) else {
            throw .invalidValue(
              file: file, line: line, field: "sample", expected: "empty, 'model', 'random' or 'target'",
              found: value(sampleColumn))
          }
          sample = parsed
        }
      }

      let labelText = value(labelColumn)
      let label: Bool?
      switch labelText {
      case "1": label = true
      case "0": label = false
      case "":
        guard order == nil else {
          throw .invalidValue(
            file: file, line: line, field: "label", expected: "0 or 1 for a screened record (order \(orderText))",
            found: labelText)
        }
        guard sample != .target else {
          throw .invalidValue(
            file: file, line: line, field: "label", expected: "0 or 1 for a record of the target sample",
            found: labelText)
        }
        label = nil
      default:
        throw .invalidValue(
          file: file, line: line, field: "label", expected: "0 or 1 (or empty for an unscreened record)",
          found: labelText)
      }
      if order == nil, label != nil, sample != .target {
        throw .invalidValue(
          file: file, line: line, field: "order",
          expected: "an order for a labelled record (only target-sample records may be labelled without one)",
          found: orderText)
      }
      if sample == .random, order == nil {
        throw .invalidValue(
          file: file, line: line, field: "order", expected: "an order for a record drawn at random", found: orderText)
      }

      var score: Double?
      if let scoreColumn {
        let text = value(scoreColumn)
        if !text.isEmpty {
          guard let parsed = Double(text), parsed.isFinite else {
            throw .invalidValue(file: file, line: line, field: "score", expected: "a finite number", found: text)
          }
          score = parsed
        }
      }
      entries.append(
        StoppingLabelsRow(line: line, order: order, documentID: id, label: label, score: score, sample: sample))
    }

    for (expected, order) in orderLines.keys.sorted().enumerated() where order != expected + 1 {
      throw .gapInOrder(file: file, expected: expected + 1, found: order, line: orderLines[order] ?? 0)
    }
    return StoppingLabels(file: file, entries: entries, hasSampleColumn: sampleColumn != nil)
  }
}
