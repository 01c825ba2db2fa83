import Foundation
import Tensor
import Testing
import Text

@testable import Encoder

private struct EmbeddingFixture: Decodable {
  struct Hidden: Decodable {
    let text: String
    let input_ids: [Int32]
    let last_hidden_state: [[Float]]
  }
  let model_sha256: String
  let max_seq_length: Int
  let texts: [String]
  let embeddings: [[Float]]
  let hidden: [Hidden]
}

private func loadFixture() throws -> EmbeddingFixture {
  let url = try #require(Bundle.module.url(forResource: "Fixtures/embedding_fixture", withExtension: "json"))
  return try JSONDecoder().decode(EmbeddingFixture.self, from: Data(contentsOf: url))
}

/// Parity with sentence-transformers / transformers on the real all-MiniLM-L6-v2.
/// Run in release: `CSMED_MODEL_DIR=... swift test -c release -Xswiftc -enable-testing`.
@Suite("all-MiniLM-L6-v2 parity", .enabled(if: realModelDirectory != nil, Comment(rawValue: realModelMissing)))
struct RealModelTests {
  @Test("sentence embeddings equal sentence-transformers within 1e-4 (max abs)")
  func sentenceEmbeddings() throws {
    let dir = try #require(realModelDirectory)
    let fixture = try loadFixture()
    #expect(fixture.texts.count >= 20)
    var embedder = try SentenceEmbedder(directory: dir)
    embedder.maxLength = fixture.max_seq_length
    embedder.batchSize = 8
    let got = try embedder.embed(fixture.texts)
    var worst: Float = 0
    var worstIndex = 0
    for (i, (g, e)) in zip(got, fixture.embeddings).enumerated() {
      #expect(g.count == 384 && e.count == 384)
      let d = zip(g, e).map { abs($0 - $1) }.max() ?? 0
      if d > worst { (worst, worstIndex) = (d, i) }
    }
    if ProcessInfo.processInfo.environment["SHOW_PARITY"] != nil {
      print("embedding parity: max abs \(worst) (text \(worstIndex))")
    }
    #expect(worst < 1e-4, "max abs difference \(worst) on text \(worstIndex): \(fixture.texts[worstIndex].prefix(60))")
  }

  @Test("int8 inference: every fixture text's embedding within cosine 0.999 of sentence-transformers' fp32 one (0.998 for one token repeated)")
  func int8Embeddings() throws {
    let dir = try #require(realModelDirectory)
    let fixture = try loadFixture()
    var embedder = try SentenceEmbedder(directory: dir)
    embedder.maxLength = fixture.max_seq_length
    embedder.batchSize = 8
    try embedder.setPrecision(.int8)
    #expect(embedder.precision == .int8)
    let got = try embedder.embed(fixture.texts)
    for (i, (g, e)) in zip(got, fixture.embeddings).enumerated() {
      let dot = zip(g, e).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      let norms = (g.reduce(0.0) { $0 + Double($1 * $1) } * e.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
      // One word repeated to 256 tokens gives every position the same rounding error, so mean
      // pooling averages none of it away (0.99892 here); natural texts stay above 0.9993.
      let repeated = fixture.texts[i].hasPrefix("word word word")
      #expect(dot / norms >= (repeated ? 0.998 : 0.999), "text \(i): cosine \(dot / norms)")
    }
    // Back to fp32: the fp32 weights were kept, so parity holds again.
    try embedder.setPrecision(.fp32)
    let again = try embedder.embed(Array(fixture.texts.prefix(2)))
    #expect(zip(again[0], fixture.embeddings[0]).map { abs($0 - $1) }.max() ?? 1 < 1e-4)
  }

  @Test("raw last hidden states equal transformers within 1e-4 (max abs)")
  func hiddenStates() throws {
    let dir = try #require(realModelDirectory)
    let fixture = try loadFixture()
    let embedder = try SentenceEmbedder(directory: dir)
    for h in fixture.hidden {
      let encoding = try embedder.tokenizer.encode(h.text, maxLength: 256)
      #expect(encoding.inputIDs == h.input_ids)
      let batch = try TokenBatch(encodings: [encoding], paddingID: 0)
      let out = try embedder.model.forward(batch)
      var worst: Float = 0
      for (i, row) in h.last_hidden_state.enumerated() {
        for (j, v) in row.enumerated() { worst = max(worst, abs(out[0, i, j] - v)) }
      }
      if ProcessInfo.processInfo.environment["SHOW_PARITY"] != nil {
        print("hidden parity: max abs \(worst) for \(h.text)")
      }
      #expect(worst < 1e-4, "max abs difference \(worst) for \(h.text)")
    }
  }

  @Test("a truncated copy of the real checkpoint is a clear error")
  func truncatedCheckpoint() throws {
    let dir = try #require(realModelDirectory)
    let tmp = try temporaryDirectory()
    for name in ["config.json", "vocab.txt"] {
      try FileManager.default.copyItem(at: dir.appendingPathComponent(name), to: tmp.appendingPathComponent(name))
    }
    let data = try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
    try data.prefix(data.count / 2).write(to: tmp.appendingPathComponent("model.safetensors"))
    let error = #expect(throws: EncoderError.self) { _ = try SentenceEmbedder(directory: tmp) }
    guard case .truncated(let file, _) = error else {
      Issue.record("expected .truncated, got \(String(describing: error))")
      return
    }
    #expect(file.hasSuffix("model.safetensors"))
  }
}
