import Corpus
import Foundation

/// Reads TREC/CLEF qrels files through `Corpus.TRECQrels`, reporting errors as `IngestError`.
public enum QrelsReader {
  public static func read(contentsOf url: URL) throws -> [Judgement] {
    try parse(FileContents.text(at: url), file: url.path)
  }

  public static func parse(_ text: String, file: String) throws -> [Judgement] {
    do {
      return try TRECQrels.judgements(in: text)
    } catch {
      switch error {
      case .fieldCount(let line, let found):
        throw IngestError.malformed(
          file: file, line: line, expected: "4 fields 'topic 0 document relevance'", found: "\(found) fields")
      case .relevance(let line, let found):
        throw IngestError.malformed(file: file, line: line, expected: "an integer relevance", found: "'\(found)'")
      }
    }
  }
}
