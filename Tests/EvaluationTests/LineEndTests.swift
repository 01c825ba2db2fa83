import Foundation
import Testing

@testable import Evaluation

/// Runs and qrels end lines at LF (or CRLF) only: \v, \f, U+0085, U+2028, U+2029 and a lone CR
/// stay inside their line, so a later line keeps its number and a CSV field keeps its text.
@Suite struct RunAndQrelsLineEndTests {
  static let characters = ["\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\r"]

  @Test("TREC run: a bad score two lines on is reported on line 2", arguments: characters)
  func trecRun(character: String) throws {
    #expect(throws: EvaluationError.invalidNumber(file: "r", line: 2, field: "score", found: "x")) {
      _ = try RunReader.read("T Q0 a 1 0.9 tag \(character)\r\nT Q0 b 2 x tag\n", file: "r")
    }
    let run = try RunReader.read("T Q0 a 1 0.9 tag \(character)\r\nT Q0 b 2 0.1 tag", file: "r")
    #expect(run.rankings.first?.documents.map(\.line) == [1, 2])
  }

  /// CSV follows RFC 4180 and Python's csv module instead, where a lone CR ends a record too.
  @Test("csmed CSV run: the character is part of the document id", arguments: characters.dropLast())
  func csvRun(character: String) throws {
    let run = try RunReader.read("review_id,document_id,rank,score\r\nR,a\(character)b,1,0.9\r\nR,c,2,0.1\n", file: "r.csv")
    #expect(run.rankings.first?.documents.map(\.documentID) == ["a\(character)b", "c"])
  }

  @Test("qrels: a bad line after the character is reported on its LF-counted line", arguments: characters)
  func qrels(character: String) throws {
    #expect(throws: EvaluationError.wrongFieldCount(file: "q", line: 2, expected: 4, found: 3)) {
      _ = try QrelsReader.read("T 0 a 1 \(character)\r\nT 0 b\n", file: "q")
    }
  }
}
