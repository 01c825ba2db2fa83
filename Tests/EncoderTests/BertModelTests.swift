import Foundation
import Tensor
import Testing
import Text

@testable import Encoder

@Suite("BertModel (tiny random configuration)")
struct BertModelTests {
  @Test("Double forward equals the naive loop-by-loop reference")
  func doubleMatchesNaive() throws {
    let model = try tinyModel()
    let ids: [Int32] = [2, 7, 9, 11, 3]
    let out = try model.forward(TokenBatch(batchSize: 1, sequenceLength: 5, inputIDs: ids), workers: 1)
    let ref = NaiveBert.forward(model, ids: ids)
    var worst = 0.0
    for i in 0..<5 { for j in 0..<16 { worst = max(worst, abs(out[0, i, j] - ref[i][j])) } }
    #expect(worst < 1e-12)
  }

  @Test("Float forward with padding, token types and 2 workers matches the Double reference")
  func floatPaddedBatch() throws {
    let model = try tinyModel(seed: 2)
    var fmodel = try model.converted(to: Float.self)
    fmodel.rowsPerChunk = 3
    let a = Encoding(inputIDs: [2, 7, 8, 9, 3, 10, 11, 3], tokenTypeIDs: [0, 0, 0, 0, 0, 1, 1, 1])
    let b = Encoding(inputIDs: [2, 12, 3], tokenTypeIDs: [0, 0, 0])
    let batch = try TokenBatch(encodings: [a, b], paddingID: 0)
    #expect(batch.sequenceLength == 8 && batch.lengths == [8, 3])
    let out = try fmodel.forward(batch, workers: 2)
    let refA = NaiveBert.forward(model, ids: a.inputIDs, types: a.tokenTypeIDs)
    // Padded item: padding positions attend to the 3 real keys only, as with HF's mask.
    let refB = NaiveBert.forward(model, ids: batch.inputIDs[8..<16].map { $0 }, validKeys: 3)
    var worst = 0.0
    for i in 0..<8 {
      for j in 0..<16 {
        worst = max(worst, abs(Double(out[0, i, j]) - refA[i][j]), abs(Double(out[1, i, j]) - refB[i][j]))
      }
    }
    #expect(worst < 1e-5)
  }

  @Test("outputs do not depend on worker count or chunking (bitwise) or on batch companions")
  func determinism() throws {
    var model = try tinyModel(seed: 3).converted(to: Float.self)
    let e1 = Encoding(inputIDs: [2, 5, 6, 7, 3], tokenTypeIDs: [0, 0, 0, 0, 0])
    let e2 = Encoding(inputIDs: [2, 9, 3], tokenTypeIDs: [0, 0, 0])
    let batch = try TokenBatch(encodings: [e1, e2], paddingID: 0)
    let one = try model.forward(batch, workers: 1)
    let two = try model.forward(batch, workers: 2)
    #expect(one == two)
    // Other chunks or other batch companions change the GEMMs' shapes, and with them which
    // OpenBLAS or CKernels path rounds each row (that depends on the CPU): within 64 ulp of the
    // largest output, for two layers of about a dozen rounded stages each.
    let bound = 64 * Float.ulpOfOne * max(1, one.scalars.map(abs).max() ?? 0)
    model.rowsPerChunk = 1
    let fine = try model.forward(batch, workers: 2)
    #expect(fine.maxAbsDifference(one) <= bound)
    let alone = try model.forward(TokenBatch(encodings: [e2], paddingID: 0), workers: 1)
    for i in 0..<3 { for j in 0..<16 { #expect(abs(alone[0, i, j] - one[1, i, j]) <= bound) } }
  }

  @Test("int8 inference: close to fp32 on a padded batch, independent of workers, fp32 weights kept")
  func int8Forward() throws {
    var model = try tinyModel(seed: 4).converted(to: Float.self)
    model.rowsPerChunk = 3
    let a = Encoding(inputIDs: [2, 7, 8, 9, 3, 10, 11, 3], tokenTypeIDs: [0, 0, 0, 0, 0, 1, 1, 1])
    let b = Encoding(inputIDs: [2, 12, 3], tokenTypeIDs: [0, 0, 0])
    let batch = try TokenBatch(encodings: [a, b], paddingID: 0)
    let int8 = try model.at(.int8, calibration: batch)
    #expect(int8.precision == .int8 && model.precision == .fp32 && int8.weights == model.weights)
    let (exact, one, two) = (try model.forward(batch), try int8.forward(batch, workers: 1), try int8.forward(batch, workers: 2))
    #expect(one.scalars == two.scalars)
    for (row, length) in batch.lengths.enumerated() {
      for p in 0..<length {
        let (x, y) = ((0..<16).map { exact[row, p, $0] }, (0..<16).map { one[row, p, $0] })
        let dot = zip(x, y).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let cosine = dot / (x.reduce(0) { $0 + $1 * $1 } * y.reduce(0) { $0 + $1 * $1 }).squareRoot()
        #expect(cosine > 0.99, "row \(row) position \(p): cosine \(cosine)")
      }
    }
    #expect(try int8.at(.fp32, calibration: batch).forward(batch).scalars == exact.scalars)
  }

  @Test("int8 FFN tiles: any tile size gives each row the result of the untiled pass")
  func int8FFNTiles() throws {
    var model = try tinyModel(seed: 5).converted(to: Float.self)
    model.rowsPerChunk = 7
    let a = Encoding(inputIDs: [2, 7, 8, 9, 3, 10, 11, 3], tokenTypeIDs: [0, 0, 0, 0, 0, 1, 1, 1])
    let b = Encoding(inputIDs: [2, 12, 13, 3], tokenTypeIDs: [0, 0, 0, 0])
    let batch = try TokenBatch(encodings: [a, b], paddingID: 0)
    var int8 = try model.at(.int8, calibration: batch)
    let whole = try int8.forward(batch, workers: 2)
    // Integer products are exact; only the fp32 outlier product sees another row count.
    let bound = 64 * Float.ulpOfOne * max(1, whole.scalars.map(abs).max() ?? 0)
    for tile in [1, 3, 4, 7] {
      int8.quantized?.ffnTileRows = tile
      let tiled = try int8.forward(batch, workers: 2)
      #expect(tiled.maxAbsDifference(whole) <= bound, "tile \(tile)")
    }
  }

  @Test("invalid input ids, types and lengths are errors, not crashes")
  func invalidInput() throws {
    let model = try tinyModel()
    #expect(throws: EncoderError.self) {
      try model.forward(TokenBatch(batchSize: 1, sequenceLength: 2, inputIDs: [2, 40]))
    }
    #expect(throws: EncoderError.self) {
      try model.forward(TokenBatch(batchSize: 1, sequenceLength: 2, inputIDs: [2, 3], tokenTypeIDs: [0, 2]))
    }
    #expect(throws: EncoderError.self) {
      try model.forward(TokenBatch(batchSize: 1, sequenceLength: 25, inputIDs: [Int32](repeating: 1, count: 25)))
    }
    #expect(throws: EncoderError.invalidInput(reason: "empty batch")) {
      try TokenBatch(encodings: [], paddingID: 0)
    }
    #expect(throws: EncoderError.self) {
      try TokenBatch(batchSize: 1, sequenceLength: 2, inputIDs: [2, 3], lengths: [0])
    }
  }

  @Test("mean and CLS pooling, L2 normalisation")
  func pooling() {
    let hidden = Tensor<Double>(shape: [2, 3, 2], scalars: [1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10])
    let mean = Pool.apply(.mean, hidden, lengths: [2, 3])
    #expect(mean.scalars == [2, 3, 7, 8])
    #expect(Pool.apply(.cls, hidden, lengths: [2, 3]).scalars == [1, 2, 5, 6])
    let n = Pool.l2Normalized(Tensor<Double>(shape: [2, 2], scalars: [3, 4, 0, 0]))
    #expect(zip(n.scalars, [0.6, 0.8, 0, 0]).allSatisfy { abs($0 - $1) < 1e-15 })
  }
}

@Suite("Checkpoint directory")
struct CheckpointTests {
  @Test("a written tiny checkpoint loads back identically, with or without a bert. prefix")
  func roundTrip() throws {
    let model = try tinyModel(seed: 4)
    for prefix in ["", "bert."] {
      let dir = try temporaryDirectory()
      try writeTinyCheckpoint(model, to: dir, prefix: prefix)
      let loaded = try BertModel<Double>.load(directory: dir)
      #expect(loaded.configuration == model.configuration)
      // F32 on disk: equal to the Float-rounded weights.
      #expect(loaded.weights == model.weights.converted(to: Float.self).converted(to: Double.self))
      let embedder = try SentenceEmbedder(directory: dir)
      let v = try embedder.embed(["the randomized hip fracture trial", "a"])
      #expect(v.count == 2 && v[0].count == 16)
      #expect(abs(v[0].reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
    }
  }

  @Test("sentence embedding equals mean-pooled, normalised naive reference; batching does not matter")
  func embedderMatchesReference() throws {
    let model = try tinyModel(seed: 5)
    let dir = try temporaryDirectory()
    try writeTinyCheckpoint(model, to: dir)
    var embedder = try SentenceEmbedder(directory: dir)
    let texts = ["the trial", "random hip fracture , a b the trial .", "", "hip"]
    embedder.batchSize = 3
    let got = try embedder.embed(texts)
    embedder.batchSize = 1
    let single = try embedder.embed(texts)
    let fmodel = try model.converted(to: Float.self)
    for (i, text) in texts.enumerated() {
      let ids = try embedder.tokenizer.encode(text, maxLength: 256).inputIDs
      let hidden = NaiveBert.forward(try fmodel.converted(to: Double.self), ids: ids)
      var mean = [Double](repeating: 0, count: 16)
      for row in hidden { for j in 0..<16 { mean[j] += row[j] / Double(ids.count) } }
      let norm = mean.map { $0 * $0 }.reduce(0, +).squareRoot()
      for j in 0..<16 {
        #expect(abs(Double(got[i][j]) - mean[j] / norm) < 1e-5)
        // Batched alone or with others: the same unit vector within 64 ulp (see `determinism`).
        #expect(abs(got[i][j] - single[i][j]) <= 64 * Float.ulpOfOne)
      }
    }
  }

  @Test("missing directory, missing files, vocab/config mismatch are clear errors")
  func badDirectories() throws {
    #expect(throws: EncoderError.fileNotFound(path: "/nonexistent/model")) {
      _ = try SentenceEmbedder(directory: URL(fileURLWithPath: "/nonexistent/model"))
    }
    let model = try tinyModel()
    let dir = try temporaryDirectory()
    try writeTinyCheckpoint(model, to: dir, vocabTokens: 41)
    let error = #expect(throws: EncoderError.self) { _ = try SentenceEmbedder(directory: dir) }
    #expect(
      error
        == .vocabularyMismatch(
          vocabularyFile: dir.appendingPathComponent("vocab.txt").path, tokens: 41, configVocabSize: 40))
    try FileManager.default.removeItem(at: dir.appendingPathComponent("config.json"))
    #expect(throws: EncoderError.fileNotFound(path: dir.appendingPathComponent("config.json").path)) {
      _ = try BertModel<Float>.load(directory: dir)
    }
    try FileManager.default.removeItem(at: dir.appendingPathComponent("vocab.txt"))
    let e2 = #expect(throws: EncoderError.self) { _ = try SentenceEmbedder(directory: dir) }
    #expect(e2?.description.contains("vocab.txt") == true)
  }

  @Test("a checkpoint whose tensors disagree with config.json names the tensor and both shapes")
  func shapeMismatch() throws {
    let model = try tinyModel()
    let dir = try temporaryDirectory()
    try writeTinyCheckpoint(model, to: dir)
    let configURL = dir.appendingPathComponent("config.json")
    let text = try String(contentsOf: configURL, encoding: .utf8)
      .replacingOccurrences(of: "\"intermediate_size\":32", with: "\"intermediate_size\":48")
    try Data(text.utf8).write(to: configURL)
    let error = #expect(throws: EncoderError.self) { _ = try BertModel<Float>.load(directory: dir) }
    #expect(
      error
        == .shapeMismatch(
          file: dir.appendingPathComponent("model.safetensors").path,
          tensor: "encoder.layer.0.intermediate.dense.weight", expected: [48, 16], found: [32, 16]))
  }
}

@Suite("BertConfiguration")
struct BertConfigurationTests {
  let valid =
    #"{"hidden_size":384,"num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,"vocab_size":30522}"#

  @Test("decodes with BERT defaults")
  func decodes() throws {
    let c = try BertConfiguration.decode(Data(valid.utf8), file: "config.json")
    #expect(c.headSize == 32 && c.maxPositionEmbeddings == 512 && c.layerNormEpsilon == 1e-12)
  }

  @Test(
    "missing key, wrong type, bad values, unsupported activation name the key",
    arguments: [
      (#"{"hidden_size":384}"#, "num_hidden_layers"),
      (
        #"{"hidden_size":"big","num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,"vocab_size":30522}"#,
        "hidden_size"
      ),
      (
        #"{"hidden_size":384,"num_hidden_layers":6,"num_attention_heads":7,"intermediate_size":1536,"vocab_size":30522}"#,
        "num_attention_heads"
      ),
      (
        #"{"hidden_size":384,"num_hidden_layers":0,"num_attention_heads":12,"intermediate_size":1536,"vocab_size":30522}"#,
        "num_hidden_layers"
      ),
      (
        #"{"hidden_size":384,"num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,"vocab_size":30522,"hidden_act":"relu"}"#,
        "hidden_act"
      ),
      (
        #"{"hidden_size":384,"num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,"vocab_size":30522,"position_embedding_type":"relative_key"}"#,
        "position_embedding_type"
      ),
    ])
  func invalid(json: String, key: String) {
    let error = #expect(throws: EncoderError.self) {
      _ = try BertConfiguration.decode(Data(json.utf8), file: "x/config.json")
    }
    guard case .invalidConfig(let file, let k, _) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(file == "x/config.json" && k == key)
  }

  @Test("not JSON at all")
  func notJSON() {
    #expect(throws: EncoderError.self) { _ = try BertConfiguration.decode(Data("{oops".utf8), file: "c.json") }
  }
}
