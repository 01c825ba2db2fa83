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

/// The one reader of TREC/CLEF qrels lines (for the meta-dataset and for evaluation):
/// whitespace-separated `topic 0 doc rel`, padded with any run of spaces or tabs, LF or CRLF line
/// ends, blank lines skipped. Each caller wraps `SyntaxError` in its own error type.
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
