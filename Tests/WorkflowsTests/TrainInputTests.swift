import Adapters
import Corpus
import Foundation
import Ingest
import Synchronization
import Testing
import TestSupport

@testable import Workflows

/// `train --input`: a reviewer's own labelled records train a screener that ranks the rest.
@Suite struct TrainInputTests {
  /// 10 included statin-myopathy records, 30 excluded on other topics, then 10 unlabelled of each kind.
  static func export(in folder: URL, included: Int = 10, excluded: Int = 30) throws -> URL {
    let relevant = ["statin myopathy and creatine kinase", "muscle pain on simvastatin", "rhabdomyolysis with atorvastatin",
                    "statin-associated muscle symptoms", "myalgia in patients taking statins"]
    let other = ["gardening and wellbeing", "beta blockers after infarction", "vitamin d and bone density",
                 "exercise in heart failure", "asthma inhalers in children", "sleep and shift work"]
    var records: [Record] = []
    for i in 0..<included { records.append(Record(sourceID: "inc\(i)", title: "\(relevant[i % 5]) \(i)", abstract: "We studied \(relevant[(i + 2) % 5]).", label: 1)) }
    for i in 0..<excluded { records.append(Record(sourceID: "exc\(i)", title: "\(other[i % 6]) \(i)", abstract: "A trial of \(other[(i + 3) % 6]).", label: 0)) }
    for i in 0..<10 { records.append(Record(sourceID: "new-rel\(i)", title: relevant[(i + 1) % 5], abstract: "Cohort of \(relevant[(i + 3) % 5]).")) }
    for i in 0..<10 { records.append(Record(sourceID: "new-oth\(i)", title: other[(i + 1) % 6], abstract: "Survey of \(other[(i + 4) % 6]).")) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent("labelled.csv")
    try Data(CSVWriter.write(records).utf8).write(to: url)
    return url
  }

  @Test("a stratified, seeded share of each label held out; unlabelled records left to screen")
  func split() throws {
    let folder = try TestSupport.temporaryDirectory()
    let file = TrainWorkflow.LabelledFile(url: try Self.export(in: folder), title: "Statins and muscle symptoms", validFraction: 0.25)
    let warnings = Mutex<[String]>([])
    let (train, valid) = try ScreeningData.labelled(file, view: .titleAbstract, seed: 42) { event in
      if case .warning(let text) = event { warnings.withLock { $0.append(text) } }
    }
    #expect(train.count == 1 && valid.count == 1)
    #expect(train[0].labels.filter { $0 == 1 }.count == 7 && train[0].labels.filter { $0 == 0 }.count == 22)
    #expect(valid[0].labels.filter { $0 == 1 }.count == 3 && valid[0].labels.filter { $0 == 0 }.count == 8)
    #expect(train[0].key == "labelled" && valid[0].key == "labelled (held out)" && train[0].query == "Statins and muscle symptoms")
    #expect(Set(train[0].texts).isDisjoint(with: valid[0].texts))
    #expect(warnings.withLock { $0 } == ["20 record(s) have no label: not used for training (rank them with `csmed screen --model`)"])
    // The same seed draws the same share.
    let again = try ScreeningData.labelled(file, view: .titleAbstract, seed: 42) { _ in }
    #expect(again.valid[0].texts == valid[0].texts)
    let none = try ScreeningData.labelled(
      TrainWorkflow.LabelledFile(url: file.url, title: file.title), view: .titleAbstract, seed: 42) { _ in }
    #expect(none.train[0].labels.count == 40 && none.valid.isEmpty)
  }

  @Test("train --input, then screen --model ranks the unlabelled statin records above the others",
    arguments: [ScreenerKind.tfidfLR, .tfidfSVM, .hybridLR])
  func trainThenScreen(kind: ScreenerKind) throws {
    let folder = try TestSupport.temporaryDirectory()
    let url = try Self.export(in: folder)
    // The embedding models read a tiny random BERT: their TF-IDF block must carry the ranking.
    let base = kind.needsBase ? try PEFTTests.tinyBase() : folder
    var options = TrainWorkflow.Options(
      input: .init(url: url, title: "Statins and muscle symptoms", validFraction: 0.25), base: base,
      output: folder.appendingPathComponent("screener"))
    options.kind = kind
    options.maxLength = 32
    let report = try TrainWorkflow.run(options)
    #expect(report.validation["wss@95"] != nil)
    let manifest = try ScreenerManifest.load(directory: options.output)
    #expect(manifest.trainedOn == ["labelled"] && manifest.kind == kind)
    #expect((manifest.base != nil) == kind.needsBase && manifest.reads == kind.textView)
    #expect(try ScreenWorkflow.cutoff(targetRecall: 0.95, screener: options.output, count: 60).validationReviews == 1)
    let ranked = try ScreenWorkflow.screen(ScreenWorkflow.Options(
      source: .file(url, title: "Statins and muscle symptoms", criteria: nil), ranker: .trained(options.output), base: base))
    let order = ranked.order.map { ranked.documentIDs[$0] }.filter { !$0.hasPrefix("inc") && !$0.hasPrefix("exc") }
    #expect(order.prefix(10).allSatisfy { $0.hasPrefix("new-rel") }, "\(order)")
  }

  @Test("embed-lr: trained on the base model's embeddings, refused on another base; a record without text scores as the average")
  func embeddingScreener() throws {
    let folder = try TestSupport.temporaryDirectory()
    let url = try Self.export(in: folder)
    let base = try PEFTTests.tinyBase(), other = try PEFTTests.tinyBase(seed: 8)
    var options = TrainWorkflow.Options(
      input: .init(url: url, title: "Statins and muscle symptoms"), base: base, output: folder.appendingPathComponent("embed-lr"))
    options.kind = .embedLR
    options.maxLength = 32
    _ = try TrainWorkflow.run(options)
    let screener = try TrainedScreener.load(directory: options.output, base: base)
    let texts = ["trial of the hip fracture", "", "children safety study"]
    let scores = try screener.scores(query: "q", texts: texts)
    #expect(scores.count == 3 && scores.allSatisfy(\.isFinite))
    #expect(abs(scores[1] - (scores[0] + scores[2]) / 2) < 1e-12)
    // Trained twice under the same seed: the same scores.
    let again = try TrainedScreener.load(directory: try { _ = try TrainWorkflow.run(options); return options.output }(), base: base)
    #expect(try again.scores(query: "q", texts: texts) == scores)
    #expect(throws: AdapterError.self) { try TrainedScreener.load(directory: options.output, base: other) }
    #expect(throws: WorkflowError.self) { try TrainedScreener.load(directory: options.output, base: nil) }
  }

  @Test("labels of one kind only, too few to hold out, or no review title: a clear error")
  func refused() throws {
    let folder = try TestSupport.temporaryDirectory()
    func message(_ file: TrainWorkflow.LabelledFile) -> String? {
      do { _ = try ScreeningData.labelled(file, view: .titleAbstract, seed: 1) { _ in }; return nil } catch WorkflowError.usage(let m) {
        return m
      } catch { return "\(error)" }
    }
    let onlyExcluded = try Self.export(in: folder.appendingPathComponent("a"), included: 0)
    #expect(message(.init(url: onlyExcluded, title: "T"))?.contains("found 0 included and 30 excluded") == true)
    let oneIncluded = try Self.export(in: folder.appendingPathComponent("b"), included: 1)
    #expect(message(.init(url: oneIncluded, title: "T", validFraction: 0.2))?.contains("only 1 included record(s)") == true)
    #expect(message(.init(url: oneIncluded, title: "T")) == nil)
    #expect(message(.init(url: oneIncluded, title: " "))?.contains("--review-title") == true)
    #expect(message(.init(url: oneIncluded, title: "T", validFraction: 1))?.contains("[0, 1)") == true)
  }
}
