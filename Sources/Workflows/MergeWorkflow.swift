import Corpus
import Foundation

/// `csmed merge`: joins the rankings of `csmed screen --shard i/N` runs into one ranking, as
/// if the whole list had been screened at once (scores are per candidate, so only the order
/// changes; ties keep shard order, then rank within the shard, as the unsharded run does).
public enum MergeWorkflow {
  /// Reads csmed ranking CSVs (`review_id,document_id,rank,score,title,label`), given in shard
  /// order, and returns the merged ranking.
  /// - Throws: ``WorkflowError`` naming the file and line of a missing column or a bad score.
  public static func merge(_ files: [URL]) throws -> ScreenWorkflow.Ranked {
    guard !files.isEmpty else { throw WorkflowError.usage("give the shard rankings to merge") }
    struct Row {
      var review, document, title: String
      var score: Double
      var label: Int?
      var shard, rank: Int
    }
    var rows: [Row] = []
    var seen = Set<String>()
    for (shard, url) in files.enumerated() {
      guard let data = FileManager.default.contents(atPath: url.path) else { throw WorkflowError.missingInput(path: url.path) }
      let table: [DelimitedText.Row]
      do { table = try DelimitedText.rows(in: String(decoding: data, as: UTF8.self)) } catch {
        throw WorkflowError.io(path: url.path, reason: "line \(error.line): expected \(error.expected), found \(error.found)")
      }
      guard let header = table.first?.fields else { throw WorkflowError.io(path: url.path, reason: "empty file") }
      func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
          throw WorkflowError.io(path: url.path, reason: "line 1: expected a '\(name)' column in \(header)")
        }
        return i
      }
      let (ri, di, si, rk) = (try column("review_id"), try column("document_id"), try column("score"), try column("rank"))
      let ti = header.firstIndex(of: "title"), li = header.firstIndex(of: "label")
      for row in table.dropFirst() {
        let (fields, line) = (row.fields, row.line)
        guard fields.count == header.count else {
          throw WorkflowError.io(path: url.path, reason: "line \(line): \(fields.count) fields, expected \(header.count)")
        }
        guard let score = fields[si] == "-inf" ? -Double.infinity : Double(fields[si]) else {
          throw WorkflowError.io(path: url.path, reason: "line \(line): score '\(fields[si])' is not a number")
        }
        guard let rank = Int(fields[rk]) else {
          throw WorkflowError.io(path: url.path, reason: "line \(line): rank '\(fields[rk])' is not an integer")
        }
        let key = fields[ri] + "\u{1F}" + fields[di]
        guard seen.insert(key).inserted else {
          throw WorkflowError.io(
            path: url.path, reason: "line \(line): document \(fields[di]) of \(fields[ri]) is already in an earlier shard")
        }
        rows.append(
          Row(
            review: fields[ri], document: fields[di], title: ti.map { fields[$0] } ?? "", score: score,
            label: li.flatMap { Int(fields[$0]) }, shard: shard, rank: rank))
      }
    }
    let reviews = Set(rows.map(\.review))
    guard reviews.count <= 1 else {
      throw WorkflowError.usage("the shards rank different reviews (\(reviews.sorted().joined(separator: ", ")))")
    }
    let order = rows.indices.sorted { a, b in
      let (x, y) = (rows[a], rows[b])
      if x.score != y.score { return x.score > y.score }
      return (x.shard, x.rank) < (y.shard, y.rank)
    }
    return ScreenWorkflow.Ranked(
      reviewID: rows.first?.review ?? "", query: "", documentIDs: rows.map(\.document), scores: rows.map(\.score),
      titles: rows.map(\.title), labels: rows.map(\.label), order: order,
      emptyRecords: rows.filter { $0.score == -.infinity }.count)
  }
}
