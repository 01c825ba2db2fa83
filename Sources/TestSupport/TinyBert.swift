import Corpus
import Encoder
import Foundation

/// A tiny BERT checkpoint directory (config.json, vocab.txt, model.safetensors) with random weights.
public enum TinyBert {
  public static let special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
  public static let words = [
    "adhd", "estrogens", "stimulant", "trial", "in", "children", "with", "methylphenidate", "versus", "placebo", "for",
    "a", "randomized", "controlled", "of", "dose", "school", "long", "term", "efficacy", "estrogen", "therapy", "women",
    "after", "menopause", "hormone", "and", "bone", "density", "safety", "case", "report", "heart", "risk", "cost", "care",
    "adult", "patients", "letter", "on", "the", "model", "cell", "study", "rat", "survey", "cancer", "breast", "short",
    "outcome", "group", "review", "effect", "x", ",", ".",
  ]

  public static func write(to directory: URL, seed: UInt64) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let vocab = special + words
    let c = try BertConfiguration(
      hiddenSize: 16, layerCount: 2, headCount: 4, intermediateSize: 32, vocabSize: vocab.count, maxPositionEmbeddings: 64)
    let config = """
      {"architectures":["BertModel"],"hidden_size":16,"num_hidden_layers":2,"num_attention_heads":4,
       "intermediate_size":32,"vocab_size":\(vocab.count),"max_position_embeddings":64,"type_vocab_size":2,
       "layer_norm_eps":1e-12,"hidden_act":"gelu","model_type":"bert","pad_token_id":0}
      """
    try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
    try Data((vocab.joined(separator: "\n") + "\n").utf8).write(to: directory.appendingPathComponent("vocab.txt"))
    var rng = SplitMix64(seed: seed)
    var values = BertWeights<Float>.random(configuration: c, using: &rng).safeTensorsValues()
    values.append(.int64("embeddings.position_ids", shape: [1, 64], (0..<64).map { Int64($0) }))
    try SafeTensorsWriter.write(values, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
  }
}
