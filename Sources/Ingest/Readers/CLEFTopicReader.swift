import Corpus
import Foundation

/// A CLEF TAR topic: a Cochrane DTA/intervention review with its Boolean query and candidate PMIDs.
public struct CLEFTopic: Sendable, Equatable {
  public var id: String
  public var title: String
  public var query: String
  /// Candidate PMIDs in file order; empty for topic files without a `Pids:` section.
  public var pids: [String]
}

/// Reads the CLEF TAR topic files of 2017, 2018 and 2019 (`Topic:`, `Title:`, `Query:`, `Pids:`
/// sections; PMIDs one per indented line), and the JSON topics of the auto-stop-tar copy.
///
/// A file is read whole (UTF-8, or Latin-1 for the whole file when any byte is invalid; a leading BOM
/// dropped) and is JSON when its first non-whitespace character is `{`. Text: lines end at LF or CRLF
/// only, are trimmed of Unicode whitespace, blank ones skipped; a line starting with one of the keys
/// (case-sensitive) sets the id or title, or opens the query or PID section, with the rest of the
/// line as a value. Other lines are query lines (joined by `\n`), PIDs, or, outside those sections,
/// more of the title (joined by a space). A repeated key overrides. Refused, as
/// `IngestError.malformed(file:line:expected:found:)`: a PID line that is not all ASCII digits (at
/// the line, first 40 characters quoted; a value on the `Pids:` line itself too), and no
/// or an empty `Topic:` (line 1, found "none"). JSON `{"id", "title", "query"?}` (other keys ignored)
/// refuses anything else as `.invalidJSON(file:reason:)`. Throws only `IngestError`.
public enum CLEFTopicReader {
  public static func read(contentsOf url: URL) throws -> CLEFTopic {
    let text = try FileContents.text(at: url)
    if text.drop(while: { $0.isWhitespace }).first == "{" {
      return try parseJSON(Data(text.utf8), file: url.path)
    }
    return try parse(text, file: url.path)
  }

  public static func parse(_ text: String, file: String) throws -> CLEFTopic {
    var id: String?
    var title = ""
    var queryLines: [String] = []
    var pids: [String] = []
    enum Section { case header, query, pids }
    var section = Section.header
    var lineNumber = 0
    for rawLine in Lines.split(text) {
      lineNumber += 1
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty { continue }
      if let value = value(of: "Topic:", in: line) {
        id = value
        section = .header
      } else if let value = value(of: "Title:", in: line) {
        title = value
        section = .header
      } else if let value = value(of: "Query:", in: line) {
        section = .query
        if !value.isEmpty { queryLines.append(value) }
      } else if let value = value(of: "Pids:", in: line) {
        section = .pids
        if !value.isEmpty {
          guard value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw IngestError.malformed(
              file: file, line: lineNumber, expected: "a PMID (digits) in the Pids section", found: "'\(value.prefix(40))'")
          }
          pids.append(value)
        }
      } else {
        switch section {
        case .query: queryLines.append(line)
        case .pids:
          guard line.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw IngestError.malformed(
              file: file, line: lineNumber, expected: "a PMID (digits) in the Pids section",
              found: "'\(line.prefix(40))'")
          }
          pids.append(line)
        case .header:
          title += " " + line  // a title wrapped onto a second line
        }
      }
    }
    guard let id, !id.isEmpty else {
      throw IngestError.malformed(file: file, line: 1, expected: "a 'Topic: <id>' line", found: "none")
    }
    return CLEFTopic(id: id, title: title, query: queryLines.joined(separator: "\n"), pids: pids)
  }

  /// The auto-stop-tar topic JSON: `{"id", "title", "query"}`.
  public static func parseJSON(_ data: Data, file: String) throws -> CLEFTopic {
    struct Topic: Decodable { var id: String; var title: String; var query: String? }
    do {
      let topic = try JSONDecoder().decode(Topic.self, from: data)
      return CLEFTopic(id: topic.id, title: topic.title, query: topic.query ?? "", pids: [])
    } catch {
      throw IngestError.invalidJSON(file: file, reason: JSONErrors.describe(error))
    }
  }

  private static func value(of key: String, in line: String) -> String? {
    guard line.hasPrefix(key) else { return nil }
    return line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
  }
}
