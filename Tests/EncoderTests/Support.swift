import Corpus
import Foundation
import Tensor
import Text

@testable import Encoder

/// The tiny configuration unit tests use: 2 layers, hidden 16, 4 heads, FFN 32, vocab 40.
func tinyConfiguration() throws -> BertConfiguration {
  try BertConfiguration(
    hiddenSize: 16, layerCount: 2, headCount: 4, intermediateSize: 32, vocabSize: 40,
    maxPositionEmbeddings: 24, typeVocabSize: 2, layerNormEpsilon: 1e-12)
}

func tinyModel(seed: UInt64 = 1) throws -> BertModel<Double> {
  var rng = SplitMix64(seed: seed)
  let c = try tinyConfiguration()
  return try BertModel(configuration: c, weights: .random(configuration: c, using: &rng))
}

func temporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("encoder-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Writes a tiny checkpoint directory (config.json, vocab.txt, model.safetensors).
func writeTinyCheckpoint(_ model: BertModel<Double>, to dir: URL, prefix: String = "", vocabTokens: Int? = nil) throws {
  let c = model.configuration
  let config = """
    {"architectures":["BertModel"],"hidden_size":\(c.hiddenSize),"num_hidden_layers":\(c.layerCount),
     "num_attention_heads":\(c.headCount),"intermediate_size":\(c.intermediateSize),"vocab_size":\(c.vocabSize),
     "max_position_embeddings":\(c.maxPositionEmbeddings),"type_vocab_size":\(c.typeVocabSize),
     "layer_norm_eps":1e-12,"hidden_act":"gelu","model_type":"bert","pad_token_id":0}
    """
  try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
  let special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
  let words = ["the", "trial", "random", "##ized", "hip", "fracture", ",", ".", "a", "b"]
  var vocab = special + words
  while vocab.count < (vocabTokens ?? c.vocabSize) { vocab.append("tok\(vocab.count)") }
  try Data((vocab.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("vocab.txt"))
  var values = model.weights.safeTensorsValues()
  for i in values.indices { values[i].name = prefix + values[i].name }
  values.append(
    .int64(
      prefix + "embeddings.position_ids", shape: [1, c.maxPositionEmbeddings],
      (0..<Int64(c.maxPositionEmbeddings)).map { $0 }))
  try SafeTensorsWriter.write(values, metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors"))
}

/// A plain, loop-by-loop BERT forward in Double: the reference for the fast path.
enum NaiveBert {
  static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

  static func linear(_ x: [Double], _ w: Tensor<Double>, _ b: Tensor<Double>) -> [Double] {
    let (out, inp) = (w.shape[0], w.shape[1])
    return (0..<out).map { o in
      var s = b.scalars[o]
      for i in 0..<inp { s += w.scalars[o * inp + i] * x[i] }
      return s
    }
  }

  static func layerNorm(_ v: [Double], _ g: Tensor<Double>, _ b: Tensor<Double>, eps: Double) -> [Double] {
    let n = Double(v.count)
    let mean = v.reduce(0, +) / n
    let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
    return v.indices.map { (v[$0] - mean) / (variance + eps).squareRoot() * g.scalars[$0] + b.scalars[$0] }
  }

  /// Hidden states `[T][H]` of one unpadded sequence of ids.
  static func forward(_ model: BertModel<Double>, ids: [Int32], types: [Int32]? = nil, validKeys: Int? = nil)
    -> [[Double]]
  {
    let c = model.configuration
    let w = model.weights
    let h = c.hiddenSize
    let t = ids.count
    let keys = validKeys ?? t
    let types = types ?? [Int32](repeating: 0, count: t)
    var x: [[Double]] = (0..<t).map { p in
      let v = (0..<h).map {
        w[.word][Int(ids[p]), $0] + w[.position][p, $0] + w[.type][Int(types[p]), $0]
      }
      return layerNorm(v, w[.normWeight], w[.normBias], eps: c.layerNormEpsilon)
    }
    let dh = c.headSize
    for l in w.layers {
      let qkv = x.map { linear($0, l[.qkvWeight], l[.qkvBias]) }
      var ctx = [[Double]](repeating: [Double](repeating: 0, count: h), count: t)
      for head in 0..<c.headCount {
        for i in 0..<t {
          var scores = [Double](repeating: -.infinity, count: t)
          for j in 0..<keys {
            var s = 0.0
            for d in 0..<dh { s += qkv[i][head * dh + d] * qkv[j][h + head * dh + d] }
            scores[j] = s / Double(dh).squareRoot()
          }
          let m = scores.max() ?? 0
          let e = scores.map { exp($0 - m) }
          let z = e.reduce(0, +)
          for d in 0..<dh {
            var s = 0.0
            for j in 0..<t { s += e[j] / z * qkv[j][2 * h + head * dh + d] }
            ctx[i][head * dh + d] = s
          }
        }
      }
      for i in 0..<t {
        let a = linear(ctx[i], l[.attentionOutputWeight], l[.attentionOutputBias])
        let y = layerNorm(zip(a, x[i]).map(+), l[.attentionNormWeight], l[.attentionNormBias], eps: c.layerNormEpsilon)
        let mid = linear(y, l[.intermediateWeight], l[.intermediateBias]).map(gelu)
        let o = linear(mid, l[.outputWeight], l[.outputBias])
        x[i] = layerNorm(zip(o, y).map(+), l[.outputNormWeight], l[.outputNormBias], eps: c.layerNormEpsilon)
      }
    }
    return x
  }
}

/// The real model's directory: `CSMED_MODEL_DIR`, else `data/models/all-MiniLM-L6-v2` under the
/// package root. Nil when it has no model.safetensors.
let realModelDirectory: URL? = {
  let env = ProcessInfo.processInfo.environment["CSMED_MODEL_DIR"]
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  let dir = env.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("data/models/all-MiniLM-L6-v2")
  return FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) ? dir : nil
}()

let realModelMissing =
  "needs the all-MiniLM-L6-v2 checkpoint: set CSMED_MODEL_DIR or unpack it into data/models/all-MiniLM-L6-v2"

extension Array where Element: BLASScalar {
  mutating func withMutableBase<R>(_ body: (UnsafeMutablePointer<Element>) -> R) -> R {
    withUnsafeMutableBufferPointer { body($0.requiredBaseAddress) }
  }

  func withBase<R>(_ body: (UnsafePointer<Element>) -> R) -> R {
    withUnsafeBufferPointer { body($0.requiredBaseAddress) }
  }
}
