import Adapters
import Foundation
import TestSupport
import Testing

@testable import Workflows

@Suite("Experiment workflow")
struct ExperimentWorkflowTests {
  @Test("Grouped hold-out: every review in exactly one fold, never among its fold's training reviews")
  func heldOutGroups() throws {
    let four = try ExperimentWorkflow.heldOutGroups(reviewCount: 10, folds: 4)
    #expect(four == [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]])
    #expect(four.flatMap { $0 }.sorted() == Array(0..<10))
    // Without --folds, and with more folds than reviews: leave one review out.
    #expect(try ExperimentWorkflow.heldOutGroups(reviewCount: 3, folds: nil) == [[0], [1], [2]])
    #expect(try ExperimentWorkflow.heldOutGroups(reviewCount: 3, folds: 7) == [[0], [1], [2]])
    #expect(throws: WorkflowError.self) { try ExperimentWorkflow.heldOutGroups(reviewCount: 1, folds: nil) }
  }

  @Test("Fused scores: each ranker standardized, then averaged record by record")
  func fusedScores() {
    // [1, 2, 3] -> (-1.2247, 0, 1.2247); [30, 10, 20] -> (1.2247, -1.2247, 0).
    let fused = ExperimentWorkflow.fusedScores([[1, 2, 3], [30, 10, 20]])
    let z = 1.5.squareRoot() / 2
    for (a, b) in zip(fused, [0, -z, z]) { #expect(abs(a - b) < 1e-12, "\(fused)") }
    #expect(fused.count == 3)
    #expect(ExperimentWorkflow.fusedScores([]).isEmpty)
  }

  @Test("Ranker names parse back to themselves, fused included")
  func rankerNames() throws {
    for name in ["zero-shot", "bm25", "tfidf-embed-lr", "setfit+lora", "cross-encoder+dora", "fused+lora", "fused+full"] {
      #expect(try ExperimentWorkflow.WithinRanker(parsing: name).description == name)
    }
    #expect(try ExperimentWorkflow.WithinRanker(parsing: "fused").description == "fused+lora")
    #expect(throws: WorkflowError.self) { try ExperimentWorkflow.WithinRanker(parsing: "fused+nope") }
  }

  // No steps: training with the cache skips dropout in the frozen layers, so only the scoring
  // pass is compared (the head and adapter as initialised under one seed).
  @Test("The cross-encoder scores the same from cached frozen layers as from the whole model")
  func crossEncoderLowerLayerCache() throws {
    let base = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: base) }
    try TinyBert.write(to: base, seed: 7)
    let texts = [
      "stimulant trial in children with adhd", "a case report of heart risk", "methylphenidate versus placebo for adhd",
      "cost of care in adult patients", "long term efficacy of methylphenidate", "a letter on the model",
    ]
    let cache = LowerLayerCache<Float>(maxBytes: 1 << 20)
    func scores(cached: Bool) throws -> [Double] {
      var run = CrossEncoderRun(
        query: "adhd", texts: texts, labels: [1, 0, 1, 0, 1, 0],
        adapter: AdapterConfiguration(method: .lora, rank: 2, freezeLayers: 1, seed: 3), learningRate: 1e-2, base: base)
      run.steps = 0
      run.batchSize = 4
      run.maxLength = 16
      run.lowerLayers = cached ? cache : nil
      return try run.train(on: [0, 1, 2, 3], thenScore: [4, 5], seed: 11, progress: { _ in }).scores
    }
    let plain = try scores(cached: false), cached = try scores(cached: true)
    #expect(plain.count == 2 && cache.misses == 2, "the cached run computes the two scored records' frozen layers once")
    for (a, b) in zip(plain, cached) { #expect(abs(a - b) < 1e-4, "\(plain) \(cached)") }
  }
}
