import Foundation
import Testing

@testable import Workflows

@Suite struct ShardMergeTests {
  @Test func shardSpecsAreValidated() throws {
    #expect(try ScreenWorkflow.Shard(parsing: "2/8") == ScreenWorkflow.Shard(parsing: "2/8"))
    for bad in ["3/2", "0/4", "1/0", "a/b", "2", "1/2/3", "", "-1/2"] {
      #expect(throws: WorkflowError.self, "\(bad)") { try ScreenWorkflow.Shard(parsing: bad) }
    }
  }

  @Test func shardsPartitionTheCandidates() throws {
    for total in [0, 1, 7, 100, 1606] {
      for n in 1...5 {
        let ranges = try (1...n).map { try ScreenWorkflow.Shard(parsing: "\($0)/\(n)").range(of: total) }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == total)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
      }
    }
  }

  static func write(_ text: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("shard-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    return url
  }

  @Test func mergeOrdersByScoreThenShardThenRank() throws {
    let a = try Self.write("review_id,document_id,rank,score,title,label\nr,a1,1,0.9,\"A, one\",1\nr,a2,2,0.5,A two,0\nr,a3,3,-inf,,\n")
    let b = try Self.write("review_id,document_id,rank,score,title,label\nr,b1,1,0.7,B one,0\nr,b2,2,0.5,B two,1\n")
    let merged = try MergeWorkflow.merge([a, b])
    #expect(merged.order.map { merged.documentIDs[$0] } == ["a1", "b1", "a2", "b2", "a3"])
    #expect(merged.emptyRecords == 1)
    let text = ScreenWorkflow.render(merged, format: .csv, tag: "t")
    #expect(text.contains("r,a3,5,-inf,,\n"))
    #expect(text.contains("r,a1,1,0.9,\"A, one\",1\n"))
  }

  @Test func mergeRejectsBadShards() throws {
    let good = try Self.write("review_id,document_id,rank,score\nr,a,1,0.5\n")
    let duplicate = try Self.write("review_id,document_id,rank,score\nr,a,1,0.4\n")
    let other = try Self.write("review_id,document_id,rank,score\nq,b,1,0.4\n")
    let noScore = try Self.write("review_id,document_id,rank\nr,c,1\n")
    let badScore = try Self.write("review_id,document_id,rank,score\nr,c,1,high\n")
    #expect(throws: WorkflowError.self) { try MergeWorkflow.merge([good, duplicate]) }
    #expect(throws: WorkflowError.self) { try MergeWorkflow.merge([good, other]) }
    #expect(throws: WorkflowError.self) { try MergeWorkflow.merge([noScore]) }
    do {
      _ = try MergeWorkflow.merge([badScore])
      Issue.record("a bad score was accepted")
    } catch let error as WorkflowError {
      #expect("\(error)".contains("line 2"))
    }
    #expect(throws: WorkflowError.self) { try MergeWorkflow.merge([URL(fileURLWithPath: "/nonexistent/shard.csv")]) }
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
