import Corpus
import Foundation

/// Reads TREC/CLEF TAR qrels (`topic iteration doc rel`) into labels through `Corpus.TRECQrels`.
/// CLEF topic files (for completing rels-only qrels) are read by `Ingest.CLEFTopicReader`.
///
/// A file must be UTF-8 (no Latin-1 fallback): a missing, unreadable or non-UTF-8 file is
/// `EvaluationError.unreadableFile(file:reason:)` with its path; later messages name the file by its
/// last path component. Lines end at LF or CRLF only (a leading BOM dropped), fields at any run of
/// Unicode whitespace, blank lines are skipped. Refused, with the line: other than 4 fields
/// (`.wrongFieldCount(file:line:expected:found:)`) and a relevance that is not an integer
/// (`.invalidNumber(file:line:field:found:)`, field "relevance"); no judgement and no candidate topic
/// is `.emptyInput`. Repaired silently: the iteration is ignored, and a document listed twice keeps
/// its last grade (as the CLEF scripts' dictionary does). Throws only `EvaluationError` (typed).
public enum QrelsReader {
  /// Reads qrels from a file.
  /// - Throws: `EvaluationError` when the file cannot be read or is malformed.
  public static func read(
    contentsOf url: URL, completingWith candidates: [String: [String]]? = nil
  ) throws(EvaluationError) -> LabelSet {
    let contents: String
    do {
      contents = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw .unreadableFile(file: url.path, reason: "\(error.localizedDescription)")
    }
    return try read(contents, file: url.lastPathComponent, completingWith: candidates)
  }

  /// Reads qrels from their text.
  ///
  /// Each non-blank line is `topic iteration document grade`; the iteration is ignored. A
  /// document listed twice keeps its last grade, as the CLEF scripts' dictionary does.
  ///
  /// - Parameters:
  ///   - contents: The file contents.
  ///   - file: The file name used in messages.
  ///   - candidates: For rels-only qrels: the full candidate list (PIDs) per topic. Every PID
  ///     not listed in the qrels gets grade 0; topics only present here get all-zero labels.
  /// - Returns: The labels in order of first appearance.
  /// - Throws: `EvaluationError` with the file and line of the first problem.
  public static func read(
    _ contents: String, file: String, completingWith candidates: [String: [String]]? = nil
  ) throws(EvaluationError) -> LabelSet {
    var order: [String] = []
    var documents: [String: [String]] = [:]
    var grades: [String: [String: Int]] = [:]
    let judgements: [Judgement]
    do {
      judgements = try TRECQrels.judgements(in: contents)
    } catch {
      switch error {
      case .fieldCount(let line, let found): throw .wrongFieldCount(file: file, line: line, expected: 4, found: found)
      case .relevance(let line, let found): throw .invalidNumber(file: file, line: line, field: "relevance", found: found)
      }
    }
    for judgement in judgements {
      let (topic, document, grade) = (judgement.topic, judgement.document, judgement.relevance)
      if grades[topic] == nil { order.append(topic) }
      if grades[topic, default: [:]][document] == nil { documents[topic, default: []].append(document) }
      grades[topic, default: [:]][document] = grade
    }
    if let candidates {
      for topic in candidates.keys.sorted() where grades[topic] == nil {
        order.append(topic)
        grades[topic] = [:]
      }
    }
    if order.isEmpty {
      throw .emptyInput(file: file, expected: "qrels lines 'topic 0 document relevance'")
    }
    let reviews = order.map { topic in
      var list = documents[topic] ?? []
      var topicGrades = grades[topic] ?? [:]
      if let pids = candidates?[topic] {
        for pid in pids where topicGrades[pid] == nil {
          topicGrades[pid] = 0
          list.append(pid)
        }
      }
      return ReviewLabels(reviewID: topic, candidates: list, grades: topicGrades)
    }
    return LabelSet(source: file, reviews: reviews)
  }
}
