import Corpus
import Foundation

/// Reads RIS exports (EndNote, Zotero, Mendeley, PubMed, Embase, ASReview), streamed line by line:
/// UTF-8, each invalid line decoded as Latin-1 on its own, a leading BOM dropped, lines ended by LF
/// or CRLF only (`Corpus.Lines`). A tag line is `A–Z`, `A–Z`/`0–9`, 1–5 spaces, `-`, then the line
/// end or a space or tab and the value (`TY  - JOUR`, `ER  -`); `TY` opens a record, `ER` closes it.
/// Refused, as `IngestError.malformed(file:line:expected:found:)`: `TY` inside an open record (at
/// the new `TY`), `ER` or another tag outside a record (at that line), a record open at the end (at
/// its `TY`), and a non-blank file with no record (at its first non-blank line, quoted).
/// Tolerated silently: blank lines, untagged text outside records (banners), unknown tags and `LB`
/// values; untagged lines in a record continue the previous value; values are trimmed and their
/// whitespace collapsed. Blank input gives `[]`. Throws only `IngestError` (and what `body` throws).
/// Mapping: id `ID`; title `TI` ?? `T1` ?? `CT` ?? `BT` (books); abstract `AB` ?? `N2`, its lines
/// joined by `\n`; authors `AU` + `A1`, else `A2`–`A4`, as written; year: first in `PY`, `Y1`, `DA`;
/// doi `DO`, else `doi:`/`doi.org/` in `UR`/`L2`/`M3`/`N1`, else an `M3` starting `10.`; venue `JF` ??
/// `JO` ?? `T2` ?? `JA` ?? `J2` ?? `SO` ?? `BT` (not books); keywords: every `KW` line; pmid `AN` of
/// 1–8 digits, else `PMID: n` in `N1`/`M1`/`M2`, else a PubMed URL in `UR`/`L2`; label `LB` (1/0,
/// yes/no, included/excluded, relevant/irrelevant), else `ASReview_(ir)relevant` in `N1`.
public enum RISReader {
  /// Reads the RIS file at `url`, streaming it line by line.
  ///
  /// - Throws: `IngestError.fileNotFound`, `.unreadable` or `.malformed`.
  public static func read(contentsOf url: URL) throws -> [Record] {
    var records: [Record] = []
    try forEachRecord(inFile: url) { records.append($0) }
    return records
  }

  /// Calls `body` with each record of the RIS file at `url` as soon as its `ER` line is read, so
  /// memory does not grow with the file.
  ///
  /// - Throws: As `read(contentsOf:)`, or what `body` throws.
  public static func forEachRecord(inFile url: URL, _ body: (Record) throws -> Void) throws {
    var parser = Parser(file: url.path)
    try LineReading.forEachLine(inFile: url) { line, number in
      if let record = try parser.consume(line, number: number) { try body(record) }
    }
    try parser.finish()
  }

  /// Parses RIS text.
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
    try parser.finish()
    return records
  }

  /// Splits a tag line into its tag and value, or returns nil for a continuation line.
  static func splitTagLine(_ line: String) -> (tag: String, value: String)? {
    let bytes = Array(line.utf8.prefix(8))
    guard bytes.count >= 4, isUpper(bytes[0]), isUpper(bytes[1]) || isDigit(bytes[1]),
      bytes[2] == 0x20
    else { return nil }
    var index = 3
    while index < bytes.count, bytes[index] == 0x20 { index += 1 }
    guard index < bytes.count, bytes[index] == 0x2D else { return nil }  // "-"
    let afterHyphen = index + 1
    if afterHyphen < line.utf8.count {
      let next = line.utf8[line.utf8.index(line.utf8.startIndex, offsetBy: afterHyphen)]
      guard next == 0x20 || next == 0x09 else { return nil }
    }
    let tag = String(decoding: bytes[0..<2], as: UTF8.self)
    let rest = line.utf8.dropFirst(afterHyphen)
    let value = TextScan.trimmed(Substring(rest))
    return (tag, value)
  }

  private static func isUpper(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }
  private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

  // MARK: - Parser

  private struct Field {
    var tag: String
    var lines: [String]
  }

  private struct Parser {
    let file: String
    var recordCount = 0
    var fields: [Field] = []
    var recordLine: Int?
    var firstNonBlank: (line: Int, text: String)?

    init(file: String) { self.file = file }

    /// Takes one line; returns the record it completes, if any.
    mutating func consume(_ line: String, number: Int) throws -> Record? {
      let trimmed = TextScan.trimmed(line)
      if trimmed.isEmpty { return nil }
      if firstNonBlank == nil { firstNonBlank = (number, String(trimmed.prefix(40))) }
      if let (tag, value) = RISReader.splitTagLine(line) {
        switch tag {
        case "TY":
          if let start = recordLine {
            throw IngestError.malformed(
              file: file, line: number,
              expected: "'ER  - ' closing the record that starts at line \(start)",
              found: "a new 'TY  - ' record")
          }
          recordLine = number
          fields = [Field(tag: tag, lines: [value])]
        case "ER":
          guard let start = recordLine else {
            throw IngestError.malformed(
              file: file, line: number, expected: "'TY  - ' before 'ER  - '", found: "'ER  - '")
          }
          let record = RISReader.makeRecord(fields, line: start)
          recordLine = nil
          fields = []
          recordCount += 1
          return record
        default:
          guard recordLine != nil else {
            throw IngestError.malformed(
              file: file, line: number, expected: "'TY  - ' starting a record",
              found: "'\(tag)  - ' outside a record")
          }
          fields.append(Field(tag: tag, lines: value.isEmpty ? [] : [value]))
        }
      } else if recordLine != nil {
        // A continuation line: append to the previous tag's value.
        if fields.isEmpty { return nil }
        fields[fields.count - 1].lines.append(trimmed)
      }
      // Text outside records that is not a tag line (export banners, comments) is ignored.
      return nil
    }

    func finish() throws {
      if let start = recordLine {
        throw IngestError.malformed(
          file: file, line: start,
          expected: "'ER  - ' closing the record that starts here", found: "end of file")
      }
      if recordCount == 0, let first = firstNonBlank {
        throw IngestError.malformed(
          file: file, line: first.line, expected: "an RIS record ('TY  - ')",
          found: "'\(first.text)'")
      }
    }
  }

  // MARK: - Mapping

  private static func makeRecord(_ fields: [Field], line: Int) -> Record {
    var byTag: [String: [[String]]] = [:]
    for field in fields { byTag[field.tag, default: []].append(field.lines) }
    /// The first non-empty value of `tag`, its lines joined by a space.
    func single(_ tag: String) -> String? {
      for lines in byTag[tag] ?? [] {
        let value = TextScan.collapseWhitespace(lines.joined(separator: " "))
        if !value.isEmpty { return value }
      }
      return nil
    }
    /// Every line of every `tag` value (EndNote writes one list item per line).
    func list(_ tag: String) -> [String] {
      (byTag[tag] ?? []).flatMap { $0 }.map { TextScan.collapseWhitespace($0) }
        .filter { !$0.isEmpty }
    }
    func all(_ tags: [String]) -> [String] { tags.flatMap { byTag[$0] ?? [] }.flatMap { $0 } }

    let type = single("TY")?.uppercased() ?? ""
    let isBook = ["BOOK", "EBOOK", "EDBOOK"].contains(type)
    var record = Record(line: line)
    record.sourceID = single("ID")
    record.title = single("TI") ?? single("T1") ?? single("CT") ?? (isBook ? single("BT") : nil) ?? ""
    for tag in ["AB", "N2"] {
      let lines = (byTag[tag] ?? []).first { !$0.isEmpty } ?? []
      let abstract = lines.map { TextScan.collapseWhitespace($0) }.filter { !$0.isEmpty }
        .joined(separator: "\n")
      if !abstract.isEmpty {
        record.abstract = abstract
        break
      }
    }
    var authors = list("AU") + list("A1")
    if authors.isEmpty { authors = list("A2") + list("A3") + list("A4") }
    record.authors = authors
    record.year = ["PY", "Y1", "DA"].lazy.compactMap { single($0).flatMap(TextScan.year) }.first
    if let value = single("DO") {
      record.doi = TextScan.doi(in: value) ?? value
    } else {
      let marked = all(["UR", "L2", "M3", "N1"]).lazy.compactMap {
        TextScan.doi(in: $0, requireMarker: true)
      }.first
      record.doi =
        marked
        ?? all(["M3"]).lazy.compactMap { value -> String? in
          value.hasPrefix("10.") ? TextScan.doi(in: value) : nil
        }.first
    }
    var venueTags = ["JF", "JO", "T2", "JA", "J2", "SO"]
    if !isBook { venueTags.append("BT") }
    record.venue = venueTags.lazy.compactMap { single($0) }.first
    record.keywords = list("KW")
    if let accession = single("AN"), TextScan.isPMID(accession) {
      record.pmid = accession
    } else {
      record.pmid =
        all(["N1", "M1", "M2"]).lazy.compactMap { TextScan.markedPMID(in: $0) }.first
        ?? all(["UR", "L2"]).lazy.compactMap { TextScan.pubMedURLPMID(in: $0) }.first
    }
    record.label = list("LB").lazy.compactMap(labelValue).first
    if record.label == nil {
      let notes = all(["N1"]).joined(separator: "\n")
      if notes.contains("ASReview_irrelevant") {
        record.label = 0
      } else if notes.contains("ASReview_relevant") {
        record.label = 1
      }
    }
    return record
  }

  private static func labelValue(_ value: String) -> Int? {
    switch value.lowercased() {
    case "1", "yes", "y", "true", "include", "included", "relevant", "asreview_relevant": 1
    case "0", "no", "n", "false", "exclude", "excluded", "irrelevant", "asreview_irrelevant": 0
    default: nil
    }
  }
}
