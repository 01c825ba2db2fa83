import Corpus
import Foundation
import Encoder
import Adapters
import Ingest
@testable import Screening
import Text
import Testing
import TestSupport

@testable import Workflows

@Suite struct SimulateWorkflowTests {
  /// 60 records: 9 about statins and muscle (included), the rest about other drugs.
  static func review() throws -> URL {
    var csv = "record_id,title,abstract,label_included\n"
    for index in 1...60 {
      let included = index % 7 == 3 && index < 60
      let title = included ? "Statin myopathy risk \(index)" : "Beta blocker outcome \(index)"
      let abstract = included ? "Muscle pain and creatine kinase with statins." : "Blood pressure and heart rate in trial \(index)."
      csv += "\(index),\(title),\(abstract),\(included ? 1 : 0)\n"
    }
    return try TestSupport.write(csv, to: "review.csv", in: try TestSupport.temporaryDirectory())
  }

  @Test("every record is ordered once; the model finds the easy includes early; stopping rules report")
  func simulate() throws {
    let result = try SimulateWorkflow.run(.init(source: .file(try Self.review(), title: "Statins", criteria: nil), model: .tfidfNB))
    let run = try #require(result.runs.first)
    #expect(run.steps.count == 60 && Set(run.steps.map(\.record)).count == 60)
    // File order until both classes are seen (record 3 is the first include), then the model.
    #expect(run.steps.prefix(3).map(\.source) == [.coldStart, .coldStart, .coldStart])
    let lastInclude = try #require(run.steps.lastIndex { $0.label })
    #expect(lastInclude == 10, "after 2 cold-start records and the first include, the model finds the other 8 at once")
    #expect(run.steps[(lastInclude + 1)...].allSatisfy { $0.source == .tail })
    #expect(run.evaluation.mean(named: "wss@100").map { $0 > 0.7 } == true)
    #expect(run.stopping.outcomes.map(\.rule) == ["consecutive:100", "knee", "budget", "target:10", "hypergeometric:0.95", "fraction:0.5"])
    let csv = SimulateWorkflow.orderCSV(result)
    let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    #expect(rows.count == 60 && Set(rows.map { $0[2] }).count == 60)
    #expect(rows[2][2] == "3" && rows[2][3] == "1" && rows[2][5] == "cold_start")
  }

  @Test("seeds change random priors and warm starts, not a deterministic file-order run; reliability aggregates")
  func seeds() throws {
    let file = try Self.review()
    let fixed = try SimulateWorkflow.run(.init(source: .file(file, title: nil, criteria: nil), model: .tfidfLR, seeds: 2))
    #expect(fixed.runs[0].steps.map(\.record) == fixed.runs[1].steps.map(\.record))
    let random = try SimulateWorkflow.run(
      .init(source: .file(file, title: nil, criteria: nil), model: .tfidfSVM, coldStart: .random, priorIncluded: 1, priorExcluded: 1, seeds: 3))
    #expect(random.runs.map { $0.steps.prefix(2).map(\.source) } == Array(repeating: [.prior, .prior], count: 3))
    #expect(Set(random.runs.map { $0.steps[0].record }).count > 1)
    #expect(random.reliability.first?.runs == 3)
  }

  @Test("a random warm start is reproducible under its seed")
  func determinism() throws {
    let file = try Self.review()
    let options = SimulateWorkflow.Options(source: .file(file, title: nil, criteria: nil), model: .tfidfSVM, coldStart: .random, priorIncluded: 1, priorExcluded: 2, seed: 9)
    let first = try SimulateWorkflow.run(options), second = try SimulateWorkflow.run(options)
    #expect(first.runs[0].steps == second.runs[0].steps)
  }

  @Test("a review with a single relevant record: found, WSS@100 reported, rules still answer")
  func singleRelevant() throws {
    var csv = "title,abstract,label_included\n"
    for index in 0..<30 { csv += "Record \(index),\(index == 17 ? "statin myopathy" : "blood pressure \(index)"),\(index == 17 ? 1 : 0)\n" }
    let file = try TestSupport.write(csv, to: "one.csv", in: try TestSupport.temporaryDirectory())
    let result = try SimulateWorkflow.run(.init(source: .file(file, title: nil, criteria: nil), model: .tfidfNB))
    let run = try #require(result.runs.first)
    // File order until the include appears (cold start), then nothing more to find.
    #expect(run.steps.firstIndex { $0.label } == 17)
    // asreview-insights: the random curve round(linspace(0, 1, 30)) first reaches 1 at index 15
    // (15/29 > 0.5), the ranking at index 17: WSS@100 = (15 − 17)/30.
    #expect(run.evaluation.mean(named: "wss@100").map { abs($0 - (15.0 - 17.0) / 30) < 1e-9 } == true)
    #expect(run.stopping.outcomes.count == 6)
  }

  @Test("bad requests: no includes, too many priors, an unknown stopping rule")
  func errors() throws {
    let folder = try TestSupport.temporaryDirectory()
    let none = try TestSupport.write("title,label_included\nA,0\nB,0\n", to: "none.csv", in: folder)
    #expect(throws: WorkflowError.self) { _ = try SimulateWorkflow.run(.init(source: .file(none, title: nil, criteria: nil))) }
    let file = try Self.review()
    #expect(throws: ScreeningError.self) {
      _ = try SimulateWorkflow.run(.init(source: .file(file, title: nil, criteria: nil), priorIncluded: 20))
    }
    #expect(throws: StoppingError.self) {
      _ = try SimulateWorkflow.run(.init(source: .file(file, title: nil, criteria: nil), rules: "oracle"))
    }
  }
}

@Suite struct SimulateLeakTests {
  @Test("a label-sorted candidate list is flagged for file-order warm starts")
  func sortedByLabel() throws {
    var csv = "title,label_included\n"
    for index in 0..<20 { csv += "Record \(index) \(index < 5 ? "statin" : "other"),\(index < 5 ? 1 : 0)\n" }
    let file = try TestSupport.write(csv, to: "sorted.csv", in: try TestSupport.temporaryDirectory())
    let fileOrder = try SimulateWorkflow.run(.init(source: .file(file, title: nil, criteria: nil), model: .tfidfNB))
    #expect(fileOrder.notes.contains { $0.contains("leaks the labels") })
    let random = try SimulateWorkflow.run(.init(source: .file(file, title: nil, criteria: nil), model: .tfidfNB, coldStart: .random))
    #expect(!random.notes.contains { $0.contains("leaks the labels") })
  }
}

@Suite struct SimulateFeatureTests {
  static let texts = ["the statin trial", "", "statin muscle trial", "a muscle"]
  static let embeddings: [[Float]] = [[1, 0], [0.6, 0.8], [0, 1], [0.8, 0.6]]
  static let withoutText = [false, true, false, false]

  @Test("embedding models put a record without text at the mean of the others; TF-IDF models leave it as ASReview does")
  func recordsWithoutText() throws {
    let embed = try #require(try SimulateWorkflow.classicalFeatures(
      of: Self.texts, embeddings: Self.embeddings, model: .embedLR, withoutText: Self.withoutText))
    // (1 + 0 + 0.8) / 3 and (0 + 1 + 0.6) / 3, up to the Float inputs.
    #expect(zip(embed.dense[1], [0.6, 1.6 / 3]).allSatisfy { abs($0 - $1) < 1e-7 })
    #expect(embed.dense[0] == [1, 0] && embed.dense[2] == [0, 1])
    let hybrid = try #require(try SimulateWorkflow.classicalFeatures(
      of: Self.texts, embeddings: Self.embeddings, model: .hybridLR, withoutText: Self.withoutText))
    let rows = hybrid.dense
    for column in 0..<hybrid.columnCount {
      let mean = (rows[0][column] + rows[2][column] + rows[3][column]) / 3
      #expect(abs(rows[1][column] - mean) < 1e-12)
    }
    let tfidf = try #require(try SimulateWorkflow.classicalFeatures(
      of: Self.texts, embeddings: [], model: .tfidfSVM, withoutText: Self.withoutText))
    #expect(tfidf.row(1).nonzeroCount == 0)
    #expect(SimulateWorkflow.meanFilled([0.25, 9, 0.5, 0.75], where: Self.withoutText) == [0.25, 0.5, 0.5, 0.75])
    #expect(SimulateWorkflow.meanFilled([0.2, 9], where: [true, true]) == [0.2, 9])
  }

  @Test("csmed's own models read the keywords after title and abstract; the tfidf-* models read what ASReview reads")
  func keywords() {
    let records = [
      Record(title: "Traceability in model-driven engineering", abstract: "A mapping study.",
             keywords: ["Traceability", " ", "Model transformations "]),
      Record(title: "Requirements reuse", keywords: []),
      Record(keywords: ["Security"]),
    ]
    let review = LabelledReview(
      reviewID: "t", title: "Traceability", documentIDs: ["1", "2", "3"], records: records, labels: [1, 0, 0])
    let plain = ["Traceability in model-driven engineering A mapping study.", "Requirements reuse", ""]
    let withKeywords = plain[0] + " Traceability; Model transformations"
    for model in [SimulateWorkflow.SimulationModel.embedLR, .hybridLR, .biEncoder] {
      #expect(SimulateWorkflow.texts(of: review, candidates: [0, 1, 2], model: model) == [withKeywords, plain[1], ""])
    }
    for model in [SimulateWorkflow.SimulationModel.tfidfNB, .tfidfSVM, .tfidfLR] {
      #expect(SimulateWorkflow.texts(of: review, candidates: [0, 1, 2], model: model) == plain)
    }
    // Keywords alone do not make a record with text: it is still scored as the average record.
    #expect(SimulateWorkflow.withoutText(SimulateWorkflow.texts(of: review, candidates: [2], model: .hybridLR)) == [true])
    #expect(SimulateWorkflow.texts(of: review, candidates: [1, 0], model: .embedLR) == [plain[1], withKeywords])
  }

  @Test("tfidf-embed-lr's TF-IDF drops English stop words and terms of a single record")
  func hybridVocabulary() throws {
    let (vectorizer, matrix) = try TFIDFVectorizer.fitTransform(Self.texts, configuration: SimulateWorkflow.hybridTFIDF)
    #expect(vectorizer.vocabulary == ["muscle", "statin", "trial"], "bigrams each occur in one record only; 'the', 'a' are stop words")
    #expect(matrix.columnCount == 3 && matrix.row(3).nonzeroCount == 1)
  }
}

@Suite struct SimulateEmbeddingTests {
  static let model = TestSupport.repositoryRoot().appendingPathComponent("data/models/all-MiniLM-L6-v2")
  static var hasModel: Bool { FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path) }

  @Test("embed-lr with a zero-shot warm start screens the title-like records first",
        .enabled(if: hasModel, "no base model"))
  func zeroShot() throws {
    var csv = "title,abstract,label_included\n"
    let included = [4, 11, 15]
    for index in 0..<16 {
      let text = included.contains(index) ? "Statin-induced myopathy and muscle pain,Creatine kinase in statin users \(index)" : "Gardening and sleep quality \(index),Survey of allotment holders"
      csv += "\(text),\(included.contains(index) ? 1 : 0)\n"
    }
    let file = try TestSupport.write(csv, to: "zs.csv", in: try TestSupport.temporaryDirectory())
    let result = try SimulateWorkflow.run(
      .init(source: .file(file, title: "Statins and muscle symptoms", criteria: nil), model: .embedLR, coldStart: .zeroShot, base: Self.model))
    let steps = try #require(result.runs.first?.steps)
    let firstThree = steps.prefix(3).map(\.label)
    #expect(firstThree == [true, true, true], "the three statin records come first")
    #expect(steps[0].source == .coldStart && steps[0].score != nil)
    #expect(throws: WorkflowError.self) {
      _ = try SimulateWorkflow.run(.init(source: .file(file, title: nil, criteria: nil), model: .embedLR, coldStart: .zeroShot, base: Self.model))
    }
  }

  @Test("the embedding cache returns the same vectors without the encoder's work, keyed by the texts")
  func embeddingCache() throws {
    let directory = try TestSupport.temporaryDirectory().appendingPathComponent("cache")
    let base = try PEFTTests.tinyBase()
    let embedder = try SentenceEmbedder(directory: base)
    let cache = EmbeddingCache(directory: directory)
    let texts = ["Statin-induced myopathy", "Gardening and sleep quality", ""]
    let first = try cache.embeddings(of: texts, with: embedder, base: base, progress: { _ in })
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(files.count == 1 && files[0].hasSuffix(".f32"))
    // A second call reads the file: corrupt nothing, expect identical floats.
    let second = try cache.embeddings(of: texts, with: embedder, base: base, progress: { _ in })
    #expect(first == second)
    // Other texts, other key.
    _ = try cache.embeddings(of: Array(texts.prefix(2)), with: embedder, base: base, progress: { _ in })
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 2)
    // A truncated file is not trusted: recomputed and rewritten.
    let path = directory.appendingPathComponent(files[0])
    try Data([1, 2, 3]).write(to: path)
    #expect(try cache.embeddings(of: texts, with: embedder, base: base, progress: { _ in }) == first)
    #expect(try Data(contentsOf: path).count == texts.count * embedder.model.configuration.hiddenSize * 4)
  }
}

@Suite struct PriorBlendTests {
  /// Four records whose features are all equal, so a trained model scores them alike and only
  /// the prior can order them.
  static func simulate(halfLife: Double, prior: [Double]) throws -> [PrioritizedScreening.Step] {
    let features = try SparseMatrix(dense: Array(repeating: [1.0, 0.5], count: 6), columnCount: 2)
    let labels = [true, false, false, true, false, true]
    let model = ClassicalModel.logisticRegression(try LogisticRegression(configuration: .init()))
    return try PrioritizedScreening.simulate(
      features: features, labels: labels, model: model,
      settings: .init(coldStart: .scores(prior), stopAtLastRelevant: false, priorHalfLife: halfLife))
  }

  @Test("with a half-life the prior keeps ordering records the model cannot tell apart; without, ties go by index")
  func blend() throws {
    let prior = [0.9, 0.8, 0.1, 0.2, 0.3, 0.7]
    // Cold start by prior: 0 (relevant), 1 (irrelevant); then the model is trained.
    let blended = try Self.simulate(halfLife: 3, prior: prior).map(\.record)
    #expect(blended == [0, 1, 5, 4, 3, 2])
    let modelOnly = try Self.simulate(halfLife: 0, prior: prior).map(\.record)
    #expect(Array(modelOnly.prefix(2)) == [0, 1])
    #expect(Array(modelOnly.dropFirst(2)) == [2, 3, 4, 5], "equal model scores: lower index first")
  }

  @Test("a negative or non-finite half-life is refused")
  func invalid() {
    #expect(throws: ScreeningError.self) { _ = try Self.simulate(halfLife: -1, prior: [1, 2, 3, 4, 5, 6]) }
    #expect(throws: ScreeningError.self) { _ = try Self.simulate(halfLife: .infinity, prior: [1, 2, 3, 4, 5, 6]) }
  }

  @Test("--prior-model: a screener trained on another review orders the warm start; refused without the zero-shot warm start or with the bi-encoder")
  func screenerPrior() throws {
    let folder = try TestSupport.temporaryDirectory()
    // Another review of the same kind: statin and muscle records included.
    var csv = "record_id,title,abstract,label_included\n"
    for index in 1...30 {
      let included = index % 5 == 0
      csv += included
        ? "o\(index),Statin muscle symptoms \(index),Myopathy and creatine kinase with statins.,1\n"
        : "o\(index),Diuretic outcome \(index),Blood pressure in trial \(index).,0\n"
    }
    let other = try TestSupport.write(csv, to: "other.csv", in: folder)
    var train = TrainWorkflow.Options(
      input: .init(url: other, title: "Statins and muscle"), base: folder, output: folder.appendingPathComponent("screener"))
    train.kind = .tfidfLR
    _ = try TrainWorkflow.run(train)
    var options = SimulateWorkflow.Options(
      source: .file(try SimulateWorkflowTests.review(), title: "Statins and muscle", criteria: nil), model: .tfidfSVM, coldStart: .zeroShot)
    options.priorModel = train.output
    let steps = try #require(try SimulateWorkflow.run(options).runs.first?.steps)
    // The screener ranks the nine statin records first, so the warm start finds them before any other.
    #expect(steps.prefix(9).allSatisfy { $0.label && $0.source == .coldStart }, "\(steps.prefix(10).map(\.label))")
    options.coldStart = .random
    #expect(throws: WorkflowError.self) { _ = try SimulateWorkflow.run(options) }
    options.coldStart = .zeroShot
    options.model = .biEncoder
    #expect(throws: WorkflowError.self) { _ = try SimulateWorkflow.run(options) }
  }

  @Test("standardised: zero mean, unit spread; constant input gives zeros")
  func standardised() {
    let z = PrioritizedScreening.standardised([1, 2, 3])
    #expect(abs(z[0] + 1.224744871391589) < 1e-12 && z[1] == 0 && abs(z[2] - 1.224744871391589) < 1e-12)
    #expect(PrioritizedScreening.standardised([4, 4]) == [0, 0])
  }
}

@Suite struct LearnerTests {
  /// Records "hip fracture trial" (relevant) among "children safety study" ones, in the tiny
  /// base model's vocabulary.
  static func review(count: Int = 24) throws -> URL {
    var csv = "title,abstract,label_included\n"
    for index in 0..<count {
      let relevant = index % 5 == 2
      csv += relevant ? "hip fracture trial,random ##ised trial of adults after hip fracture,1\n" : "children safety study \(index),study of children,0\n"
    }
    return try TestSupport.write(csv, to: "tiny.csv", in: try TestSupport.temporaryDirectory())
  }

  @Test("the loop with a learner equals the loop with the classical model it wraps")
  func classicalLearner() throws {
    let features = try SparseMatrix(dense: (0..<8).map { [Double($0 % 3), 1, Double($0) / 8] }, columnCount: 3)
    let labels = [false, true, false, false, true, false, false, true]
    let settings = PrioritizedScreening.Settings(stopAtLastRelevant: false)
    let model = ClassicalModel.logisticRegression(try LogisticRegression(configuration: .init(warmStart: true)))
    var learner = ClassicalLearner(features: features, model: model)
    let viaLearner = try PrioritizedScreening.simulate(learner: &learner, labels: labels, settings: settings)
    #expect(viaLearner == (try PrioritizedScreening.simulate(features: features, labels: labels, model: model, settings: settings)))
  }

  @Test("progress reports each query with the records screened and relevant found so far")
  func progress() throws {
    let features = try SparseMatrix(dense: (0..<8).map { [Double($0 % 3), 1, Double($0) / 8] }, columnCount: 3)
    let labels = [false, true, false, false, true, false, false, true]
    let model = ClassicalModel.logisticRegression(try LogisticRegression(configuration: .init()))
    var reports: [(screened: Int, found: Int)] = []
    let steps = try PrioritizedScreening.simulate(
      features: features, labels: labels, model: model, settings: .init(),
      progress: { reports.append(($0, $1)) })
    // File order until both classes are labelled (records 0 and 1), then one report per query,
    // the last when the third relevant record is found and the loop stops.
    let queried = steps.filter { $0.source == .model }
    #expect(reports.map(\.screened) == queried.indices.map { 3 + $0 })
    let foundAfterEach = steps.indices.dropFirst(2).map { index in steps[...index].count(where: \.label) }
    #expect(reports.map(\.found) == Array(foundAfterEach.prefix(reports.count)))
    #expect(reports.last?.found == 3)
  }

  @Test("bi-encoder: training in the loop moves relevant records above irrelevant ones; reproducible under its seed")
  func biEncoder() throws {
    let base = try PEFTTests.tinyBase()
    let file = try Self.review()
    var settings = BiEncoderLearner.Settings()
    settings.learningRate = 1e-2
    settings.steps = 30
    settings.maxLength = 32
    let texts = try Ingest.RecordFileReader.read(contentsOf: file).map { "\($0.title) \($0.abstract)" }
    let labels = (0..<texts.count).map { $0 % 5 == 2 }
    var learner = try BiEncoderLearner(
      base: base, adapter: AdapterConfiguration(method: .lora, freezeLayers: 1), question: "hip fracture", texts: texts,
      settings: settings, seed: 3)
    func margin(_ scores: [Double]) -> Double {
      let relevant = scores.indices.filter { labels[$0] }.map { scores[$0] }
      let irrelevant = scores.indices.filter { !labels[$0] }.map { scores[$0] }
      return relevant.reduce(0, +) / Double(relevant.count) - irrelevant.reduce(0, +) / Double(irrelevant.count)
    }
    let before = try learner.scores()
    let after = try learner.retrain(on: [2, 0, 1], labels: [true, false, false])
    #expect(learner.stepCount == 30)
    #expect(margin(after) > margin(before) + 0.05, "\(margin(before)) -> \(margin(after))")
    // A record without text scores as the mean of the others.
    var withBlank = try BiEncoderLearner(
      base: base, adapter: AdapterConfiguration(method: .lora, freezeLayers: 1), question: "hip fracture",
      texts: Array(texts.prefix(4)) + [" "], settings: settings, seed: 3)
    let blankScores = try withBlank.retrain(on: [2, 0, 1], labels: [true, false, false])
    #expect(abs(blankScores[4] - blankScores.prefix(4).reduce(0, +) / 4) < 1e-12)

    var options = SimulateWorkflow.Options(
      source: .file(file, title: "hip fracture", criteria: nil), model: .biEncoder, base: base, seed: 5)
    options.adapter = AdapterConfiguration(method: .lora, freezeLayers: 1)
    options.biEncoder = settings
    options.biEncoder.steps = 2
    let first = try SimulateWorkflow.run(options), second = try SimulateWorkflow.run(options)
    let steps = try #require(first.runs.first?.steps)
    #expect(steps.count == 24 && Set(steps.map(\.record)).count == 24)
    // File order until records 0-2 give both classes, then the learner's ranking.
    #expect(steps.prefix(3).map(\.source) == [.coldStart, .coldStart, .coldStart] && steps[3].source == .model)
    #expect(steps == second.runs.first?.steps)
    options.adapter.method = .smt
    #expect(throws: WorkflowError.self) { _ = try SimulateWorkflow.run(options) }
    options.adapter.method = .lora
    options.source = .file(file, title: nil, criteria: nil)
    #expect(throws: WorkflowError.self) { _ = try SimulateWorkflow.run(options) }
  }
}
