/// The one definition of a line for every line-oriented input: search exports (RIS, MEDLINE),
/// JSON Lines, runs, qrels, CLEF topic files, the SAS2010 and SR-updates lists, vocabularies and
/// the text files of `embed` and `tokenize`.
///
/// A line ends at LF. A CR that ends a line (before its LF, or at the end of the input) belongs
/// to the line end, so CRLF files read as LF files; the last line needs no LF. Every other
/// character is inside its line: a lone CR, \v, \f, U+0085, U+2028 and U+2029 too. Swift's
/// `isNewline` ends lines at all of those, which split abstracts that carry one (PDF and Word
/// exports do) into lines of their own.
///
/// CSV and TSV are records, not lines: `DelimitedText` follows RFC 4180 and Python's csv module,
/// where quoted fields hold any character and an unquoted lone CR ends a record as well.
public enum Lines {
  /// The lines of `text`, without their ends. A final LF does not start another line, so
  /// `"a\nb\n"` and `"a\nb"` are both two lines and `""` is none.
  public static func split(_ text: String) -> [Substring] {
    var lines: [Substring] = []
    forEach(in: text) { line, _ in lines.append(line) }
    return lines
  }

  /// Calls `body` with every line of `text` and its 1-based number (a leading byte-order mark
  /// is not part of the first line).
  public static func forEach(in text: String, _ body: (Substring, Int) throws -> Void) rethrows {
    let utf8 = text.utf8
    var start = text.unicodeScalars.first == "\u{FEFF}" ? text.unicodeScalars.index(after: text.startIndex) : text.startIndex
    var number = 0
    func emit(upTo end: String.Index) throws {
      var last = end
      // LF and CR are ASCII, so these indices fall on scalar boundaries.
      if last > start, utf8[utf8.index(before: last)] == cr { last = utf8.index(before: last) }
      number += 1
      try body(text[start..<last], number)
    }
    var index = start
    while index < utf8.endIndex {
      if utf8[index] == lf {
        try emit(upTo: index)
        start = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    if start < utf8.endIndex { try emit(upTo: utf8.endIndex) }
  }

  static let lf = UInt8(ascii: "\n")
  static let cr = UInt8(ascii: "\r")
}

/// The same lines assembled from bytes that arrive in pieces (a file read 1 MiB at a time), in
/// bounded memory; a UTF-8 byte-order mark at the start is dropped. Each line is handed over as
/// its bytes, for the caller to decode.
public struct LineAssembler {
  private var carry: [UInt8] = []
  private var atStart = true
  /// Lines emitted so far.
  public private(set) var lineNumber = 0

  public init() {}

  /// Feeds the next piece, calling `body` with each line it completes and the line's number.
  public mutating func feed(_ piece: some Collection<UInt8>, _ body: ([UInt8], Int) throws -> Void) rethrows {
    var bytes = Array(piece)[...]
    if atStart {
      carry.append(contentsOf: bytes)
      // A byte-order mark may itself arrive in pieces.
      if carry.count < 3 && Array(carry) == Array([0xEF, 0xBB, 0xBF].prefix(carry.count)) { return }
      atStart = false
      if carry.starts(with: [0xEF, 0xBB, 0xBF]) { carry.removeFirst(3) }
      bytes = carry[...]
      carry = []
    }
    var start = bytes.startIndex
    while let lf = bytes[start...].firstIndex(of: Lines.lf) {
      carry.append(contentsOf: bytes[start..<lf])
      try emit(body)
      start = lf + 1
    }
    carry.append(contentsOf: bytes[start...])
  }

  /// Emits the last line when the input did not end with LF.
  public mutating func finish(_ body: ([UInt8], Int) throws -> Void) rethrows {
    if atStart {
      atStart = false
      if carry.starts(with: [0xEF, 0xBB, 0xBF]) { carry.removeFirst(3) }
    }
    if !carry.isEmpty { try emit(body) }
  }

  private mutating func emit(_ body: ([UInt8], Int) throws -> Void) rethrows {
    if carry.last == Lines.cr { carry.removeLast() }
    lineNumber += 1
    let line = carry
    carry.removeAll(keepingCapacity: true)
    try body(line, lineNumber)
  }
}
