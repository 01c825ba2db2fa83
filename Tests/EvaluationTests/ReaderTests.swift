import Foundation
import Testing

@testable import Evaluation

@Suite("RunReader and QrelsReader")
struct ReaderTests {
  @Test("auto-detects csmed CSV, TREC and CLEF runs from the first line")
  func detection() throws {
    #expect(try RunReader.detectFormat(of: "review_id,document_id,rank,score\n", file: "a") == .csv)
    #expect(try RunReader.detectFormat(of: "\nT Q0 d 1 2.0 tag\n", file: "a") == .trec)
    #expect(try RunReader.detectFormat(of: "T 0 d 1 2.0 tag\n", file: "a") == .clef)
    #expect(try RunReader.detectFormat(of: "T NS d 1 2.0 tag\n", file: "a") == .clef)
  }

  @Test("csmed CSV: RFC 4180 quotes, extra columns, rows ordered by rank")
  func csv() throws {
    let run = try RunReader.read(
      """
      review_id,title,document_id,rank,score
      R1,"Cancer, ""screening"" trial",d2,2,0.5
      R1,"multi
      line",d1,1,0.9
      R2,x,d9,1,1e-3\r
      """, file: "ranking.csv")
    #expect(run.format == .csv)
    #expect(run.rankings.map(\.reviewID) == ["R1", "R2"])
    #expect(run.rankings[0].documents.map(\.documentID) == ["d1", "d2"])
    #expect(run.rankings[0].documents[0].line == 3)
    #expect(run.rankings[1].documents[0].score == 0.001)
  }

  @Test("CLEF run: file order kept, actions parsed")
  func clefRun() throws {
    let run = try RunReader.read("T 0 b 2 0.1 x\nT 1 a 1 0.9 x\nU AF c 1 -1 x\n", file: "run.clef")
    #expect(run.rankings[0].documents.map(\.documentID) == ["b", "a"])
    #expect(run.rankings[0].documents.map(\.action) == [.unmarked, .threshold])
    #expect(run.rankings[1].documents[0].action == .activeFeedback)
  }

  @Test("qrels: grades, padding, repeated documents keep the last grade")
  func qrels() throws {
    let labels = try QrelsReader.read(
      "T1  0  a  1\nT1 0 b 0\nT1\t0\tc\t2\nT1 0 d 3\nT1 0 e -1\nT1 0 b 1\nT2 0 x 0\n", file: "q")
    let t1 = try #require(labels["T1"])
    #expect(t1.relevant == ["a", "b", "c"])
    #expect(t1.candidateCount == 3)  // d (3) and e (-1) are not candidates
    #expect(t1.candidates == ["a", "b", "c", "d", "e"])
    #expect(labels["T2"]?.relevantCount == 0)
  }

  @Test("rels-only qrels are completed from the topics' PIDs with grade 0")
  func relsOnly() throws {
    let topic = (topicID: "CD007431", pids: ["111", "222", "333"])
    let labels = try QrelsReader.read(
      "CD007431 0 222 1\n", file: "rels.txt",
      completingWith: [topic.topicID: topic.pids, "CD000001": ["9"]])
    #expect(labels["CD007431"]?.candidateCount == 3)
    #expect(labels["CD007431"]?.relevant == ["222"])
    #expect(labels["CD007431"]?.grades["111"] == 0)
    #expect(labels["CD000001"]?.relevantCount == 0)
  }
}
