import Foundation
import Tensor
import Testing

@testable import Workflows

@Suite struct ShardMergeTests {
  @Test func shardSpecsAreValidated() throws {
    #expect(try ScreenWorkflow.Shard(parsing: "2/8") == ScreenWorkflow.Shard(parsing: "2/8"))
    for bad in ["3/2", "0/4", "1/0", "a/b", "2", "1/2/3", "", "-1/2"] {
      #expect(throws: WorkflowError.self, "\(bad)") { try ScreenWorkflow.Shard(parsing: bad) }
    }
  }

  @Test("--shard auto: a Slurm array task or a Kubernetes Indexed Job's index")
  func shardFromScheduler() throws {
    typealias Shard = ScreenWorkflow.Shard
    func slurm(_ id: Int, _ low: Int, _ high: Int, step: Int? = nil, count: Int? = nil) -> [String: String] {
      var env = ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(low)", "SLURM_ARRAY_TASK_MAX": "\(high)"]
      if let step { env["SLURM_ARRAY_TASK_STEP"] = "\(step)" }
      if let count { env["SLURM_ARRAY_TASK_COUNT"] = "\(count)" }
      return env
    }
    // --array=0-7 and --array=1-8 are the same eight shards.
    #expect(try Shard(environment: slurm(0, 0, 7, count: 8), count: nil).description == "1/8")
    #expect(try Shard(environment: slurm(8, 1, 8), count: nil).description == "8/8")
    #expect(try Shard(environment: slurm(3, 0, 7), count: 8).description == "4/8")
    // --array=0-12:4: tasks 0, 4, 8, 12.
    #expect(try Shard(environment: slurm(8, 0, 12, step: 4, count: 4), count: nil).description == "3/4")
    #expect(try Shard(environment: ["JOB_COMPLETION_INDEX": "0"], count: 3).description == "1/3")
    #expect(try Shard(environment: ["JOB_COMPLETION_INDEX": "2"], count: 3).description == "3/3")
    func refused(_ env: [String: String], count: Int? = nil, saying words: String) {
      #expect {
        try Shard(environment: env, count: count)
      } throws: { error in
        guard case WorkflowError.usage(let message) = error else { return false }
        return message.contains(words)
      }
    }
    refused([:], saying: "neither SLURM_ARRAY_TASK_ID")
    refused(slurm(5, 1, 5, count: 3), saying: "give it as a range")  // --array=1,3,5
    refused(slurm(2, 0, 12, step: 4), saying: "does not lie on the array")
    refused(slurm(3, 0, 7), count: 4, saying: "--shard-count 4 but the Slurm array has 8")
    refused(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_MAX": "3"], saying: "should be a whole number, found 'x'")
    refused(["SLURM_ARRAY_TASK_ID": "1"], saying: "SLURM_ARRAY_TASK_MAX is not")
    refused(["JOB_COMPLETION_INDEX": "1"], saying: "needs --shard-count")
    refused(["JOB_COMPLETION_INDEX": "3"], count: 3, saying: "outside 0..<3")
  }

  @Test("shards tile the list in whole blocks, block counts differing by at most one; empty only beyond the block count")
  func shardsPartitionTheCandidates() throws {
    for blockSize in [4, ScreenWorkflow.blockSize] {
      for total in [0, 1, 3, 4, 5, 7, 100, 255, 256, 257, 1606, 5000] {
        let blocks = (total + blockSize - 1) / blockSize
        for n in [1, 2, 3, 5, 7, blocks + 2] {
          let ranges = try (1...n).map { try ScreenWorkflow.Shard(parsing: "\($0)/\(n)").range(of: total, blockSize: blockSize) }
          #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == total)
          for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
          for r in ranges { #expect([r.lowerBound, r.upperBound].allSatisfy { $0 % blockSize == 0 || $0 == total }) }
          let blockCounts = ranges.map { ($0.count + blockSize - 1) / blockSize }
          #expect(blockCounts.max()! - blockCounts.min()! <= 1, "\(total) in \(n): \(ranges)")
          #expect(ranges.filter(\.isEmpty).count == max(0, n - blocks), "\(total) in \(n): \(ranges)")
        }
      }
    }
  }

  static func record(_ shard: Int, of shards: Int, _ range: Range<Int>, records: Int, input: String = "in", ranker: String = "rk", cpu: String = "cpu")
    -> ShardRecord
  {
    ShardRecord(
      shard: shard, shards: shards, reviewID: "r", records: records, first: range.lowerBound, end: range.upperBound,
      blockSize: 256, inputDigest: input, rankerDigest: ranker, ranker: "test ranker",
      platform: ComputePlatform(cpu: cpu, kernels: "avx2", openBLASCore: "Zen"), csmedVersion: "test")
  }

  /// A ranking CSV and, unless `record` is nil, its shard record beside it.
  static func write(_ text: String, _ record: ShardRecord?) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("shard-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    try record?.write(besides: url)
    return url
  }

  static let header = "review_id,document_id,rank,score,title,label\n"

  @Test("merge orders by score, then shard, then rank, whatever order the files come in")
  func mergeOrdersByScoreThenShardThenRank() throws {
    let a = try Self.write(Self.header + "r,a1,1,0.9,\"A, one\",1\nr,a2,2,0.5,A two,0\nr,a3,3,-inf,,\n", Self.record(1, of: 2, 0..<3, records: 5))
    let b = try Self.write(Self.header + "r,b1,1,0.7,B one,0\nr,b2,2,0.5,B two,1\n", Self.record(2, of: 2, 3..<5, records: 5))
    for files in [[a, b], [b, a]] {
      let merged = try MergeWorkflow.merge(files)
      #expect(merged.warnings.isEmpty)
      #expect(merged.ranked.order.map { merged.ranked.documentIDs[$0] } == ["a1", "b1", "a2", "b2", "a3"])
      #expect(merged.ranked.emptyRecords == 1)
      let text = try ScreenWorkflow.render(merged.ranked, format: .ranking, tag: "t")
      #expect(text.contains("r,a3,5,-inf,,\n"))
      #expect(text.contains("r,a1,1,0.9,\"A, one\",1\n"))
    }
  }

  func message(_ files: [URL]) -> String {
    do {
      _ = try MergeWorkflow.merge(files)
      Issue.record("merge accepted \(files.map(\.lastPathComponent))")
      return ""
    } catch {
      return "\(error)"
    }
  }

  @Test("merge refuses shards without records, of other inputs or rankers, missing, repeated or cut short")
  func mergeRejectsBadShards() throws {
    let rows = Self.header + "r,a,1,0.5,,\n"
    let one = try Self.write(rows, Self.record(1, of: 2, 0..<1, records: 2))
    let two = try Self.write(Self.header + "r,b,1,0.4,,\n", Self.record(2, of: 2, 1..<2, records: 2))
    #expect(message([one, try Self.write(rows, nil)]).contains("has no shard record"))
    #expect(message([one, try Self.write(rows, Self.record(2, of: 2, 1..<2, records: 2, input: "other"))]).contains("different inputs"))
    #expect(message([one, try Self.write(rows, Self.record(2, of: 2, 1..<2, records: 2, ranker: "other"))]).contains("ranked differently"))
    #expect(message([one]).contains("missing shard(s) 2/2"))
    #expect(message([one, two, try Self.write(rows, Self.record(2, of: 2, 1..<2, records: 2))]).contains("given twice"))
    #expect(message([one, try Self.write(Self.header, Self.record(2, of: 2, 1..<2, records: 2))]).contains("cut short"))
    #expect(message([one, try Self.write(Self.header + "r,a,1,0.4,,\n", Self.record(2, of: 2, 1..<2, records: 2))]).contains("already in an earlier shard"))
    #expect(message([try Self.write(Self.header + "r,c,1,high,,\n", Self.record(1, of: 1, 0..<1, records: 1))]).contains("line 2"))
    #expect(message([try Self.write("review_id,document_id,rank\nr,c,1\n", Self.record(1, of: 1, 0..<1, records: 1))]).contains("score"))
    #expect(throws: WorkflowError.self) { try MergeWorkflow.merge([URL(fileURLWithPath: "/nonexistent/shard.csv")]) }
    let corrupt = try Self.write(rows, nil)
    try Data("{not json".utf8).write(to: ShardRecord.url(besides: corrupt))
    #expect(message([corrupt]).contains("not a shard record"))
  }

  @Test("shards scored on different platforms merge with a warning")
  func mixedPlatforms() throws {
    let one = try Self.write(Self.header + "r,a,1,0.5,,\n", Self.record(1, of: 2, 0..<1, records: 2, cpu: "AMD EPYC Zen 4"))
    let two = try Self.write(Self.header + "r,b,1,0.4,,\n", Self.record(2, of: 2, 1..<2, records: 2, cpu: "AMD EPYC Zen 3"))
    let merged = try MergeWorkflow.merge([one, two])
    #expect(merged.warnings.count == 1 && merged.warnings[0].contains("2 different platforms"), "\(merged.warnings)")
  }

  @Test func recallFractionsByHand() {
    // 10 ranked, relevant at ranks 1, 4, 10 (R = 3).
    let ranking = [true, false, false, true, false, false, false, false, false, true]
    let f = RecallFractions.compute([ranking, [false, true]])
    // recall 0.5 needs ⌈1.5⌉ = 2 relevant: rank 4 of 10; recall 0.6: ⌈1.8⌉ = 2; 0.7: ⌈2.1⌉ = 3 → rank 10.
    #expect(f["0.50"] == [0.4, 1.0])
    #expect(f["0.60"] == [0.4, 1.0])
    #expect(f["0.70"] == [1.0, 1.0])
    #expect(f["1.00"] == [1.0, 1.0])
    // No relevant document: no estimate from that review.
    #expect(RecallFractions.compute([[false, false]]).isEmpty)
  }
}
