import Foundation

/// One TREC relevance judgement: `topic iteration document relevance`.
public struct Judgement: Sendable, Equatable {
  public var topic: String
  public var document: String
  public var relevance: Int
  public var line: Int
}

/// Reads TREC/CLEF qrels: whitespace-separated `topic 0 doc rel`, padded with any run of spaces,
/// tabs or a trailing carriage return (the CLEF 2018 files end lines with `\r`).
public enum QrelsReader {
  public static func read(contentsOf url: URL) throws -> [Judgement] {
    try parse(FileContents.text(at: url), file: url.path)
  }

  public static func parse(_ text: String, file: String) throws -> [Judgement] {
    var judgements: [Judgement] = []
    var lineNumber = 0
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      lineNumber += 1
      let fields = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
      if fields.isEmpty { continue }
      guard fields.count == 4 else {
        throw IngestError.malformed(
          file: file, line: lineNumber, expected: "4 fields 'topic 0 document relevance'",
          found: "\(fields.count) fields")
      }
      guard let relevance = Int(fields[3]) else {
        throw IngestError.malformed(
          file: file, line: lineNumber, expected: "an integer relevance", found: "'\(fields[3])'")
      }
      judgements.append(
        Judgement(topic: String(fields[0]), document: String(fields[2]), relevance: relevance, line: lineNumber))
    }
    return judgements
  }
}
