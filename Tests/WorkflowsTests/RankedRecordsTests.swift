import Corpus
import Foundation
import Ingest
import Testing
import TestSupport

@testable import Workflows

/// `screen --format ris|csv`: the records themselves, every field kept, in rank order.
@Suite struct RankedRecordsTests {
  static let records: [Record] = [
    Record(
      sourceID: "r1", pmid: "1234567", doi: "10.1000/one", title: "Gardening and wellbeing",
      abstract: "A qualitative interview study.", year: 2001, authors: ["Smith, John", "Doe, Jane"], venue: "Journal of Gardens",
      keywords: ["gardens", "wellbeing"], label: 0),
    Record(
      sourceID: "r2", pmid: "2345678", doi: "10.1000/two", title: "Statin-associated muscle symptoms",
      abstract: "Myopathy and creatine kinase elevation with statins.\nA second line, with \"quotes\", and a comma.", year: 2015,
      authors: ["Müller, Anna"], venue: "Muscle & Nerve", keywords: ["statins", "myopathy"], label: 1),
    Record(sourceID: "r3", title: "Rhabdomyolysis with high-dose statins", abstract: "Case series of muscle injury.", year: 2019, label: 1),
    Record(sourceID: "r4", title: "Beta blockers", abstract: "Mortality outcomes.", authors: ["Lee, K"], label: nil),
  ]

  func screen(format: ScreenWorkflow.RankingFormat) throws -> (ScreenWorkflow.Ranked, String) {
    let folder = try TestSupport.temporaryDirectory()
    let input = folder.appendingPathComponent("export.ris")
    try RISWriter.write(Self.records, to: input)
    var options = ScreenWorkflow.Options(
      source: .file(input, title: "statins muscle", criteria: nil), ranker: .zeroShot(.bm25), base: folder)
    options.keepRecords = format.needsRecords
    let ranked = try ScreenWorkflow.screen(options)
    return (ranked, try ScreenWorkflow.render(ranked, format: format, tag: "csmed-bm25"))
  }

  /// The input records in the screen's rank order, as a reader gives them back (no line).
  func expected(_ ranked: ScreenWorkflow.Ranked) -> [Record] {
    ranked.order.map { var r = Self.records[$0]; r.line = 0; return r }
  }

  @Test("RIS: every record back in rank order with all its fields, rank and score in N1, C1 and C2")
  func ris() throws {
    let (ranked, text) = try screen(format: .ris)
    #expect(ranked.order.prefix(2).sorted() == [1, 2])
    let back = try RISReader.parse(text, file: "out.ris").map { var r = $0; r.line = 0; return r }
    #expect(back == expected(ranked))
    let entries = text.components(separatedBy: "ER  - \n\n").filter { !$0.isEmpty }
    #expect(entries.count == 4)
    for (position, entry) in entries.enumerated() {
      let score = ranked.scores[ranked.order[position]]
      #expect(entry.contains("C1  - \(position + 1)\n") && entry.contains("C2  - \(score)\n"), "\(entry)")
      #expect(entry.contains("N1  - csmed rank \(position + 1) of 4, score \(score) (csmed-bm25)\n"), "\(entry)")
    }
  }

  @Test("CSV: ASReview's column names first, every field, read back by csmed's reader in rank order")
  func csv() throws {
    let (ranked, text) = try screen(format: .csv)
    #expect(text.hasPrefix("record_id,title,abstract,authors,year,doi,keywords,included,pmid,journal,rank,score\n"))
    let back = try TabularRecordReader.parse(Data(text.utf8), file: "out.csv").map { var r = $0; r.line = 0; return r }
    #expect(back == expected(ranked))
    let rows = try DelimitedText.rows(in: text).dropFirst()
    #expect(rows.map { $0.fields[10] } == ["1", "2", "3", "4"])
    #expect(rows.map { Double($0.fields[11]) } == ranked.order.map { ranked.scores[$0] })
  }

  /// Whether `python3` can import rispy (CI installs it; elsewhere the test says it skipped).
  static let hasRispy: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import rispy"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }()

  @Test("RIS read back by rispy, ASReview's RIS library: every field, rank and score", .enabled(if: hasRispy, "python3 cannot import rispy (pip install rispy)"))
  func rispy() throws {
    let (ranked, text) = try screen(format: .ris)
    let file = try TestSupport.write(text, to: "ranked.ris", in: try TestSupport.temporaryDirectory())
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", TestSupport.repositoryRoot().appendingPathComponent("scripts/rispy_readback.py").path, file.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0)
    let entries = try String(decoding: output, as: UTF8.self).split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    let expected = expected(ranked)
    #expect(entries.count == expected.count)
    func collapsed(_ text: String?) -> String { (text ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ") }
    for (position, (entry, record)) in zip(entries, expected).enumerated() {
      #expect(entry["id"] as? String == record.sourceID)
      #expect(entry["title"] as? String == record.title)
      #expect(collapsed(entry["abstract"] as? String) == collapsed(record.abstract))
      #expect(entry["authors"] as? [String] ?? [] == record.authors)
      #expect(entry["doi"] as? String == record.doi)
      #expect(entry["keywords"] as? [String] ?? [] == record.keywords)
      #expect((entry["year"] as? String).flatMap { Int($0) } == record.year)
      #expect(entry["rank"] as? String == String(position + 1))
      #expect((entry["score"] as? String).flatMap(Double.init) == ranked.scores[ranked.order[position]])
    }
  }

  @Test("the records are kept only when asked, and a records format without them is refused")
  func keptOnlyWhenAsked() throws {
    let (ranked, _) = try screen(format: .ranking)
    #expect(ranked.records == nil)
    #expect(throws: WorkflowError.self) { _ = try ScreenWorkflow.render(ranked, format: .ris, tag: "t") }
  }
}
