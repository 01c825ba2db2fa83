import Adapters
import Corpus
import Encoder
import Foundation
import Synchronization
import Ingest
import Screening
import Tensor
import Text

/// The screeners `csmed train` can produce.
public enum ScreenerKind: String, Sendable, Codable, CaseIterable {
  /// cosine(embed(review query), embed(candidate)), the encoder fine-tuned contrastively.
  case biEncoder = "bi-encoder"
  /// A classification head over the pair (review query, candidate).
  case crossEncoder = "cross-encoder"
  /// TF-IDF (word uni+bigrams, sublinear tf) with logistic regression or a linear SVM.
  case tfidfLR = "tfidf-lr"
  case tfidfSVM = "tfidf-svm"
  /// Logistic regression (balanced, C = 10) on the frozen MiniLM sentence embedding.
  case embedLR = "embed-lr"
  /// Logistic regression on TF-IDF and the frozen sentence embedding side by side, as
  /// `simulate --model tfidf-embed-lr` fits it: the best of the linear models within a review
  /// (docs/results.md, "Within a review").
  case hybridLR = "tfidf-embed-lr"

  public var isNeural: Bool { self == .biEncoder || self == .crossEncoder }
  /// Reads sentence embeddings of the base model (the encoders and the embedding models).
  public var needsBase: Bool { self != .tfidfLR && self != .tfidfSVM }
  /// What `simulate` calls this linear model (nil for the encoders).
  var simulationModel: SimulateWorkflow.SimulationModel? { isNeural ? nil : SimulateWorkflow.SimulationModel(rawValue: rawValue) }
  /// Whatever reads embeddings reads keywords after title and abstract, as `simulate`'s
  /// embedding models do; the TF-IDF screeners read title and abstract.
  public var textView: TextView { needsBase ? .titleAbstractKeywords : .titleAbstract }
}

/// The base model a screener was trained on: its directory name and the SHA-256 of its weights.
public struct BaseModelIdentity: Sendable, Codable, Equatable {
  public var name: String
  public var sha256: String

  /// Hashes `model.safetensors` of a checkpoint directory, once per process while the file's
  /// size and modification time stay the same (a screen, a shard record and each simulated
  /// review ask for it).
  public static func of(directory: URL) throws -> BaseModelIdentity {
    let weights = directory.appendingPathComponent("model.safetensors")
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: weights.path) else {
      throw WorkflowError.missingInput(path: weights.path)
    }
    let key = "\(weights.standardizedFileURL.path)|\(attributes[.size] ?? "")|\(attributes[.modificationDate] ?? "")"
    if let known = digests.withLock({ $0[key] }) { return BaseModelIdentity(name: directory.lastPathComponent, sha256: known) }
    let sha256 = try SHA256.hex(ofFileAt: weights)
    digests.withLock { $0[key] = sha256 }
    return BaseModelIdentity(name: directory.lastPathComponent, sha256: sha256)
  }

  private static let digests = Mutex<[String: String]>([:])
}

/// `screener.json`: everything needed to rebuild a trained screener besides its tensors.
public struct ScreenerManifest: Sendable, Codable {
  public static let currentFormat = "csmed-screener-1"
  public static let fileName = "screener.json"
  public static let tensorsFile = "adapter_model.safetensors"
  public static let classicalFile = "classical.json"

  public var format = Self.currentFormat
  public var kind: ScreenerKind
  public var stage: String
  public var base: BaseModelIdentity?
  public var adapter: AdapterConfiguration?
  /// SMT's selected blocks per site (`encoder.layer.N.<module>` → `[row, column]` pairs).
  public var smtBlocks: [String: [[Int]]]?
  public var maxLength: Int
  public var queryMaxLength: Int
  /// The reviews the screener was trained on (`collection/source_id`).
  public var trainedOn: [String]
  /// The epoch whose weights were kept (0: the untuned base model).
  public var selectedEpoch: Int
  /// Validation metrics of the kept weights, by name.
  public var validation: [String: Double]
  /// Per target recall (`"0.95"`), the share of candidates each validation review needed to
  /// reach it with the kept weights: what `screen --target-recall` estimates its cut-off from.
  public var recallFractions: [String: [Double]]?
  public var createdAt: String
  /// What the screener was trained on and so reads when it screens; absent in screeners written
  /// before csmed read keywords, which read title and abstract.
  public var textView: TextView?

  /// The text this screener reads of a record.
  public var reads: TextView { textView ?? .titleAbstract }
}

extension ScreenerManifest {
  /// Reads `screener.json` of a screener directory.
  /// - Throws: ``WorkflowError`` for a missing file, invalid JSON or an unknown format.
  public static func load(directory: URL) throws -> ScreenerManifest {
    let url = directory.appendingPathComponent(fileName)
    guard FileManager.default.fileExists(atPath: url.path) else { throw WorkflowError.missingInput(path: url.path) }
    let manifest: ScreenerManifest
    do { manifest = try JSONDecoder().decode(ScreenerManifest.self, from: Data(contentsOf: url)) } catch {
      throw WorkflowError.io(path: url.path, reason: "not a csmed screener: \(error.localizedDescription)")
    }
    guard manifest.format == currentFormat else {
      throw WorkflowError.io(path: url.path, reason: "unknown format '\(manifest.format)'")
    }
    return manifest
  }
}

/// A screener loaded from a `csmed train` directory: scores a review's candidates.
public struct TrainedScreener: Sendable {
  public let manifest: ScreenerManifest
  enum Model: Sendable {
    case neural(AdapterModel<Float>, BertTokenizer)
    case classical(TFIDFVectorizer, ClassicalModel)
    case embedding(EmbeddingFeatures, ClassicalModel, SentenceEmbedder)
  }
  let model: Model

  /// Loads `directory`; neural screeners need their `base` model directory, whose weights must
  /// be the ones the screener was trained on.
  /// - Throws: ``WorkflowError`` or ``AdapterError`` naming the file and the mismatch.
  public static func load(directory: URL, base: URL?) throws -> TrainedScreener {
    let manifestURL = directory.appendingPathComponent(ScreenerManifest.fileName)
    let manifest = try ScreenerManifest.load(directory: directory)
    switch manifest.kind {
    case .tfidfLR, .tfidfSVM:
      let url = directory.appendingPathComponent(ScreenerManifest.classicalFile)
      do {
        let stored = try JSONDecoder().decode(ClassicalScreenerFile.self, from: Data(contentsOf: url))
        return TrainedScreener(manifest: manifest, model: .classical(stored.vectorizer, stored.model))
      } catch { throw WorkflowError.io(path: url.path, reason: "cannot read the TF-IDF model: \(error)") }
    case .embedLR, .hybridLR:
      let base = try checkedBase(base, manifest: manifest, at: manifestURL)
      let url = directory.appendingPathComponent(ScreenerManifest.classicalFile)
      let stored: EmbeddingScreenerFile
      do { stored = try JSONDecoder().decode(EmbeddingScreenerFile.self, from: Data(contentsOf: url)) } catch {
        throw WorkflowError.io(path: url.path, reason: "cannot read the embedding model: \(error)")
      }
      guard (stored.features.vectorizer != nil) == (manifest.kind == .hybridLR) else {
        throw WorkflowError.io(path: url.path, reason: "a \(manifest.kind.rawValue) screener \(manifest.kind == .hybridLR ? "needs" : "has no") TF-IDF block")
      }
      var embedder = try SentenceEmbedder(directory: base)
      embedder.maxLength = manifest.maxLength
      return TrainedScreener(manifest: manifest, model: .embedding(stored.features, stored.model, embedder))
    case .biEncoder, .crossEncoder:
      let base = try checkedBase(base, manifest: manifest, at: manifestURL)
      guard let adapter = manifest.adapter else {
        throw WorkflowError.io(path: manifestURL.path, reason: "missing adapter")
      }
      let bert = try BertModel<Float>.load(directory: base)
      let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
      var encoder = try AdaptedEncoder(
        configuration: adapter, bert: bert.configuration, base: bert.weights,
        smtBlocks: SMTBlockCodec.decode(manifest.smtBlocks))
      let file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent(ScreenerManifest.tensorsFile))
      var head: ClassificationHead<Float>? = nil
      var tensors: [String: Tensor<Float>] = [:]
      for name in file.entries.keys {
        let (shape, values) = try file.doubles(name)
        tensors[name] = Tensor(shape: shape, scalars: values.map { Float($0) })
      }
      try encoder.load(tensors, file: file.path)
      if manifest.kind == .crossEncoder {
        guard let w = tensors["head.weight"], let b = tensors["head.bias"] else {
          throw AdapterError.invalidCheckpoint(file: file.path, reason: "the cross-encoder has no head.weight / head.bias")
        }
        head = ClassificationHead(weight: w, bias: b, pooling: .mean, dropoutProbability: 0)
      }
      return TrainedScreener(manifest: manifest, model: .neural(AdapterModel(encoder: encoder, head: head), tokenizer))
    }
  }

  /// The base model directory, checked against the one the screener was trained on.
  static func checkedBase(_ base: URL?, manifest: ScreenerManifest, at manifestURL: URL) throws -> URL {
    guard let base else {
      throw WorkflowError.usage("a \(manifest.kind.rawValue) screener needs --base DIR (the model it was trained on)")
    }
    guard let expected = manifest.base else { throw WorkflowError.io(path: manifestURL.path, reason: "missing base") }
    let identity = try BaseModelIdentity.of(directory: base)
    guard identity.sha256 == expected.sha256 else {
      throw AdapterError.baseModelMismatch(
        file: manifestURL.path, expected: "\(expected.name) (sha256 \(expected.sha256.prefix(12))…)",
        found: "\(identity.name) (sha256 \(identity.sha256.prefix(12))…)")
    }
    return base
  }

  /// Scores of `texts` for `query` (higher: screen first). With `pooledChunks` (full texts), a
  /// bi-encoder embeds each text in windows of its maximum length and averages them.
  public func scores(
    query: String, texts: [String], pooledChunks: Bool = false, progress: ProgressHandler = { _ in }
  ) throws -> [Double] {
    switch model {
    case .classical(let vectorizer, let classifier):
      return try classifier.scores(vectorizer.transform(texts))
    case .embedding(let features, let classifier, let embedder):
      let embeddings = try ScreenWorkflow.embedInChunks(texts, with: embedder, progress: progress)
      let scores = try classifier.scores(features.matrix(texts: texts, embeddings: embeddings))
      // A record with neither title nor abstract scores as the average record, as in `simulate`
      // (the model is linear, so the mean score is the score of the mean row).
      return SimulateWorkflow.meanFilled(scores, where: SimulateWorkflow.withoutText(texts))
    case .neural(let m, let tokenizer):
      return try Self.neuralScores(
        model: m, tokenizer: tokenizer, kind: manifest.kind, query: query, texts: texts,
        maxLength: manifest.maxLength, queryMaxLength: manifest.queryMaxLength,
        pooledChunks: pooledChunks || manifest.stage == Stage.fullText.rawValue, progress: progress)
    }
  }

  /// Bi-encoder cosine or cross-encoder probability of inclusion for each text, in chunks with
  /// progress; adapters are merged into the weights when the method allows it.
  static func neuralScores(
    model m: AdapterModel<Float>, tokenizer: BertTokenizer, kind: ScreenerKind, query: String, texts: [String],
    maxLength: Int, queryMaxLength: Int, pooledChunks: Bool = false, progress: ProgressHandler
  ) throws -> [Double] {
    var embedder = try SentenceEmbedder(tokenizer: tokenizer, model: m.encoder.needsBranchAtInference ? BertModel(configuration: m.encoder.bert, weights: m.encoder.base) : m.encoder.merged())
    if m.encoder.needsBranchAtInference {
      let encoder = m.encoder
      embedder.forward = { batch throws(EncoderError) in
        do { return try encoder.forward(batch) } catch { throw .invalidInput(reason: "\(error)") }
      }
    }
    embedder.maxLength = maxLength
    progress(.started("score", total: texts.count))
    defer { progress(.finished("score")) }
    // Records are batched only within blocks of the screen (see `ScreenWorkflow.blockSize`).
    let chunk = ScreenWorkflow.blockSize
    var out: [Double] = []
    out.reserveCapacity(texts.count)
    switch kind {
    case .crossEncoder:
      guard let head = m.head else { throw WorkflowError.usage("the cross-encoder has no head") }
      embedder.normalize = false
      func margins(_ encodings: [Encoding]) throws -> [Double] {
        try embedder.embed(encodings: encodings).map { v in
          let logits = head.logits(pooled: Tensor(shape: [1, v.count], scalars: v))
          return Double(logits.scalars[1] - logits.scalars[0])
        }
      }
      if pooledChunks {
        // A long text is judged window by window and scored by its most relevant window
        // (MaxP, Dai & Callan 2019): one included passage makes the document relevant.
        let step = 16
        for start in stride(from: 0, to: texts.count, by: step) {
          let windows = try texts[start..<min(start + step, texts.count)].map {
            try ChunkPooling.pairEncodings(query: query, text: $0, tokenizer: tokenizer, maxLength: maxLength)
          }
          let scores = try margins(windows.flatMap { $0 })
          var offset = 0
          for w in windows {
            out.append(scores[offset..<offset + w.count].max() ?? -.infinity)
            offset += w.count
          }
          progress(.advanced(done: out.count))
        }
        return out
      }
      for start in stride(from: 0, to: texts.count, by: chunk) {
        let part = texts[start..<min(start + chunk, texts.count)]
        out += try margins(try part.map { try tokenizer.encode(query, pair: $0, maxLength: maxLength) })
        progress(.advanced(done: out.count))
      }
    default:
      embedder.maxLength = queryMaxLength
      let q = try embedder.embed([query])[0]
      embedder.maxLength = maxLength
      if pooledChunks {
        return try ChunkPooling.cosines(
          query: q, texts: texts, embedder: embedder, tokenizer: tokenizer, maxLength: maxLength, progress: progress)
      }
      for start in stride(from: 0, to: texts.count, by: chunk) {
        for v in try embedder.embed(Array(texts[start..<min(start + chunk, texts.count)])) {
          out.append(Double(ScreenWorkflow.dot(v, q)))
        }
        progress(.advanced(done: out.count))
      }
    }
    return out
  }
}

/// The TF-IDF screener's file: the fitted vectorizer and classifier.
struct ClassicalScreenerFile: Codable {
  var vectorizer: TFIDFVectorizer
  var model: ClassicalModel
}

/// The embedding screener's file (same name): its TF-IDF block, if any, and the classifier.
struct EmbeddingScreenerFile: Codable {
  var features: EmbeddingFeatures
  var model: ClassicalModel
}

/// SMT block lists in `screener.json`.
enum SMTBlockCodec {
  static func encode<S: BLASScalar>(_ blocks: [LinearSite: [SMTBlocks<S>.Block]]) -> [String: [[Int]]]? {
    guard !blocks.isEmpty else { return nil }
    var out: [String: [[Int]]] = [:]
    for (site, list) in blocks { out["\(site.layer):\(site.module.rawValue)"] = list.map { [$0.row, $0.column] } }
    return out
  }

  static func decode<S: BLASScalar>(_ stored: [String: [[Int]]]?) throws -> [LinearSite: [SMTBlocks<S>.Block]] {
    var out: [LinearSite: [SMTBlocks<S>.Block]] = [:]
    for (key, list) in stored ?? [:] {
      let parts = key.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, let layer = Int(parts[0]), let module = LinearModule(rawValue: String(parts[1])),
        list.allSatisfy({ $0.count == 2 })
      else { throw WorkflowError.usage("screener.json: bad SMT block entry '\(key)'") }
      out[LinearSite(layer: layer, module: module)] = list.map { .init(row: $0[0], column: $0[1]) }
    }
    return out
  }
}

/// The share of a ranking needed to reach each target recall, per validation review.
public enum RecallFractions {
  public static let targets: [Double] = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0]

  public static func key(_ recall: Double) -> String { String(format: "%.2f", recall) }

  /// For rankings given as relevance in rank order: `rank of the ⌈r·R⌉-th relevant / N`.
  public static func compute(_ rankings: [[Bool]]) -> [String: [Double]] {
    var out: [String: [Double]] = [:]
    for relevance in rankings {
      let total = relevance.filter { $0 }.count
      guard total > 0 else { continue }
      for r in targets {
        let needed = max(1, Int((r * Double(total) - 1e-9).rounded(.up)))
        var found = 0
        for (i, rel) in relevance.enumerated() where rel {
          found += 1
          if found == needed {
            out[key(r), default: []].append(Double(i + 1) / Double(relevance.count))
            break
          }
        }
      }
    }
    return out
  }
}

/// Full texts are longer than the encoder's window: each is cut into windows of `maxLength`
/// tokens (`[CLS] piece [SEP]`, at most `maxChunks`), the windows are embedded, and the
/// document's vector is the mean of its windows' unit vectors, normalised again.
enum ChunkPooling {
  static func encodings(_ text: String, tokenizer: BertTokenizer, maxLength: Int, maxChunks: Int = 16) -> [Encoding] {
    let ids = tokenizer.tokenIDs(text)
    let width = max(1, maxLength - 2)
    var out: [Encoding] = []
    var start = 0
    repeat {
      let piece = Array(ids[start..<min(start + width, ids.count)])
      let full = [tokenizer.classID] + piece + [tokenizer.separatorID]
      out.append(Encoding(inputIDs: full, tokenTypeIDs: [Int32](repeating: 0, count: full.count)))
      start += width
    } while start < ids.count && out.count < maxChunks
    return out
  }

  /// Windows of a (query, text) pair for a cross-encoder: the first is exactly what
  /// `encode(query, pair: text, maxLength:)` gives; the rest carry the same (possibly truncated)
  /// query beside the text's following pieces, at most `maxChunks` in all.
  static func pairEncodings(
    query: String, text: String, tokenizer: BertTokenizer, maxLength: Int, maxChunks: Int = 16
  ) throws -> [Encoding] {
    let a = tokenizer.tokenIDs(query), b = tokenizer.tokenIDs(text)
    // No text, or no room for one: the tokenizer's own encoding (or its error).
    guard maxLength >= 3, !b.isEmpty else { return [try tokenizer.encode(query, pair: text, maxLength: maxLength)] }
    // longest_first's split of the first window; later windows keep it.
    let (n1, n2) = BertTokenizer.longestFirst(a.count, b.count, budget: maxLength - 3)
    guard n2 > 0 else { return [try tokenizer.encode(query, pair: text, maxLength: maxLength)] }
    let head = [tokenizer.classID] + a.prefix(n1) + [tokenizer.separatorID]
    var out: [Encoding] = []
    var start = 0
    while start < b.count && out.count < maxChunks {
      let piece = b[start..<min(start + n2, b.count)]
      out.append(
        Encoding(
          inputIDs: head + piece + [tokenizer.separatorID],
          tokenTypeIDs: [Int32](repeating: 0, count: head.count) + [Int32](repeating: 1, count: piece.count + 1)))
      start += n2
    }
    return out
  }

  /// cosine(query, pooled document vector) per text, with progress per document.
  static func cosines(
    query: [Float], texts: [String], embedder: SentenceEmbedder, tokenizer: BertTokenizer, maxLength: Int,
    progress: ProgressHandler
  ) throws -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(texts.count)
    let step = 16
    for start in stride(from: 0, to: texts.count, by: step) {
      let part = texts[start..<min(start + step, texts.count)]
      let windows = part.map { encodings($0, tokenizer: tokenizer, maxLength: maxLength) }
      let vectors = try embedder.embed(encodings: windows.flatMap { $0 })
      var offset = 0
      for w in windows {
        var mean = [Float](repeating: 0, count: query.count)
        for v in vectors[offset..<offset + w.count] { for j in mean.indices { mean[j] += v[j] } }
        offset += w.count
        let norm = max(mean.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        out.append(Double(ScreenWorkflow.dot(mean, query) / norm))
      }
      progress(.advanced(done: out.count))
    }
    return out
  }
}
