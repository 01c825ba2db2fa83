import Corpus
import Foundation

/// One BibTeX entry with its raw field values (macros expanded, `#` concatenations joined, outer
/// delimiters removed, inner LaTeX and braces kept).
public struct BibTeXEntry: Sendable, Equatable, Hashable {
  /// The entry type in lower case (`article`, `inproceedings`, …).
  public var type: String
  /// The citation key.
  public var key: String
  /// Field values by lower-cased field name. When a field repeats, the first value is kept.
  public var fields: [String: String]
  /// 1-based line of the entry's `@`.
  public var line: Int

  /// Creates an entry.
  public init(type: String, key: String, fields: [String: String], line: Int) {
    self.type = type
    self.key = key
    self.fields = fields
    self.line = line
  }
}

/// Reads BibTeX (`.bib`) whole: UTF-8, or Latin-1 for the whole file when any byte is invalid, a
/// leading BOM dropped; lines are counted at LF. Entries are `@type{key, name = value, …}` or
/// `@type(…)`, any type; values are braced (nested), quoted, digits or `@string` macros (`jan`…`dec`
/// predefined), joined by `#`; field and macro names are case-insensitive. `@comment`, `@preamble`
/// and text outside entries (`%` lines, a stray `@`) are skipped. Empty input gives `[]`.
/// Refused, as `IngestError.malformed(file:line:expected:found:)`: an entry or value open at the end
/// of the file, or running into a new `@name{`/`@name(` (at the line where the entry or the value
/// opened); a missing field name (a `%` line inside an entry too), `=`, value, or `,`/closer after a
/// value, and an unmatched `}` in a quoted value (at the current line). Throws only `IngestError`.
/// Tolerated silently: an unknown macro (empty), a repeated field (first kept), an empty key, an
/// unbalanced `@comment` (the rest read as text). Values go through `LaTeX.toUnicode` (accents, letter
/// commands, escaped specials, `--`/`---`, `~`, TeX quotes, common symbols; other commands dropped with
/// their arguments kept; braces and `$` removed; whitespace collapsed; NFC); `doi`, `url`, `pmid`,
/// `eprint` only lose braces and backslashes. Mapping: id = key; `title`; `abstract`; authors `author`
/// split on ` and ` outside braces, `others` dropped; year `year` ?? `date`; doi `doi`, else a
/// `doi:`/`doi.org/` DOI in `url`; venue `journal` ?? `journaltitle` ?? `booktitle` ?? `school` ??
/// `institution`; keywords `keywords` ?? `keyword`, split on `;` when any, else `,`; pmid `pmid` (1–8
/// digits), else `eprint` when `eprinttype` is `pubmed`, else `PMID: n` in `note`.
public enum BibTeXReader {
  /// Reads the BibTeX file at `url`.
  ///
  /// - Throws: `IngestError.fileNotFound`, `.unreadable` or `.malformed`.
  public static func read(contentsOf url: URL) throws -> [Record] {
    try parse(FileAccess.decode(FileAccess.contents(of: url)), file: url.path)
  }

  /// Parses BibTeX text into records.
  ///
  /// - Parameters:
  ///   - text: the whole file contents.
  ///   - file: the name used in error messages.
  /// - Throws: `IngestError.malformed`.
  public static func parse(_ text: String, file: String) throws -> [Record] {
    try entries(in: text, file: file).map(record(from:))
  }

  /// Parses BibTeX text into raw entries, without LaTeX conversion.
  ///
  /// - Throws: `IngestError.malformed`.
  public static func entries(in text: String, file: String) throws -> [BibTeXEntry] {
    var scanner = Scanner(bytes: Array(text.utf8), file: file)
    return try scanner.parseAll()
  }

  /// Maps a raw entry to a record (see the type's documentation for the field mapping).
  public static func record(from entry: BibTeXEntry) -> Record {
    let fields = entry.fields
    func text(_ name: String) -> String? {
      guard let raw = fields[name] else { return nil }
      let value = LaTeX.toUnicode(raw)
      return value.isEmpty ? nil : value
    }
    var record = Record(sourceID: entry.key.isEmpty ? nil : entry.key, line: entry.line)
    record.title = text("title") ?? ""
    record.abstract = text("abstract") ?? ""
    record.authors = splitNames(fields["author"] ?? "").map(LaTeX.toUnicode)
      .filter { !$0.isEmpty && $0.lowercased() != "others" }
    record.year = (fields["year"]).flatMap(TextScan.year) ?? fields["date"].flatMap(TextScan.year)
    if let doi = fields["doi"].map(LaTeX.verbatim), !doi.isEmpty {
      record.doi = TextScan.doi(in: doi) ?? doi
    } else if let url = fields["url"].map(LaTeX.verbatim) {
      record.doi = TextScan.doi(in: url, requireMarker: true)
    }
    record.venue =
      text("journal") ?? text("journaltitle") ?? text("booktitle") ?? text("school")
      ?? text("institution")
    if let raw = fields["keywords"] ?? fields["keyword"] {
      record.keywords = splitList(raw).map(LaTeX.toUnicode).filter { !$0.isEmpty }
    }
    if let pmid = fields["pmid"].map(LaTeX.verbatim), TextScan.isPMID(pmid) {
      record.pmid = pmid
    } else if fields["eprinttype"].map({ LaTeX.verbatim($0).lowercased() }) == "pubmed",
      let eprint = fields["eprint"].map(LaTeX.verbatim), TextScan.isPMID(eprint)
    {
      record.pmid = eprint
    } else if let note = fields["note"] {
      record.pmid = TextScan.markedPMID(in: note)
    }
    return record
  }

  // MARK: - Splitting

  /// Splits an `author` value on the word `and` (any case) surrounded by whitespace outside braces.
  static func splitNames(_ raw: String) -> [String] {
    let scalars = Array(raw.unicodeScalars)
    var names: [String] = []
    var current = String.UnicodeScalarView()
    var depth = 0
    var index = 0
    func isSpace(_ offset: Int) -> Bool {
      offset < scalars.count && scalars[offset].properties.isWhitespace
    }
    while index < scalars.count {
      let scalar = scalars[index]
      if scalar == "{" { depth += 1 }
      if scalar == "}" { depth = max(0, depth - 1) }
      if depth == 0, isSpace(index), index + 4 < scalars.count,
        String(String.UnicodeScalarView(scalars[(index + 1)...(index + 3)])).lowercased() == "and",
        isSpace(index + 4)
      {
        names.append(String(current))
        current = String.UnicodeScalarView()
        index += 5
        continue
      }
      current.append(scalar)
      index += 1
    }
    names.append(String(current))
    return names.map { TextScan.collapseWhitespace($0) }.filter { !$0.isEmpty }
  }

  /// Splits a keyword list on `;` outside braces when there is one, else on `,`.
  static func splitList(_ raw: String) -> [String] {
    var depth = 0
    var hasSemicolon = false
    for character in raw {
      if character == "{" { depth += 1 }
      if character == "}" { depth = max(0, depth - 1) }
      if depth == 0 && character == ";" { hasSemicolon = true }
    }
    let separator: Character = hasSemicolon ? ";" : ","
    var parts: [String] = []
    var current = ""
    depth = 0
    for character in raw {
      if character == "{" { depth += 1 }
      if character == "}" { depth = max(0, depth - 1) }
      if depth == 0 && character == separator {
        parts.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    parts.append(current)
    return parts.map { TextScan.collapseWhitespace($0) }.filter { !$0.isEmpty }
  }

  // MARK: - Scanner

  private static let monthMacros: [String: String] = [
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
  ]

  private struct Scanner {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var line = 1
    var macros = BibTeXReader.monthMacros
    /// The line where the most recent braced or quoted value opened.
    var lastValueLine = 1

    init(bytes: [UInt8], file: String) {
      self.bytes = bytes
      self.file = file
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func advance() {
      if position < bytes.count {
        if bytes[position] == 0x0A { line += 1 }
        position += 1
      }
    }

    mutating func skipWhitespace() {
      while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
        advance()
      }
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
      (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
        || "_-:.+/'".utf8.contains(byte) || byte >= 0x80
    }

    mutating func readName() -> String {
      let start = position
      while let byte = current, Scanner.isNameByte(byte) { advance() }
      return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A short, printable description of the byte at the current position.
    var found: String {
      guard position < bytes.count else { return "end of file" }
      let end = min(bytes.count, position + 20)
      let snippet = Lines.split(String(decoding: bytes[position..<end], as: UTF8.self)).first.map(String.init) ?? ""
      return "'\(snippet)'"
    }

    mutating func parseAll() throws -> [BibTeXEntry] {
      var entries: [BibTeXEntry] = []
      var atLineStart = true
      while let byte = current {
        if byte == 0x40 {  // "@"
          if let entry = try parseAt() { entries.append(entry) }
          atLineStart = false
        } else if byte == 0x25 && atLineStart {  // "%" comment line outside entries
          while let next = current, next != 0x0A { advance() }
        } else {
          atLineStart = byte == 0x0A || (atLineStart && (byte == 0x20 || byte == 0x09))
          advance()
        }
      }
      return entries
    }

    /// Parses what follows an `@`; returns an entry, or nil for `@string`/`@comment`/`@preamble`
    /// and for a stray `@` in text outside entries.
    mutating func parseAt() throws -> BibTeXEntry? {
      let entryLine = line
      advance()
      skipWhitespace()
      let type = readName().lowercased()
      guard !type.isEmpty else { return nil }
      skipWhitespace()
      guard let open = current, open == 0x7B || open == 0x28 else { return nil }
      let close: UInt8 = open == 0x7B ? 0x7D : 0x29
      switch type {
      case "comment":
        skipBalanced(open: open, close: close)
        return nil
      case "preamble":
        advance()
        _ = try parseValue(field: "@preamble", entryLine: entryLine)
        skipWhitespace()
        if current == close { advance() }
        return nil
      case "string":
        advance()
        skipWhitespace()
        let name = readName().lowercased()
        skipWhitespace()
        guard current == 0x3D else {
          throw IngestError.malformed(
            file: file, line: line, expected: "'=' in @string definition", found: found)
        }
        advance()
        let value = try parseValue(field: "@string \(name)", entryLine: entryLine)
        skipWhitespace()
        guard current == close else {
          throw IngestError.malformed(
            file: file, line: line,
            expected: "'\(Character(Unicode.Scalar(close)))' closing @string '\(name)'",
            found: found)
        }
        advance()
        macros[name] = value
        return nil
      default:
        advance()
        skipWhitespace()
        let keyStart = position
        while let byte = current, byte != 0x2C, byte != close, byte != 0x20, byte != 0x0A,
          byte != 0x09, byte != 0x0D
        {
          advance()
        }
        let key = String(decoding: bytes[keyStart..<position], as: UTF8.self)
        var fields: [String: String] = [:]
        skipWhitespace()
        while true {
          skipWhitespace()
          guard let byte = current else {
            throw IngestError.malformed(
              file: file, line: entryLine,
              expected: "'\(Character(Unicode.Scalar(close)))' closing entry '\(key)' that starts here",
              found: "end of file")
          }
          if byte == close {
            advance()
            break
          }
          if byte == 0x2C {
            advance()
            continue
          }
          if let entryStart = entryStart(at: position) {
            throw IngestError.malformed(
              file: file, line: entryLine,
              expected: "'\(Character(Unicode.Scalar(close)))' closing entry '\(key)' that starts here",
              found: "a new entry '\(entryStart)' at line \(line)")
          }
          let name = readName().lowercased()
          guard !name.isEmpty else {
            throw IngestError.malformed(
              file: file, line: line, expected: "a field name in entry '\(key)'", found: found)
          }
          skipWhitespace()
          guard current == 0x3D else {
            throw IngestError.malformed(
              file: file, line: line, expected: "'=' after field '\(name)' in entry '\(key)'",
              found: found)
          }
          advance()
          let value = try parseValue(field: name, entryLine: entryLine)
          if fields[name] == nil { fields[name] = value }
          skipWhitespace()
          if current == 0x2C {
            advance()
          } else if let entryStart = entryStart(at: position) {
            throw IngestError.malformed(
              file: file, line: lastValueLine,
              expected: "'}' closing field '\(name)' opened here",
              found: "a new entry '\(entryStart)' at line \(line) (unbalanced braces)")
          } else if current != close && current != nil {
            throw IngestError.malformed(
              file: file, line: line,
              expected: "',' or '\(Character(Unicode.Scalar(close)))' after field '\(name)' in entry '\(key)'",
              found: found)
          }
        }
        return BibTeXEntry(type: type, key: key, fields: fields, line: entryLine)
      }
    }

    /// Skips a balanced `{...}`/`(...)` group; at an unbalanced end of file, stops after the
    /// opening delimiter so the rest is read as ordinary text.
    mutating func skipBalanced(open: UInt8, close: UInt8) {
      let savedPosition = position
      let savedLine = line
      var depth = 0
      while let byte = current {
        if byte == open { depth += 1 }
        if byte == close {
          depth -= 1
          if depth == 0 {
            advance()
            return
          }
        }
        advance()
      }
      position = savedPosition
      line = savedLine
      advance()
    }

    /// Parses `piece (# piece)*` and returns the concatenated raw text.
    mutating func parseValue(field: String, entryLine: Int) throws -> String {
      var value = ""
      while true {
        skipWhitespace()
        guard let byte = current else {
          throw IngestError.malformed(
            file: file, line: entryLine, expected: "a value for field '\(field)'",
            found: "end of file")
        }
        switch byte {
        case 0x7B:  // "{"
          value += try delimited(field: field, quoted: false)
        case 0x22:  // "\""
          value += try delimited(field: field, quoted: true)
        case 0x30...0x39:
          let start = position
          while let digit = current, (0x30...0x39).contains(digit) { advance() }
          value += String(decoding: bytes[start..<position], as: UTF8.self)
        default:
          let name = readName()
          guard !name.isEmpty else {
            throw IngestError.malformed(
              file: file, line: line, expected: "a value for field '\(field)'", found: found)
          }
          value += macros[name.lowercased()] ?? ""
        }
        skipWhitespace()
        guard current == 0x23 else { return value }  // "#"
        advance()
      }
    }

    /// Reads a `{...}` or `"..."` piece and returns its content without the outer delimiters.
    mutating func delimited(field: String, quoted: Bool) throws -> String {
      let openLine = line
      lastValueLine = line
      let opener = quoted ? "'\"'" : "'{'"
      let closer = quoted ? "'\"'" : "'}'"
      advance()
      let start = position
      var depth = 0
      while let byte = current {
        switch byte {
        case 0x7B:
          depth += 1
        case 0x7D:
          if depth == 0 {
            if !quoted {
              let content = String(decoding: bytes[start..<position], as: UTF8.self)
              advance()
              return content
            }
            throw IngestError.malformed(
              file: file, line: line,
              expected: "balanced braces in field '\(field)' (value opened with \(opener) at line \(openLine))",
              found: "an unmatched '}'")
          }
          depth -= 1
        case 0x22 where quoted && depth == 0:
          let content = String(decoding: bytes[start..<position], as: UTF8.self)
          advance()
          return content
        case 0x0A:
          if let entryStart = entryStartAfterNewline() {
            throw IngestError.malformed(
              file: file, line: openLine,
              expected: "\(closer) closing field '\(field)' opened here with \(opener)",
              found: "a new entry '\(entryStart)' at line \(line + 1) (unbalanced braces)")
          }
        default:
          break
        }
        advance()
      }
      throw IngestError.malformed(
        file: file, line: openLine,
        expected: "\(closer) closing field '\(field)' opened here with \(opener)",
        found: "end of file (unbalanced braces)")
    }

    /// When the line after the newline at `position` starts a new entry (`@name{` or `@name(`),
    /// returns that text.
    func entryStartAfterNewline() -> String? {
      var index = position + 1
      while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
      return entryStart(at: index)
    }

    /// When the bytes at `start` read `@name{` or `@name(`, returns that text.
    func entryStart(at start: Int) -> String? {
      var index = start
      guard index < bytes.count, bytes[index] == 0x40 else { return nil }
      let nameStart = index + 1
      index = nameStart
      while index < bytes.count,
        (0x41...0x5A).contains(bytes[index]) || (0x61...0x7A).contains(bytes[index])
      {
        index += 1
      }
      guard index > nameStart, index < bytes.count, bytes[index] == 0x7B || bytes[index] == 0x28
      else { return nil }
      return String(decoding: bytes[(nameStart - 1)...index], as: UTF8.self)
    }
  }
}
