import Corpus
import Foundation

/// Hannousse & Yahiouche 2022: per review an `-Included.bib` and an `-Excluded.bib` (the final
/// decision of the SLR authors, used for both stages as CSMeD does), plus the protocol JSON of
/// the Erasmus-Stage copy (title, abstract, criteria, query), two of which are not valid JSON.
enum HannousseLoader {
  static func load(_ manifest: Manifest, _ files: CollectionLoader.Files) throws -> LoadedCollection {
    var reviews: [Review] = []
    var warnings: [String] = []
    for reviewID in CollectionLoader.reviewsWithFiles(manifest, files) {
      var candidates: [Candidate] = []
      var protocolInfo = ReviewProtocol()
      for source in manifest.sources(for: reviewID) {
        guard let url = files[source.id] else { continue }
        switch source.reader {
        case "bibtex":
          let label = Int(source.option("label") ?? "")
          for record in try BibTeXReader.read(contentsOf: url) {
            var record = record
            record.sourceID = record.sourceID ?? record.doi
            candidates.append(
              Candidate(
                record: record, labelTA: label, labelFT: label,
                rawLabel: label == 1 ? "included" : "excluded"))
          }
        case "protocol-json":
          let (parsed, warning) = ReviewProtocol.read(contentsOf: url)
          protocolInfo = parsed
          if let warning { warnings.append(warning) }
        default:
          continue
        }
      }
      reviews.append(
        Review(
          sourceReviewID: reviewID, title: protocolInfo.title ?? reviewID, abstract: protocolInfo.abstract,
          criteria: protocolInfo.criteria, searchQuery: protocolInfo.query, reviewType: "systematic mapping",
          candidates: candidates))
    }
    return LoadedCollection(info: manifest.info, reviews: reviews, warnings: warnings)
  }
}

/// A review protocol in the Erasmus-Stage JSON shape: `title`, `abstract`, `research question`
/// (a list of `{"question": ...}`), `criteria` (`{"inclusion": [{"criteria": ...}], "exclusion": [...]}`;
/// both also read as Python literals inside a string), `research query`.
struct ReviewProtocol {
  var title: String?
  var abstract: String?
  var criteria: [Criterion] = []
  var query: String?

  /// Reads a protocol, repairing raw control characters inside strings (the invalid files have
  /// literal newlines in their values). Returns a warning when it had to repair or give up.
  static func read(contentsOf url: URL) -> (ReviewProtocol, String?) {
    guard let data = try? FileContents.data(at: url) else {
      return (ReviewProtocol(), "\(url.path): cannot read the protocol; review kept without it")
    }
    var warning: String?
    var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    if object == nil {
      object = try? JSONSerialization.jsonObject(with: escapeControlCharactersInStrings(data)) as? [String: Any]
      warning = object == nil
        ? "\(url.path): invalid JSON; review kept without its protocol"
        : "\(url.path): invalid JSON (raw control characters in strings); read after escaping them"
    }
    guard let object else { return (ReviewProtocol(), warning) }
    func string(_ key: String) -> String? {
      (object[key] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    var result = ReviewProtocol(title: string("title"), abstract: string("abstract"), query: string("research query"))
    // The pinned files hold the questions and criteria as JSON lists of objects; older copies as
    // Python literals inside a string. Either way each becomes one criterion per heading.
    func texts(_ items: Any?, key: String) -> [String] {
      ((items as? [[String: Any]]) ?? []).compactMap {
        ($0[key] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
      }.filter { !$0.isEmpty }
    }
    func add(_ heading: String, _ texts: [String]) {
      if !texts.isEmpty { result.criteria.append(Criterion(heading: heading, text: texts.joined(separator: "\n"))) }
    }
    if let questions = string("research question") {
      let quoted = pythonStrings(after: "'question':", in: questions)
      add("research questions", quoted.isEmpty && !questions.isEmpty ? [questions] : quoted)
    } else {
      add("research questions", texts(object["research question"], key: "question"))
    }
    let headings = ["inclusion", "exclusion"]
    if let criteria = string("criteria") {
      for heading in headings {
        guard let start = criteria.range(of: "'\(heading)':") else { continue }
        let rest = String(criteria[start.upperBound...])
        let end = rest.range(of: heading == "inclusion" ? "'exclusion':" : "\u{0}")?.lowerBound ?? rest.endIndex
        add(heading, pythonStrings(after: "'criteria':", in: String(rest[..<end])))
      }
    } else if let sections = object["criteria"] as? [String: Any] {
      for heading in headings { add(heading, texts(sections[heading], key: "criteria")) }
    }
    return (result, warning)
  }

  /// The string literals that follow each `key` in a Python literal (quoted with ' or ").
  static func pythonStrings(after key: String, in text: String) -> [String] {
    var results: [String] = []
    var searchStart = text.startIndex
    while let range = text.range(of: key, range: searchStart..<text.endIndex) {
      var index = range.upperBound
      while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
      guard index < text.endIndex, text[index] == "'" || text[index] == "\"" else {
        searchStart = range.upperBound
        continue
      }
      let quote = text[index]
      var value = ""
      index = text.index(after: index)
      while index < text.endIndex, text[index] != quote {
        if text[index] == "\\", text.index(after: index) < text.endIndex {
          index = text.index(after: index)
        }
        value.append(text[index])
        index = text.index(after: index)
      }
      results.append(value)
      searchStart = index < text.endIndex ? text.index(after: index) : text.endIndex
    }
    return results
  }

  /// Escapes bytes below 0x20 that occur inside JSON string literals.
  static func escapeControlCharactersInStrings(_ data: Data) -> Data {
    var output = Data()
    output.reserveCapacity(data.count)
    var inString = false, escaped = false
    for byte in data {
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        } else if byte < 0x20 {
          output.append(contentsOf: Array(String(format: "\\u%04x", Int(byte)).utf8))
          continue
        }
      } else if byte == UInt8(ascii: "\"") {
        inString = true
      }
      output.append(byte)
    }
    return output
  }
}
