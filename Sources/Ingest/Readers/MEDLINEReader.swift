import Corpus
import Foundation

/// Reads PubMed's MEDLINE text format (`.nbib`, "Send to → Citation manager", `rettype=medline`),
/// streamed line by line: UTF-8, each invalid line decoded as Latin-1 on its own, a leading BOM
/// dropped, lines ended by LF or CRLF only (`Corpus.Lines`). A field line is a tag (`A–Z`, then up to
/// three `A–Z`/`0–9`) space-padded to four columns, `-` in column 5, then a space or the line end
/// (`PMID- 30922926`, `TI  - Title`). A line starting with a space or tab continues the previous
/// field (trimmed, joined with one space). Blank lines (ASCII whitespace) end a record; so does a
/// second `PMID-`. A record's line is that of its first field.
/// Refused, as `IngestError.malformed(file:line:expected:found:)` at the line: a non-blank line that
/// is neither a field nor a continuation (its first 40 characters quoted), and a continuation with no
/// field before it in its record (at the start of the file or after a blank line).
/// Tolerated silently: unknown tags; a repeated single-valued tag (the first non-empty value wins);
/// values are trimmed and whitespace-collapsed. Blank input gives `[]`. Throws only `IngestError`
/// (and what `body` throws).
/// Mapping: pmid and id `PMID`; title `TI` ?? `BTI` ?? `CTI`; abstract `AB`; authors `FAU` ?? `AU` ??
/// `CN`; year: first in `DP` ?? `DEP` ?? `EDAT`; doi: the `LID`/`AID` ending `[doi]`; venue `JT` ??
/// `TA` ?? `BTI` (when there is a `TI`); keywords: `MH` descriptors (`*` and `/qualifiers` removed),
/// then `OT`, without duplicates.
public enum MEDLINEReader {
  /// Reads the MEDLINE file at `url`, streaming it line by line.
  ///
  /// - Throws: `IngestError.fileNotFound`, `.unreadable` or `.malformed`.
  public static func read(contentsOf url: URL) throws -> [Record] {
    var records: [Record] = []
    try forEachRecord(inFile: url) { records.append($0) }
    return records
  }

  /// Calls `body` with each record of the MEDLINE file at `url` as soon as it is complete, so
  /// memory does not grow with the file.
  ///
  /// - Throws: As `read(contentsOf:)`, or what `body` throws.
  public static func forEachRecord(inFile url: URL, _ body: (Record) throws -> Void) throws {
    var parser = Parser(file: url.path)
    try LineReading.forEachLine(inFile: url) { line, number in
      if let record = try parser.consume(line, number: number) { try body(record) }
    }
    if let record = parser.flush() { try body(record) }
  }

  /// Parses MEDLINE text.
  ///
  /// - Parameters:
  ///   - text: the whole file contents.
  ///   - file: the name used in error messages.
  /// - Throws: `IngestError.malformed`.
  public static func parse(_ text: String, file: String) throws -> [Record] {
    var parser = Parser(file: file)
    var records: [Record] = []
    try LineReading.forEachLine(in: text) { line, number in
      if let record = try parser.consume(line, number: number) { records.append(record) }
    }
    if let record = parser.flush() { records.append(record) }
    return records
  }

  /// Splits `PMID- 123` / `TI  - x` into tag and value; nil when `line` is not a field line.
  static func splitFieldLine(_ line: String) -> (tag: String, value: String)? {
    let head = Array(line.utf8.prefix(6))
    guard head.count >= 5, head[4] == 0x2D, head.count == 5 || head[5] == 0x20 else { return nil }
    let tagBytes = head[0..<4]
    guard let first = tagBytes.first, (0x41...0x5A).contains(first) else { return nil }
    let tag = TextScan.trimmed(String(decoding: tagBytes, as: UTF8.self))
    guard tag.utf8.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }),
      tagBytes.dropFirst(tag.utf8.count).allSatisfy({ $0 == 0x20 })
    else { return nil }
    let value = TextScan.trimmed(Substring(line.utf8.dropFirst(head.count)))
    return (tag, value)
  }

  // MARK: - Parser

  private struct Parser {
    let file: String
    var fields: [(tag: String, value: String)] = []
    var recordLine = 0

    init(file: String) { self.file = file }

    /// Takes one line; returns the record it completes, if any.
    mutating func consume(_ line: String, number: Int) throws -> Record? {
      if TextScan.isBlank(line) { return flush() }
      if let first = line.first, first == " " || first == "\t" {
        guard !fields.isEmpty else {
          throw IngestError.malformed(
            file: file, line: number, expected: "a field line such as 'PMID- 12345'",
            found: "a continuation line with no field before it")
        }
        let text = TextScan.trimmed(line)
        fields[fields.count - 1].value += fields[fields.count - 1].value.isEmpty ? text : " " + text
        return nil
      }
      guard let (tag, value) = MEDLINEReader.splitFieldLine(line) else {
        throw IngestError.malformed(
          file: file, line: number, expected: "a MEDLINE field line ('TAG - value')",
          found: "'\(line.prefix(40))'")
      }
      let completed = tag == "PMID" && fields.contains(where: { $0.tag == "PMID" }) ? flush() : nil
      if fields.isEmpty { recordLine = number }
      fields.append((tag, value))
      return completed
    }

    /// Ends the record being read, if any, and returns it.
    mutating func flush() -> Record? {
      guard !fields.isEmpty else { return nil }
      defer { fields = [] }
      return MEDLINEReader.makeRecord(fields, line: recordLine)
    }
  }

  // MARK: - Mapping

  private static func makeRecord(_ fields: [(tag: String, value: String)], line: Int) -> Record {
    func values(_ tag: String) -> [String] {
      fields.filter { $0.tag == tag }.map { TextScan.collapseWhitespace($0.value) }
        .filter { !$0.isEmpty }
    }
    func first(_ tag: String) -> String? { values(tag).first }

    var record = Record(line: line)
    record.pmid = first("PMID")
    record.sourceID = record.pmid
    record.title = first("TI") ?? first("BTI") ?? first("CTI") ?? ""
    record.abstract = first("AB") ?? ""
    let fullNames = values("FAU")
    let shortNames = values("AU")
    record.authors = !fullNames.isEmpty ? fullNames : !shortNames.isEmpty ? shortNames : values("CN")
    record.year = ["DP", "DEP", "EDAT"].lazy.compactMap { first($0).flatMap(TextScan.year) }.first
    record.doi =
      (values("LID") + values("AID")).lazy.compactMap { value -> String? in
        guard value.hasSuffix("[doi]") else { return nil }
        return String(value.dropLast(5)).trimmingCharacters(in: .whitespaces)
      }.first
    record.venue = first("JT") ?? first("TA") ?? (first("TI") != nil ? first("BTI") : nil)
    var keywords: [String] = []
    var seen = Set<String>()
    let mesh = values("MH").map { heading -> String in
      let descriptor = heading.split(separator: "/", maxSplits: 1).first.map(String.init) ?? heading
      return descriptor.trimmingCharacters(in: CharacterSet(charactersIn: "* "))
    }
    for keyword in mesh + values("OT") where !keyword.isEmpty && seen.insert(keyword).inserted {
      keywords.append(keyword)
    }
    record.keywords = keywords
    return record
  }
}
