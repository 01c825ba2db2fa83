import Corpus
import Foundation

/// Reads Wallace et al.'s SAS2010 layout: a label file whose lines start `<doc id> <1|-1>`, and
/// folders `Titles/` and `Abstracts/` holding one file per document id (one line, maybe empty).
///
/// Files are read whole: UTF-8, or Latin-1 for the whole file when any byte is invalid, a leading BOM
/// dropped. Label lines end at LF or CRLF only and split at runs of spaces (a tab is no separator);
/// lines of only spaces are skipped, and what follows the label is ignored. Refused, as
/// `IngestError.malformed(file:line:expected:found:)` with the first 40 characters: a line whose
/// first field is not an integer or whose second is not `1` or `-1`. A repeated id silently keeps
/// its last label; ids are kept as written (`007` is not `7`). Text files: every file of the folder
/// but dot files, keyed by name, its whole text trimmed of Unicode whitespace. A folder that cannot
/// be listed is `.fileNotFound` (whatever the cause); an unreadable file or a subfolder `.unreadable`.
/// Throws only `IngestError`.
public enum SAS2010Reader {
  /// Document id to raw label (`1` or `-1`).
  public static func labels(contentsOf url: URL) throws -> [String: String] {
    let text = try FileContents.text(at: url)
    var labels: [String: String] = [:]
    var lineNumber = 0
    for line in Lines.split(text) {
      lineNumber += 1
      let fields = line.split(separator: " ", maxSplits: 2)
      if fields.isEmpty { continue }
      guard fields.count >= 2, Int(fields[0]) != nil, fields[1] == "1" || fields[1] == "-1" else {
        throw IngestError.malformed(
          file: url.path, line: lineNumber, expected: "'<doc id> <1|-1> ...'", found: "'\(line.prefix(40))'")
      }
      labels[String(fields[0])] = String(fields[1])
    }
    return labels
  }

  /// Document id to the text of its file, whitespace-trimmed.
  public static func texts(in directory: URL) throws -> [String: String] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    } catch {
      throw IngestError.fileNotFound(path: directory.path)
    }
    var texts: [String: String] = [:]
    for name in names where !name.hasPrefix(".") {
      let text = try FileContents.text(at: directory.appendingPathComponent(name))
      texts[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return texts
  }
}
