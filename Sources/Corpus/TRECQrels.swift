/// One TREC relevance judgement: `topic iteration document relevance`.
public struct Judgement: Sendable, Equatable {
  public var topic: String
  public var document: String
  public var relevance: Int
  /// 1-based line in its file.
  public var line: Int

  public init(topic: String, document: String, relevance: Int, line: Int) {
    self.topic = topic
    self.document = document
    self.relevance = relevance
    self.line = line
  }
}

/// The one reader of TREC/CLEF qrels lines (for the meta-dataset and for evaluation): `topic
/// iteration document relevance`, from text already decoded.
///
/// Lines end at LF or CRLF only (`Lines`; a leading BOM dropped). Fields are split at runs of any
/// Unicode whitespace (`Character.isWhitespace`: spaces and tabs, but also \v, \f, a lone CR, U+0085,
/// U+2028, no-break space), so such characters inside a line separate fields. Lines without fields
/// are skipped; the iteration field is not checked. Refused, with the 1-based line:
/// `SyntaxError.fieldCount(line:found:)` for a line of other than 4 fields, `.relevance(line:found:)`
/// when the fourth is not a decimal `Int` (sign allowed, 64-bit range). Grades of any sign and repeated
/// judgements are returned as they stand, in file order. Throws only `SyntaxError` (typed); each
/// caller wraps it in its own error type.
public enum TRECQrels {
  public enum SyntaxError: Error, Sendable, Equatable {
    case fieldCount(line: Int, found: Int)
    case relevance(line: Int, found: String)
  }

  public static func judgements(in text: String) throws(SyntaxError) -> [Judgement] {
    var judgements: [Judgement] = []
    var lineNumber = 0
    for rawLine in Lines.split(text) {
      lineNumber += 1
      let fields = rawLine.split(whereSeparator: \.isWhitespace)
      if fields.isEmpty { continue }
      guard fields.count == 4 else { throw .fieldCount(line: lineNumber, found: fields.count) }
      guard let relevance = Int(fields[3]) else { throw .relevance(line: lineNumber, found: String(fields[3])) }
      judgements.append(
        Judgement(topic: String(fields[0]), document: String(fields[2]), relevance: relevance, line: lineNumber))
    }
    return judgements
  }
}
