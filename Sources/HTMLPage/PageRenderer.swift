import Evaluation
import Foundation

extension ScreeningPage {
  /// The version of the embedded data; a page of another version is refused when read back.
  public static let dataFormat = "csmed-screening-page/1"

  private static let dataOpening = "<script type=\"application/json\" id=\"csmed-data\">"

  /// Writes the page piece by piece to `sink`, the records as `entries` yields them (in rank
  /// order), so a page over 100,000 records is never one string in memory.
  /// - Parameters:
  ///   - sourceLabels: The records' `sourceLabel`s in rank order (small), for the recall curve
  ///     that the page shows above the records when every record has one.
  ///   - entries: Calls its argument once per record, in rank order.
  public static func write(
    meta: Meta, sourceLabels: [Int?], entries: ((Entry) throws -> Void) throws -> Void,
    to sink: (String) throws -> Void
  ) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // In script data, "<" could open "</script" or "<!--"; JSON may write it as \u003c.
    func json<T: Encodable>(_ value: T) throws -> String {
      String(decoding: try encoder.encode(value), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    }
    try sink(head(meta))
    try sink(summary(meta, count: sourceLabels.count))
    try sink(advice(meta))
    if let plot = recallPlot(sourceLabels) { try sink(plot) }
    try sink(PageAssets.body)
    try sink(dataOpening + "{\"format\":" + (try json(dataFormat)) + ",\"meta\":" + (try json(meta)) + ",\"entries\":[\n")
    var first = true
    // `entries` calls back into `sink` only while it runs.
    try withoutActuallyEscaping(sink) { sink in
      try entries { entry in
        try sink((first ? "" : ",\n") + (try json(entry)))
        first = false
      }
    }
    try sink("\n]}</script>\n<script>\n" + PageAssets.script + "</script>\n</body>\n</html>\n")
  }

  /// Writes this page (one read back, say) to `sink`.
  public func write(to sink: (String) throws -> Void) throws {
    try Self.write(meta: meta, sourceLabels: entries.map(\.sourceLabel), entries: { emit in try entries.forEach(emit) }, to: sink)
  }

  /// The whole page as one string.
  public func html() throws -> String {
    var text = ""
    try write { text += $0 }
    return text
  }

  /// Reads back a page that `write` wrote.
  /// - Throws: ``PageError/notAPage(file:reason:)`` when the file holds no csmed data block, a
  ///   block of another format version, or JSON that does not decode.
  public static func read(_ data: Data, file: String) throws -> ScreeningPage {
    let opening = Data(dataOpening.utf8), closing = Data("</script>".utf8)
    guard let start = data.range(of: opening) else {
      throw PageError.notAPage(file: file, reason: "no <script id=\"csmed-data\"> block (written by `csmed screen --html`?)")
    }
    guard let end = data.range(of: closing, in: start.upperBound..<data.endIndex) else {
      throw PageError.notAPage(file: file, reason: "the data block does not end")
    }
    struct Stored: Decodable {
      var format: String
      var meta: Meta
      var entries: [Entry]
    }
    struct Version: Decodable { var format: String }
    let block = data[start.upperBound..<end.lowerBound]
    let decoder = JSONDecoder()
    func otherFormat(_ format: String) -> PageError {
      .notAPage(file: file, reason: "data format '\(format)', this csmed reads '\(dataFormat)'")
    }
    // One parse when the page is ours; the version is read only to say why another is not.
    do {
      let stored = try decoder.decode(Stored.self, from: block)
      guard stored.format == dataFormat else { throw otherFormat(stored.format) }
      return ScreeningPage(meta: stored.meta, entries: stored.entries)
    } catch let error as PageError {
      throw error
    } catch {
      guard let version = try? decoder.decode(Version.self, from: block) else {
        throw PageError.notAPage(file: file, reason: "the data block is not JSON with a \"format\"")
      }
      guard version.format == dataFormat else { throw otherFormat(version.format) }
      throw PageError.notAPage(file: file, reason: "the data block does not decode: \(error)")
    }
  }

  // MARK: - The parts written in Swift (the records are listed by the page's script)

  /// `text` safe inside an element or a quoted attribute. Scalar by scalar: a `<` joined to a
  /// prepended or combining scalar is one Swift Character, and still a `<` to the HTML parser.
  static func escape(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out.append(contentsOf: "&amp;".unicodeScalars)
      case "<": out.append(contentsOf: "&lt;".unicodeScalars)
      case ">": out.append(contentsOf: "&gt;".unicodeScalars)
      case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
      case "'": out.append(contentsOf: "&#39;".unicodeScalars)
      default: out.append(scalar)
      }
    }
    return String(out)
  }

  static func head(_ meta: Meta) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="csmed \(escape(meta.csmedVersion))">
    <title>Screen: \(escape(meta.title))</title>
    <style>
    \(PageAssets.style)</style>
    </head>
    <body>

    """
  }

  static func summary(_ meta: Meta, count: Int) -> String {
    var html = "<header>\n<h1>\(escape(meta.title))</h1>\n"
    html += "<p class=\"about\"><span id=\"record-count\">\(count)</span> records of review <code>\(escape(meta.reviewID))</code>"
    html += " ranked by \(escape(meta.ranker)), most likely relevant first (csmed \(escape(meta.csmedVersion)), \(escape(meta.generated))).</p>\n"
    if meta.query != meta.title {
      html += "<details class=\"query\"><summary>The query the ranker read</summary><pre>\(escape(meta.query))</pre></details>\n"
    }
    html += "</header>\n"
    return html
  }

  static func advice(_ meta: Meta) -> String {
    var html = "<section id=\"advice\">\n<h2>When to stop</h2>\n"
    if let cutoff = meta.cutoff {
      html += "<p id=\"cutoff-advice\">For recall \(String(format: "%.2f", cutoff.targetRecall)), screen the top <strong>\(cutoff.rank)</strong>"
      html += " records: the largest share any of the screener's \(cutoff.validationReviews) validation review(s) needed. A line marks the place in the list.</p>\n"
    }
    if let advice = meta.advice {
      html += "<p id=\"stop-advice\">csmed stop on <code>\(escape(advice.labelsFile))</code>: \(advice.screened) of \(advice.total) screened, "
      html += "\(advice.relevantFound) relevant found, aiming at recall \(String(format: "%.2f", advice.targetRecall)).</p>\n"
      html += "<table class=\"rules\"><thead><tr><th>rule</th><th>verdict</th><th>why</th></tr></thead><tbody>\n"
      for rule in advice.rules {
        let kind = rule.verdict == "stop" ? "stop" : (rule.verdict == "continue" ? "continue" : "na")
        html += "<tr class=\"\(kind)\"><td>\(escape(rule.rule))</td><td>\(escape(rule.verdict))</td><td>\(escape(rule.reason))</td></tr>\n"
      }
      html += "</tbody></table>\n"
    } else {
      html += "<p id=\"stop-howto\">Label records below, export the labels, then ask the stopping rules: "
      html += "<code>csmed stop --labels LABELS.csv --html THIS-PAGE.html</code> prints their advice and writes it into this page.</p>\n"
    }
    html += "</section>\n"
    return html
  }

  /// The recall curve over the ranking, when every record's label is known and some are relevant.
  static func recallPlot(_ labels: [Int?]) -> String? {
    guard !labels.isEmpty, labels.allSatisfy({ $0 != nil }) else { return nil }
    let ranking = JudgedRanking(relevance: labels.map { $0 == 1 })
    let relevant = ranking.relevantCount
    guard relevant > 0 else { return nil }
    let n = Double(labels.count), r = Double(relevant)
    // A step curve rises only at relevant ranks, so two points per relevant record draw it exactly.
    var points = [CurvePoint(x: 0, y: 0)]
    var found = 0
    for (index, isRelevant) in ranking.relevance.enumerated() where isRelevant {
      points.append(CurvePoint(x: Double(index) / n, y: Double(found) / r))
      found += 1
      points.append(CurvePoint(x: Double(index + 1) / n, y: Double(found) / r))
    }
    points.append(CurvePoint(x: 1, y: 1))
    let t = WorkSavedMetrics.targetCount(forRecall: 0.95, relevantCount: relevant, convention: .cohen)
    let marker = ranking.rank(ofRelevant: t).map { CurvePoint(x: Double($0) / n, y: 0.95) }
    let curve = RecallCurve(
      label: "this ranking", points: points, wssPoint: marker,
      wssValue: WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .cohen))
    let svg = RecallCurvePlot.svg([curve], title: "Recall by the labels the source carries", width: 640, height: 420)
    return "<section id=\"recall\">\n<h2>Recall curve</h2>\n\(svg)</section>\n"
  }
}
