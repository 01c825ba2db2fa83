import Corpus
import Foundation

/// `csmed merge`: joins the rankings of `csmed screen --shard i/N` runs into one ranking, as
/// if the whole list had been screened at once. Shards hold whole scoring blocks, so on one
/// machine every score, and with them the merged file, equals the unsharded run's byte for
/// byte; ties keep list order (shard, then rank within it), as the unsharded run does.
public enum MergeWorkflow {
  public struct Merged: Sendable {
    public var ranked: ScreenWorkflow.Ranked
    /// Things the caller should tell the user (shards scored on different platforms).
    public var warnings: [String]
  }

  /// Reads csmed ranking CSVs (`review_id,document_id,rank,score,title,label`), each with the
  /// shard record `screen --shard` wrote beside it, in any order.
  /// - Throws: ``WorkflowError`` when a record is missing, when the shards come from different
  ///   inputs or rankers, when a shard is missing or repeated, or naming the file and line of a
  ///   missing column or a bad score.
  public static func merge(_ files: [URL]) throws -> Merged {
    guard !files.isEmpty else { throw WorkflowError.usage("give the shard rankings to merge") }
    let shards = try files.map { (url: $0, record: try ShardRecord.read(besides: $0)) }
      .sorted { $0.record.shard < $1.record.shard }
    let warnings = try check(shards)

    struct Row {
      var review, document, title: String
      var score: Double
      var label: Int?
      var shard, rank: Int
    }
    var rows: [Row] = []
    var seen = Set<String>()
    for (shard, (url, record)) in shards.enumerated() {
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
      let body = table.dropFirst()
      guard body.count == record.end - record.first else {
        throw WorkflowError.io(
          path: url.path,
          reason: "\(body.count) ranked candidates, but its shard record says candidates \(record.first + 1)-\(record.end) (\(record.end - record.first)); was the file cut short or edited?")
      }
      for row in body {
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
    let order = rows.indices.sorted { a, b in
      let (x, y) = (rows[a], rows[b])
      if x.score != y.score { return x.score > y.score }
      return (x.shard, x.rank) < (y.shard, y.rank)
    }
    let ranked = ScreenWorkflow.Ranked(
      reviewID: shards[0].record.reviewID, query: "", documentIDs: rows.map(\.document), scores: rows.map(\.score),
      titles: rows.map(\.title), labels: rows.map(\.label), order: order,
      emptyRecords: rows.filter { $0.score == -.infinity }.count)
    return Merged(ranked: ranked, warnings: warnings)
  }

  /// Checks that the shards, sorted by index, are the N shards of one screen: one input, one
  /// ranker, each index once, slices that tile the list. Returns the warnings.
  static func check(_ shards: [(url: URL, record: ShardRecord)]) throws -> [String] {
    let first = shards[0]
    func name(_ shard: (url: URL, record: ShardRecord)) -> String { "\(shard.url.lastPathComponent) (shard \(shard.record.shard)/\(shard.record.shards))" }
    for other in shards.dropFirst() {
      let (a, b) = (first.record, other.record)
      if a.inputDigest != b.inputDigest || a.records != b.records || a.reviewID != b.reviewID {
        throw WorkflowError.usage(
          "\(name(first)) and \(name(other)) screened different inputs (\(a.reviewID), \(a.records) candidates, digest \(a.inputDigest.prefix(12)) vs \(b.reviewID), \(b.records), \(b.inputDigest.prefix(12)))")
      }
      if a.rankerDigest != b.rankerDigest {
        throw WorkflowError.usage(
          "\(name(first)) and \(name(other)) were ranked differently (\(a.ranker), digest \(a.rankerDigest.prefix(12)) vs \(b.ranker), \(b.rankerDigest.prefix(12))): a screener, base model, query, maximum length, precision or stage differs")
      }
      if a.shards != b.shards || a.blockSize != b.blockSize {
        throw WorkflowError.usage(
          "\(name(first)) and \(name(other)) split the list differently (\(a.shards) vs \(b.shards) shards, blocks of \(a.blockSize) vs \(b.blockSize))")
      }
    }
    let count = first.record.shards
    let indices = shards.map(\.record.shard)
    if let repeated = Dictionary(grouping: shards, by: \.record.shard).values.first(where: { $0.count > 1 }) {
      throw WorkflowError.usage("shard \(repeated[0].record.shard)/\(count) is given twice: \(repeated.map(\.url.path).joined(separator: ", "))")
    }
    let missing = (1...count).filter { !indices.contains($0) }
    if !missing.isEmpty {
      throw WorkflowError.usage(
        "missing shard(s) \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")): merge needs all \(count) shards (empty ones too)")
    }
    var end = 0
    for shard in shards {
      guard shard.record.first == end, shard.record.end >= shard.record.first else {
        throw WorkflowError.io(path: ShardRecord.url(besides: shard.url).path, reason: "candidates \(shard.record.first)..<\(shard.record.end) do not follow the previous shard's end \(end)")
      }
      end = shard.record.end
    }
    guard end == first.record.records else {
      throw WorkflowError.io(path: ShardRecord.url(besides: shards[shards.count - 1].url).path, reason: "the shards cover \(end) of \(first.record.records) candidates")
    }
    let platforms = Set(shards.map(\.record.platform.description))
    guard platforms.count > 1 else { return [] }
    return [
      "the shards were scored on \(platforms.count) different platforms (\(platforms.sorted().joined(separator: "; "))): scores agree only within rounding (README, Sharding), so near-ties may order differently than on one machine"
    ]
  }
}
