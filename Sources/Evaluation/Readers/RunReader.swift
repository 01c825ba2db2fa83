import Corpus
import Foundation

/// Reads runs (rankings per review) from csmed CSV, TREC and CLEF TAR files.
///
/// A file must be UTF-8 (else `EvaluationError.unreadableFile`); a leading BOM is dropped; the format
/// is given or detected (`detectFormat`). TREC and CLEF: lines end at LF or CRLF only, fields at any
/// run of Unicode whitespace, blank lines are skipped; refused, with the line: other than 6 fields
/// (`.wrongFieldCount`), a rank that is not an `Int` or a score that is not a number or is NaN
/// (`.invalidNumber`; ±infinity passes), a CLEF action outside 0/1/AF/NF/NS (`.invalidValue`). The
/// rank's value and the tag are unused: TREC is re-sorted like trec_eval, CLEF kept in file order.
/// CSV: `Corpus.DelimitedText` with strict quotes (its errors are `.malformedCSV`); refused: a header
/// lacking `review_id`, `document_id`, `rank` or `score` (`.missingColumn`; names trimmed, any case),
/// a row of another width (`.malformedCSV`), an empty id or a `decision` outside include(d)/exclude(d),
/// 1/0, true/false, yes/no, empty (`.invalidValue`), a non-`Int` rank or a non-number or NaN score
/// (`.invalidNumber`). An empty score is nil; rows sort by rank, ties in file order; other columns are
/// ignored. No document at all is `.emptyInput`; repeated documents are kept. Throws only
/// `EvaluationError` (typed), naming the file and line.
public enum RunReader {
  /// Detects the format of a run from its first non-blank line.
  ///
  /// A line containing `review_id` and a comma is a csmed CSV header. Otherwise the line is split
  /// on whitespace: a second field `Q0` means TREC, `0`, `1`, `AF`, `NF` or `NS` means CLEF TAR.
  /// - Throws: `EvaluationError.emptyInput` or `.unknownRunFormat`.
  public static func detectFormat(
    of contents: String, file: String
  ) throws(EvaluationError) -> RunFormat {
    var lineNumber = 0
    for rawLine in Lines.split(contents) {
      lineNumber += 1
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      if line.contains(","), line.lowercased().contains("review_id") { return .csv }
      let fields = line.split(whereSeparator: \.isWhitespace)
      if fields.count >= 2 {
        let second = String(fields[1])
        if second == "Q0" { return .trec }
        if RunAction(rawValue: second) != nil { return .clef }
      }
      throw .unknownRunFormat(file: file, line: lineNumber, found: String(line.prefix(80)))
    }
    throw .emptyInput(file: file, expected: "a run with at least one ranked document")
  }

  /// Reads a run from a file, detecting the format unless one is given.
  /// - Throws: `EvaluationError` when the file cannot be read or is malformed.
  public static func read(
    contentsOf url: URL, format: RunFormat? = nil
  ) throws(EvaluationError) -> Run {
    let contents: String
    do {
      contents = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw .unreadableFile(file: url.path, reason: "\(error.localizedDescription)")
    }
    return try read(contents, file: url.lastPathComponent, format: format)
  }

  /// Reads a run from its text.
  ///
  /// - Parameters:
  ///   - contents: The file contents.
  ///   - file: The file name used in messages and as the run's name.
  ///   - format: The format; detected from the first line when `nil`.
  /// - Returns: The run, one ranking per review in order of first appearance.
  /// - Throws: `EvaluationError` with the file and line of the first problem.
  public static func read(
    _ contents: String, file: String, format: RunFormat? = nil
  ) throws(EvaluationError) -> Run {
    let resolved: RunFormat
    if let format {
      resolved = format
    } else {
      resolved = try detectFormat(of: contents, file: file)
    }
    let rankings: [Ranking]
    switch resolved {
    case .csv: rankings = try readCSV(contents, file: file)
    case .trec: rankings = try readWhitespace(contents, file: file, format: .trec)
    case .clef: rankings = try readWhitespace(contents, file: file, format: .clef)
    }
    if rankings.isEmpty {
      throw .emptyInput(file: file, expected: "a run with at least one ranked document")
    }
    return Run(name: file, format: resolved, rankings: rankings)
  }

  // MARK: - TREC and CLEF

  private static func readWhitespace(
    _ contents: String, file: String, format: RunFormat
  ) throws(EvaluationError) -> [Ranking] {
    var order: [String] = []
    var documents: [String: [RankedDocument]] = [:]
    var lineNumber = 0
    for rawLine in Lines.split(contents) {
      lineNumber += 1
      let fields = rawLine.split(whereSeparator: \.isWhitespace).map(String.init)
      if fields.isEmpty { continue }
      guard fields.count == 6 else {
        throw .wrongFieldCount(file: file, line: lineNumber, expected: 6, found: fields.count)
      }
      let topic = fields[0]
      guard Int(fields[3]) != nil else {
        throw .invalidNumber(file: file, line: lineNumber, field: "rank", found: fields[3])
      }
      guard let score = Double(fields[4]), !score.isNaN else {
        throw .invalidNumber(file: file, line: lineNumber, field: "score", found: fields[4])
      }
      var action = RunAction.unmarked
      if format == .clef {
        guard let parsed = RunAction(rawValue: fields[1]) else {
          throw .invalidValue(
            file: file, line: lineNumber, field: "action", expected: "0, 1, AF, NF or NS",
            found: fields[1])
        }
        action = parsed
      }
      if documents[topic] == nil { order.append(topic) }
      documents[topic, default: []].append(
        RankedDocument(documentID: fields[2], score: score, action: action, line: lineNumber))
    }
    return order.map { topic in
      var docs = documents[topic] ?? []
      if format == .trec { sortLikeTRECEval(&docs) }
      return Ranking(reviewID: topic, documents: docs)
    }
  }

  /// Sorts documents as trec_eval does: score descending, ties by document id descending
  /// (byte-wise, like `strcmp`).
  static func sortLikeTRECEval(_ documents: inout [RankedDocument]) {
    documents.sort { lhs, rhs in
      let l = lhs.score ?? -.infinity
      let r = rhs.score ?? -.infinity
      if l != r { return l > r }
      return rhs.documentID.utf8.lexicographicallyPrecedes(lhs.documentID.utf8)
    }
  }

  // MARK: - csmed CSV

  private static func readCSV(_ contents: String, file: String) throws(EvaluationError) -> [Ranking] {
    let records = try CSVRecords.parse(contents, file: file)
    guard let header = records.first else {
      throw .emptyInput(file: file, expected: "a header review_id,document_id,rank,score")
    }
    let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    func column(_ name: String) throws(EvaluationError) -> Int {
      guard let index = names.firstIndex(of: name) else {
        throw .missingColumn(file: file, line: header.line, column: name, header: header.fields)
      }
      return index
    }
    let reviewColumn = try column("review_id")
    let documentColumn = try column("document_id")
    let rankColumn = try column("rank")
    let scoreColumn = try column("score")
    let decisionColumn = names.firstIndex(of: "decision")

    var order: [String] = []
    var rows: [String: [(rank: Int, document: RankedDocument)]] = [:]
    for record in records.dropFirst() {
      guard record.fields.count == names.count else {
        throw .malformedCSV(
          file: file, line: record.line,
          reason: "expected \(names.count) fields like the header, found \(record.fields.count)")
      }
      let review = record.fields[reviewColumn]
      let document = record.fields[documentColumn]
      if review.isEmpty {
        throw .invalidValue(
          file: file, line: record.line, field: "review_id", expected: "a non-empty id", found: "")
      }
      if document.isEmpty {
        throw .invalidValue(
          file: file, line: record.line, field: "document_id", expected: "a non-empty id",
          found: "")
      }
      let rankText = record.fields[rankColumn].trimmingCharacters(in: .whitespaces)
      guard let rank = Int(rankText) else {
        throw .invalidNumber(file: file, line: record.line, field: "rank", found: rankText)
      }
      let scoreText = record.fields[scoreColumn].trimmingCharacters(in: .whitespaces)
      var score: Double?
      if !scoreText.isEmpty {
        guard let parsed = Double(scoreText), !parsed.isNaN else {
          throw .invalidNumber(file: file, line: record.line, field: "score", found: scoreText)
        }
        score = parsed
      }
      var decision: Bool?
      if let decisionColumn {
        let text = record.fields[decisionColumn].trimmingCharacters(in: .whitespaces).lowercased()
        switch text {
        case "": decision = nil
        case "1", "include", "included", "true", "yes": decision = true
        case "0", "exclude", "excluded", "false", "no": decision = false
        default:
          throw .invalidValue(
            file: file, line: record.line, field: "decision",
            expected: "include/exclude, 1/0, true/false or empty", found: text)
        }
      }
      if rows[review] == nil { order.append(review) }
      rows[review, default: []].append(
        (rank, RankedDocument(documentID: document, score: score, decision: decision, line: record.line)))
    }
    return order.map { review in
      let sorted = (rows[review] ?? []).enumerated().sorted { lhs, rhs in
        lhs.element.rank != rhs.element.rank
          ? lhs.element.rank < rhs.element.rank : lhs.offset < rhs.offset
      }
      return Ranking(reviewID: review, documents: sorted.map(\.element.document))
    }
  }
}
