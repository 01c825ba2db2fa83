import Corpus
import Foundation

/// Reads JSON Lines document files, one object per line with an id, a title and either an
/// abstract or a `content` field that repeats the title before the abstract (auto-stop-tar).
///
/// The file is read whole, then split at LF or CRLF only (`Corpus.LineAssembler`; a leading BOM
/// dropped); each line is parsed by `JSONSerialization` (UTF-8, no Latin-1 fallback). Lines of only
/// spaces, tabs or CRs are skipped. Refused, as `IngestError.malformed(file:line:expected:found:)` at
/// the line: invalid JSON (found `invalid JSON (reason)`), a value that is not an object, and an
/// object with none of `id`, `pmid`, `document_id`, `doc_id` as a string or integer.
/// Tolerated silently: other keys, and values of other types (taken as absent). Mapping: id the
/// first of those keys; pmid `Identifiers.pmid(pmid ?? id)`; doi `Identifiers.doi` (nil unless
/// `10.…/…`); title trimmed; abstract `abstract`, else `content` ?? `text` without a leading title,
/// trimmed; year the first 4 characters of `year` when an integer, else nil. Throws only `IngestError`.
public enum JSONLinesReader {
  public static func read(contentsOf url: URL) throws -> [Record] {
    try parse(FileContents.data(at: url), file: url.path)
  }

  public static func parse(_ data: Data, file: String) throws -> [Record] {
    var records: [Record] = []
    func handle(_ line: [UInt8], _ lineNumber: Int) throws {
      if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
      let object: [String: Any]
      do {
        guard let parsed = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
          throw IngestError.malformed(file: file, line: lineNumber, expected: "a JSON object", found: "another JSON value")
        }
        object = parsed
      } catch let error as IngestError {
        throw error
      } catch {
        throw IngestError.malformed(
          file: file, line: lineNumber, expected: "a JSON object", found: "invalid JSON (\(JSONErrors.describe(error)))")
      }
      func string(_ keys: String...) -> String? {
        for key in keys {
          if let value = object[key] as? String { return value }
          if let value = object[key] as? Int { return String(value) }
        }
        return nil
      }
      guard let id = string("id", "pmid", "document_id", "doc_id") else {
        throw IngestError.malformed(file: file, line: lineNumber, expected: "an 'id' field", found: "none")
      }
      let title = (string("title") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
      var abstract = string("abstract") ?? ""
      if abstract.isEmpty, let content = string("content", "text") {
        abstract = content.hasPrefix(title) ? String(content.dropFirst(title.count)) : content
      }
      records.append(
        Record(
          sourceID: id, pmid: Identifiers.pmid(string("pmid") ?? id), doi: Identifiers.doi(string("doi")),
          title: title, abstract: abstract.trimmingCharacters(in: .whitespacesAndNewlines),
          year: string("year").flatMap { Int($0.prefix(4)) }, line: lineNumber))
    }
    var lines = LineAssembler()
    try lines.feed(data, handle)
    try lines.finish(handle)
    return records
  }
}

/// Turns Foundation's JSON errors into one readable sentence.
public enum JSONErrors {
  public static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let context):
      return context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
    case DecodingError.keyNotFound(let key, let context):
      return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
    case DecodingError.typeMismatch(let type, let context):
      return "expected \(type) at \(path(context.codingPath))"
    case DecodingError.valueNotFound(let type, let context):
      return "missing \(type) value at \(path(context.codingPath))"
    default:
      let nsError = error as NSError
      if let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
      return nsError.localizedDescription
    }
  }

  private static func path(_ keys: [any CodingKey]) -> String {
    keys.isEmpty ? "the top level" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
  }
}
