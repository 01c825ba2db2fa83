import Corpus
import Foundation

/// Writes records as RIS that `RISReader` reads back to the same records (apart from `line`).
///
/// Each record becomes `TY  - JOUR`, then `ID`, `TI`, `AU` (one per author), `PY`, `T2` (venue),
/// `AB` (one line per abstract line, as continuation lines), `KW` (one per keyword), `DO`, `AN`
/// (PMID), `N1  - ASReview_relevant|ASReview_irrelevant` (label, the convention ASReview reads),
/// and `ER  - `, followed by a blank line. Lines end with `\n`; the output is UTF-8 without BOM.
///
/// Round-trip guarantee: values are written trimmed with internal whitespace runs collapsed,
/// abstract lines likewise and without blank lines, since that is how `RISReader` normalizes them.
/// A record already in that form reads back unchanged. A continuation line that would look like a
/// tag line is written with one leading space, which the reader strips.
public enum RISWriter {
  /// The RIS text for `records`.
  public static func write(_ records: [Record]) -> String {
    var output = ""
    for record in records { append(record, to: &output) }
    return output
  }

  /// One record's entry, with `extra` tag lines (e.g. a screen's rank and score) before its `ER`.
  public static func entry(_ record: Record, extra: [(tag: String, value: String)] = []) -> String {
    var output = ""
    append(record, extra: extra, to: &output)
    return output
  }

  /// Writes `records` to `url` atomically.
  ///
  /// - Throws: `IngestError.unreadable` when the file cannot be written.
  public static func write(_ records: [Record], to url: URL) throws {
    do {
      try Data(write(records).utf8).write(to: url, options: .atomic)
    } catch {
      throw IngestError.unreadable(path: url.path, reason: error.localizedDescription)
    }
  }

  private static func append(_ record: Record, extra: [(tag: String, value: String)] = [], to output: inout String) {
    func line(_ tag: String, _ value: String) {
      let value = TextScan.collapseWhitespace(value)
      if !value.isEmpty { output += "\(tag)  - \(value)\n" }
    }
    output += "TY  - JOUR\n"
    if let id = record.sourceID { line("ID", id) }
    line("TI", record.title)
    for author in record.authors { line("AU", author) }
    if let year = record.year { line("PY", String(year)) }
    if let venue = record.venue { line("T2", venue) }
    let abstractLines = Lines.split(record.abstract)
      .map { TextScan.collapseWhitespace($0) }.filter { !$0.isEmpty }
    for (index, text) in abstractLines.enumerated() {
      if index == 0 {
        output += "AB  - \(text)\n"
      } else {
        output += RISReader.splitTagLine(text) == nil ? "\(text)\n" : " \(text)\n"
      }
    }
    for keyword in record.keywords { line("KW", keyword) }
    if let doi = record.doi { line("DO", doi) }
    if let pmid = record.pmid { line("AN", pmid) }
    switch record.label {
    case 1?: line("N1", "ASReview_relevant")
    case 0?: line("N1", "ASReview_irrelevant")
    default: break
    }
    for (tag, value) in extra { line(tag, value) }
    output += "ER  - \n\n"
  }
}
