import Corpus
import Encoder
import Text
import Foundation
import Synchronization
import Testing
import TestSupport

@testable import Workflows

@Suite struct ScreenWorkflowTests {
  static let model = TestSupport.repositoryRoot().appendingPathComponent("data/models/all-MiniLM-L6-v2")
  static var hasModel: Bool { FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path) }

  static func export() throws -> URL {
    let csv = """
      record_id,title,abstract,label_included
      1,Beta blockers after myocardial infarction,Mortality outcomes in a cohort.,0
      2,Statin-associated muscle symptoms,Myopathy and creatine kinase elevation with statins.,1
      3,Gardening and wellbeing,A qualitative interview study.,0
      4,Rhabdomyolysis with high-dose statins,Case series of muscle injury.,1
      5,,,0

      """
    return try TestSupport.write(csv, to: "export.csv", in: try TestSupport.temporaryDirectory())
  }

  @Test("BM25 ranks the records that share the query's words first; output reads back as a run")
  func bm25() throws {
    let ranked = try ScreenWorkflow.screen(.init(source: .file(try Self.export(), title: "statins muscle", criteria: nil), ranker: .zeroShot(.bm25), base: Self.model))
    #expect(Set(ranked.order.prefix(2)) == [1, 3])
    #expect(ranked.order.last == 4 && ranked.emptyRecords == 1)
    let csv = try ScreenWorkflow.render(ranked, format: .ranking, tag: "t")
    #expect(csv.hasPrefix("review_id,document_id,rank,score,title,label\nexport,"))
    // The record without text is ranked last with score -inf.
    #expect(csv.hasSuffix(",5,-inf,,0\n"))
    let trec = try ScreenWorkflow.render(ranked, format: .trec, tag: "t")
    #expect(trec.split(separator: "\n").first?.split(separator: " ").count == 6)
  }

  @Test("a missing query is a usage error")
  func noQuery() throws {
    #expect(throws: WorkflowError.self) {
      _ = try ScreenWorkflow.screen(.init(source: .file(try Self.export(), title: nil, criteria: nil), ranker: .zeroShot(.bm25), base: Self.model))
    }
  }

  @Test("zero-shot embeddings put the statin records first", .enabled(if: hasModel, "the base model is not in data/models (run scripts/setup.sh)"))
  func embed() throws {
    let ranked = try ScreenWorkflow.screen(
      .init(source: .file(try Self.export(), title: "Statin-induced myopathy", criteria: nil), ranker: .zeroShot(.embed), base: Self.model))
    #expect(Set(ranked.order.prefix(2)) == [1, 3])
    #expect(ranked.scores.allSatisfy { ($0 >= -1 && $0 <= 1.0001) || $0 == -.infinity })
    let tokens = try ScreenWorkflow.tokenize(["Statins and myopathy: a review"], base: Self.model, maxLength: nil)
    #expect(tokens == [[101, 28093, 7076, 1998, 2026, 29477, 16921, 1024, 1037, 3319, 102]])
  }

  @Test("the zero-shot embedding reads a record's keywords, BM25 does not", .enabled(if: hasModel, "the base model is not in data/models"))
  func keywords() throws {
    // Two records alike but for the second one's MeSH terms, which name the query's topic.
    let ris = """
      TY  - JOUR
      TI  - Adverse events in a cohort of older adults
      AB  - Outcomes were collected over five years.
      ER  - 

      TY  - JOUR
      TI  - Adverse events in a cohort of older adults
      AB  - Outcomes were collected over five years.
      KW  - Statins
      KW  - Myopathy
      KW  - Rhabdomyolysis
      ER  - 

      """
    let file = try TestSupport.write(ris, to: "mesh.ris", in: try TestSupport.temporaryDirectory())
    func ranked(_ ranker: ScreenWorkflow.ZeroShot) throws -> ScreenWorkflow.Ranked {
      try ScreenWorkflow.screen(.init(source: .file(file, title: "Statin-induced myopathy", criteria: nil), ranker: .zeroShot(ranker), base: Self.model))
    }
    let embed = try ranked(.embed)
    #expect(embed.order == [1, 0] && embed.scores[1] > embed.scores[0] + 0.05, "\(embed.scores)")
    let bm25 = try ranked(.bm25)
    #expect(bm25.scores[0] == bm25.scores[1] && bm25.order == [0, 1], "ties keep source order: \(bm25.scores)")
  }

  @Test("full texts are cut into windows of the maximum length and pooled", .enabled(if: hasModel, "the base model is not in data/models"))
  func chunkPooling() throws {
    let tokenizer = try BertTokenizer(vocabularyURL: Self.model.appendingPathComponent("vocab.txt"))
    let short = "Statin-associated muscle symptoms"
    let one = ChunkPooling.encodings(short, tokenizer: tokenizer, maxLength: 16)
    #expect(one == [try tokenizer.encode(short, maxLength: 16)])
    let long = Array(repeating: "statins cause muscle pain in some patients", count: 20).joined(separator: " ")
    let ids = tokenizer.tokenIDs(long)
    let windows = ChunkPooling.encodings(long, tokenizer: tokenizer, maxLength: 16)
    #expect(windows.count == (ids.count + 13) / 14)
    #expect(windows.allSatisfy { $0.count <= 16 && $0.inputIDs.first == tokenizer.classID && $0.inputIDs.last == tokenizer.separatorID })
    #expect(windows.flatMap { $0.inputIDs.dropFirst().dropLast() } == ids)
    #expect(ChunkPooling.encodings(long, tokenizer: tokenizer, maxLength: 16, maxChunks: 3).count == 3)
    // One window: the pooled cosine is the plain one.
    let embedder = try SentenceEmbedder(directory: Self.model)
    let q = try embedder.embed(["statin myopathy"])[0]
    let plain = try embedder.embed([short])[0]
    let pooled = try ChunkPooling.cosines(query: q, texts: [short], embedder: embedder, tokenizer: tokenizer, maxLength: 256, progress: { _ in })
    #expect(abs(pooled[0] - Double(zip(plain, q).reduce(Float(0)) { $0 + $1.0 * $1.1 })) < 1e-5)
  }

  /// `count` records of random words as RIS (streamed) and CSV (read whole), the same records.
  static func sameList(count: Int) throws -> (ris: URL, csv: URL) {
    let words = ["statin", "muscle", "myopathy", "trial", "cohort", "diet", "pain", "kinase", "dose", "placebo"]
    var generator = SplitMix64(seed: 7)
    var ris = "", csv = "record_id,title,abstract,label_included\n"
    for i in 1...count {
      let title = (0..<3).map { _ in words[Int(generator.next() % 10)] }.joined(separator: " ")
      let abstract = (0..<Int(generator.next() % 12)).map { _ in words[Int(generator.next() % 10)] }.joined(separator: " ")
      let label = i % 9 == 0 ? 1 : 0
      ris += "TY  - JOUR\nID  - \(i)\nTI  - \(title)\nAB  - \(abstract)\nLB  - \(label)\nER  - \n\n"
      csv += "\(i),\(title),\(abstract),\(label)\n"
    }
    let directory = try TestSupport.temporaryDirectory()
    return (try TestSupport.write(ris, to: "list.ris", in: directory), try TestSupport.write(csv, to: "list.csv", in: directory))
  }

  @Test("a streamed RIS list, longer than one block, ranks exactly as the same list read whole")
  func streamedEqualsWhole() throws {
    let files = try Self.sameList(count: ScreenWorkflow.blockSize + 300)
    #expect(try ScreenInput(.file(files.ris, title: nil, criteria: nil)).count == ScreenWorkflow.blockSize + 300)
    func screen(_ url: URL) throws -> ScreenWorkflow.Ranked {
      try ScreenWorkflow.screen(.init(source: .file(url, title: "statin myopathy", criteria: nil), ranker: .zeroShot(.bm25), base: Self.model))
    }
    let streamed = try screen(files.ris), whole = try screen(files.csv)
    #expect(streamed.scores == whole.scores)
    #expect(streamed.order == whole.order)
    #expect(streamed.documentIDs == whole.documentIDs && streamed.labels == whole.labels && streamed.titles == whole.titles)
  }

  @Test("shards of a streamed list hold whole blocks and score them exactly as the whole list does")
  func streamedShards() throws {
    let folder = try TestSupport.temporaryDirectory()
    let tiny = folder.appendingPathComponent("tiny")
    try TinyBert.write(to: tiny, seed: 3)
    var generator = SplitMix64(seed: 5)
    func phrase(_ n: Int) -> String { (0..<n).map { _ in TinyBert.words[Int(generator.next() % UInt64(TinyBert.words.count))] }.joined(separator: " ") }
    let count = 2 * ScreenWorkflow.blockSize + 40
    let ris = (1...count).map { "TY  - JOUR\nID  - \($0)\nTI  - \(phrase(3))\nAB  - \(phrase(Int(generator.next() % 30)))\nER  - \n" }
    let file = try TestSupport.write(ris.joined(separator: "\n"), to: "list.ris", in: folder)
    var options = ScreenWorkflow.Options(
      source: .file(file, title: "stimulant trial in children", criteria: nil), ranker: .zeroShot(.embed), base: tiny)
    options.maxLength = 32
    let whole = try ScreenWorkflow.screen(options)
    #expect(whole.shard == nil)
    for n in [2, 7] {
      var ids: [String] = [], scores: [Double] = [], records: [ShardRecord] = []
      let warnings = Mutex<[String]>([])
      for i in 1...n {
        options.shard = try .init(parsing: "\(i)/\(n)")
        let part = try ScreenWorkflow.screen(options) { event in
          if case .warning(let w) = event { warnings.withLock { $0.append(w) } }
        }
        ids += part.documentIDs
        scores += part.scores
        records.append(try #require(part.shard))
      }
      // Three blocks: two shards hold 2 + 1 of them; seven leave four empty, and say so.
      let ends = n == 2 ? [512, count] : [256, 256, 512, 512, count, count, count]
      #expect(records.map(\.end) == ends, "\(records.map(\.end))")
      let empty = warnings.withLock { $0.filter { $0.contains("is empty") } }
      #expect(empty.count == (n == 2 ? 0 : 4), "\(empty)")
      #expect(Set(records.map(\.inputDigest)).count == 1 && Set(records.map(\.rankerDigest)).count == 1)
      #expect(ids == whole.documentIDs)
      // Exact by construction: the same blocks, the same batches, the same arithmetic.
      #expect(scores == whole.scores)
    }
    // Another maximum length is another ranker.
    let digest = try #require(try ScreenWorkflow.screen(options).shard?.rankerDigest)
    options.maxLength = 24
    let shorter = try #require(try ScreenWorkflow.screen(options).shard?.rankerDigest)
    #expect(shorter != digest)
    // So is another precision: int8 shards must not merge with fp32 ones.
    options.precision = .int8
    #expect(try ScreenWorkflow.screen(options).shard?.rankerDigest != shorter)
  }
}
