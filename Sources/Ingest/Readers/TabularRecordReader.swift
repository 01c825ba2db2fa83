import Corpus
import Foundation

/// Reads CSV/TSV exports of screening tools (ASReview, SYNERGY, Cohen's ASReview copies, CSMeD-FT)
/// into records, accepting the column-name aliases those tools use.
///
/// Files are streamed through `DelimitedReader` (tab for `.tsv`/`.tab`, else comma; RFC 4180 with
/// literal stray quotes, BOM dropped, LF/CRLF/lone-CR record ends, blank lines skipped, invalid UTF-8
/// replaced by U+FFFD, no Latin-1 fallback). The first row is the header; `aliases` find the columns,
/// case-insensitively. Refused, each naming its line: the syntax errors of `DelimitedReader`; no
/// header (`.malformed`, line 1, found "an empty file"); no title, PMID or DOI column
/// (`.missingColumn(file:column:available:)`); a row whose field count differs from the header's (a
/// short row is what a truncated file looks like) and a label that is not 0/1-like (`LabelParser`),
/// both `.malformed(file:line:expected:found:)` at the row's first line.
/// Repaired silently: fields trimmed, empty ones absent; PMID and DOI normalised (`Identifiers`, nil
/// when not one); year from the first 4 characters, nil when not a number; authors and keywords split
/// on `;`; other columns ignored. Throws only `IngestError` (and what `body` throws).
public enum TabularRecordReader {
  /// Column aliases, lower-cased, in priority order (from ASReview's `asreview.config` names).
  static let aliases: [String: [String]] = [
    "id": ["record_id", "id", "document_id", "key"],
    "title": ["title", "primary_title", "ti", "article_title"],
    "abstract": ["abstract", "notes_abstract", "ab", "abstract note"],
    "pmid": ["pmid", "pubmedid", "pubmed id", "pubmed_id", "pubmed"],
    "doi": ["doi"],
    "year": ["year", "publication_year", "py", "publication year"],
    "authors": ["authors", "author", "au", "first_authors"],
    "venue": ["journal", "venue", "secondary_title", "publication title", "source"],
    "keywords": ["keywords", "mesh_terms", "mesh", "kw"],
    "label": ["label_included", "included", "label", "final_included", "included_label", "debug_label"],
  ]

  /// One parsed table: the header and the rows with their starting lines.
  public struct Table: Sendable {
    public var file: String
    public var header: [String]
    public var rows: [(fields: [String], line: Int)]

    /// Index of the first column matching any of the names (case-insensitive).
    public func column(_ names: [String]) -> Int? {
      let lowered = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
      for name in names { if let index = lowered.firstIndex(of: name) { return index } }
      return nil
    }

    /// Like `column(_:)`, but throws when absent.
    public func requireColumn(_ name: String) throws -> Int {
      guard let index = column([name]) else {
        throw IngestError.missingColumn(file: file, column: name, available: header)
      }
      return index
    }
  }

  /// Parses a delimited file into a table, checking every row against the header's width.
  public static func table(_ data: Data, file: String, delimiter: Character = ",") throws -> Table {
    var header: [String]?
    var rows: [(fields: [String], line: Int)] = []
    try DelimitedReader(delimiter: delimiter, file: file).forEachRow(in: data) { fields, line in
      guard let header else {
        header = fields
        return
      }
      guard fields.count == header.count else {
        throw IngestError.malformed(
          file: file, line: line, expected: "\(header.count) fields as in the header",
          found: "\(fields.count)")
      }
      rows.append((fields, line))
    }
    guard let header else {
      throw IngestError.malformed(file: file, line: 1, expected: "a header row", found: "an empty file")
    }
    return Table(file: file, header: header, rows: rows)
  }

  /// Reads a CSV (or TSV, by the `.tsv`/`.tab` extension) file of records.
  public static func read(contentsOf url: URL) throws -> [Record] {
    var records: [Record] = []
    try forEachRecord(inFile: url) { records.append($0) }
    return records
  }

  /// Calls `body` with each record of a CSV (or TSV) file as soon as its row is read, so memory
  /// does not grow with the file.
  /// - Throws: As `read(contentsOf:)`, or what `body` throws.
  public static func forEachRecord(inFile url: URL, _ body: (Record) throws -> Void) throws {
    let delimiter: Character = ["tsv", "tab"].contains(url.pathExtension.lowercased()) ? "\t" : ","
    var mapper: RecordMapper?
    try DelimitedReader(delimiter: delimiter, file: url.path).forEachRow(inFile: url) { fields, line in
      guard let mapper else {
        mapper = try RecordMapper(header: fields, file: url.path)
        return
      }
      try body(mapper.record(fields, line: line))
    }
    guard mapper != nil else {
      throw IngestError.malformed(file: url.path, line: 1, expected: "a header row", found: "an empty file")
    }
  }

  /// Parses a delimited file and maps its rows to records through the aliases.
  public static func parse(_ data: Data, file: String, delimiter: Character = ",") throws -> [Record] {
    try records(from: table(data, file: file, delimiter: delimiter))
  }

  /// Maps a table's rows to records through the aliases.
  public static func records(from table: Table) throws -> [Record] {
    let mapper = try RecordMapper(header: table.header, file: table.file)
    return try table.rows.map { try mapper.record($0.fields, line: $0.line) }
  }

  /// Maps rows under one header to records: the columns found through the aliases once, then
  /// each row's fields.
  struct RecordMapper {
    let file: String
    let header: [String]
    let id: Int?, title: Int?, abstract: Int?, pmid: Int?, doi: Int?, year: Int?
    let authors: Int?, venue: Int?, keywords: Int?, label: Int?

    /// - Throws: `IngestError.missingColumn` without a title, PMID or DOI column.
    init(header: [String], file: String) throws {
      let table = Table(file: file, header: header, rows: [])
      func column(_ key: String) -> Int? { aliases[key].flatMap { table.column($0) } }
      (id, title, abstract) = (column("id"), column("title"), column("abstract"))
      (pmid, doi, year) = (column("pmid"), column("doi"), column("year"))
      (authors, venue, keywords, label) = (column("authors"), column("venue"), column("keywords"), column("label"))
      guard title != nil || pmid != nil || doi != nil else {
        throw IngestError.missingColumn(file: file, column: "title (or pmid/doi)", available: header)
      }
      self.file = file
      self.header = header
    }

    /// - Throws: `IngestError.malformed` for a row of another width than the header or a label
    ///   that is not 0/1-like.
    func record(_ fields: [String], line: Int) throws -> Record {
      guard fields.count == header.count else {
        throw IngestError.malformed(
          file: file, line: line, expected: "\(header.count) fields as in the header", found: "\(fields.count)")
      }
      func value(_ index: Int?) -> String? {
        guard let index else { return nil }
        let field = fields[index]
        // Most fields need no trimming; Foundation's trim goes through NSString, a third of the
        // time of reading a large file, so it runs only when an end is whitespace.
        let ends = [field.unicodeScalars.first, field.unicodeScalars.last].compactMap { $0 }
        let text = ends.contains { $0.properties.isWhitespace } ? field.trimmingCharacters(in: .whitespacesAndNewlines) : field
        return text.isEmpty ? nil : text
      }
      var labelValue: Int?
      if let raw = value(label) {
        guard let parsed = LabelParser.binary(raw) else {
          throw IngestError.malformed(
            file: file, line: line, expected: "a label 0/1 (or yes/no, included/excluded)", found: "'\(raw)'")
        }
        labelValue = parsed
      }
      return Record(
        sourceID: value(id), pmid: Identifiers.pmid(value(pmid)), doi: Identifiers.doi(value(doi)),
        title: value(title) ?? "", abstract: value(abstract) ?? "",
        year: value(year).flatMap { Int($0.prefix(4)) },
        authors: value(authors).map(splitList) ?? [], venue: value(venue),
        keywords: value(keywords).map(splitList) ?? [], label: labelValue, line: line)
    }
  }

  static func splitList(_ text: String) -> [String] {
    text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}

/// Reads the labels that source files spell in many ways.
public enum LabelParser {
  /// 1 for include-like values, 0 for exclude-like values, nil for anything else.
  public static func binary(_ raw: String) -> Int? {
    switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
    case "1", "1.0", "true", "yes", "y", "i", "include", "included", "relevant": 1
    case "0", "0.0", "-1", "false", "no", "n", "e", "exclude", "excluded", "irrelevant": 0
    default: nil
    }
  }
}

/// Reads whole files with the error the ingest layer speaks (public face of `FileAccess`).
public enum FileContents {
  public static func data(at url: URL) throws -> Data { try FileAccess.contents(of: url) }

  /// The file as text: UTF-8 without a byte-order mark, or Latin-1 where it is not valid UTF-8.
  public static func text(at url: URL) throws -> String { FileAccess.decode(try data(at: url)) }
}
