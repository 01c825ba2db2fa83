import Adapters
import Corpus
import Encoder
import Foundation
import Tensor
import Testing
import Text

@testable import Workflows

/// `PEFTWorkflow`: export → import round trips on a tiny random BERT, and the errors.
@Suite struct PEFTTests {
  // MARK: Fixtures

  static func temporaryDirectory(_ tag: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("peft-tests-\(tag)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A tiny random BERT checkpoint (config.json, vocab.txt, model.safetensors): 2 layers,
  /// hidden 16, 4 heads, FFN 32, 64 positions.
  static func tinyBase(seed: UInt64 = 7) throws -> URL {
    let dir = try temporaryDirectory("base")
    let c = try BertConfiguration(
      hiddenSize: 16, layerCount: 2, headCount: 4, intermediateSize: 32, vocabSize: 60, maxPositionEmbeddings: 64,
      typeVocabSize: 2, layerNormEpsilon: 1e-12)
    let config = """
      {"architectures":["BertModel"],"hidden_size":16,"num_hidden_layers":2,"num_attention_heads":4,
       "intermediate_size":32,"vocab_size":60,"max_position_embeddings":64,"type_vocab_size":2,
       "layer_norm_eps":1e-12,"hidden_act":"gelu","model_type":"bert","pad_token_id":0}
      """
    try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
    var vocab = [
      "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "for", "in", "of", "and", "a", "the", "with", ":", "-", "/",
    ]
    vocab += ["trial", "random", "##ised", "hip", "fracture", "adults", "children", "after", "safety", "study"]
    while vocab.count < c.vocabSize { vocab.append("tok\(vocab.count)") }
    try Data((vocab.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("vocab.txt"))
    var rng = SplitMix64(seed: seed)
    let weights = BertWeights<Float>.random(configuration: c, standardDeviation: 0.3, using: &rng)
    try SafeTensorsWriter.write(
      weights.safeTensorsValues(), metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors"))
    return dir
  }

  /// A screener directory with randomised adapter tensors (and head, for a cross-encoder).
  static func screener(_ adapter: AdapterConfiguration, kind: ScreenerKind = .biEncoder, base: URL, seed: UInt64 = 11)
    throws -> URL
  {
    let bert = try BertModel<Float>.load(directory: base)
    var encoder = try AdaptedEncoder<Float>(configuration: adapter, bert: bert.configuration, base: bert.weights)
    var rng = SplitMix64(seed: seed)
    func noise(_ n: Int, _ scale: Double) -> [Float] {
      (0..<n).map { _ in Float(Double.random(in: -scale...scale, using: &rng)) }
    }
    encoder.updateEach { name, t in
      if name.hasSuffix("lora_magnitude_vector") {
        // Away from the row norms, so the magnitudes matter.
        t = Tensor(shape: t.shape, scalars: zip(t.scalars, noise(t.count, 0.3)).map { $0 * (1 + $1) })
      } else if adapter.method == .pissa || adapter.method == .goat {
        t = Tensor(shape: t.shape, scalars: zip(t.scalars, noise(t.count, 0.2)).map { $0 + $1 })
      } else {
        t = Tensor(shape: t.shape, scalars: noise(t.count, 0.4))
      }
    }
    var head: ClassificationHead<Float>? = nil
    if kind == .crossEncoder {
      head = ClassificationHead(
        weight: Tensor(shape: [2, 16], scalars: noise(32, 0.5)), bias: Tensor(shape: [2], scalars: noise(2, 0.5)),
        pooling: .mean, dropoutProbability: 0)
    }
    let dir = try temporaryDirectory("screener")
    var options = TrainWorkflow.Options(
      database: dir.appendingPathComponent("none.sqlite"), train: try ReviewSelection(parsing: "review:1"), base: base,
      output: dir)
    options.kind = kind
    options.adapter = adapter
    options.maxLength = 64
    try TrainWorkflow.saveModel(
      AdapterModel(encoder: encoder, head: head), options: options, identity: try BaseModelIdentity.of(directory: base),
      smtBlocks: [:], train: [], epoch: 1, validation: .init())
    return dir
  }

  static func neural(_ dir: URL, base: URL) throws -> AdapterModel<Float> {
    guard case .neural(let m, _) = try TrainedScreener.load(directory: dir, base: base).model else {
      throw WorkflowError.usage("not neural")
    }
    return m
  }

  /// Max |difference| of the merged weights of every linear map.
  static func mergedDifference(_ x: AdapterModel<Float>, _ y: AdapterModel<Float>) -> Float {
    let (wx, wy) = (x.encoder.denseWeights(branch: false), y.encoder.denseWeights(branch: false))
    var worst: Float = 0
    for l in 0..<x.encoder.bert.layerCount {
      for m in LinearModule.allCases {
        let site = LinearSite(layer: l, module: m)
        worst = max(worst, wx.weight(at: site).maxAbsDifference(wy.weight(at: site)))
      }
    }
    return worst
  }

  /// Max |merged − base| over the adapted sites.
  static func adapterEffect(_ x: AdapterModel<Float>) -> Float {
    let merged = x.encoder.denseWeights(branch: false)
    return x.encoder.adapters.map { merged.weight(at: $0.site).maxAbsDifference(x.encoder.base.weight(at: $0.site)) }
      .max() ?? 0
  }

  static func json(_ url: URL) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
  }

  // MARK: Round trips

  struct Case: Sendable, CustomStringConvertible {
    var adapter: AdapterConfiguration
    var rank: Int
    var alpha: Double
    var targets: [String]?
    var regex: Bool
    var layers: [Int]?
    var description: String {
      "\(adapter.method.rawValue) \(adapter.targets.map(\.rawValue)) freeze \(adapter.freezeLayers)"
    }
  }

  static let cases: [Case] = [
    Case(
      adapter: AdapterConfiguration(method: .lora, rank: 3), rank: 3, alpha: 3, targets: ["query", "value"],
      regex: false,
      layers: nil),
    Case(
      adapter: AdapterConfiguration(method: .rslora, rank: 4, alpha: 6, targets: [.key, .output], freezeLayers: 1),
      rank: 4,
      alpha: 6, targets: nil, regex: true, layers: nil),
    Case(
      adapter: AdapterConfiguration(
        method: .dora, rank: 2, alpha: 3, targets: [.attentionOutput, .intermediate, .output], freezeLayers: 1),
      rank: 2, alpha: 3, targets: ["attention.output.dense", "intermediate.dense", "output.dense"], regex: false,
      layers: [1]),
    Case(
      adapter: AdapterConfiguration(method: .pissa, rank: 2, alpha: 4, targets: [.query, .value, .intermediate]),
      rank: 4,
      alpha: 8, targets: ["query", "value", "intermediate.dense"], regex: false, layers: nil),
  ]

  @Test(arguments: cases)
  func exportImportRoundTrip(_ c: Case) throws {
    let base = try Self.tinyBase()
    let dir = try Self.screener(c.adapter, base: base)
    let out = try Self.temporaryDirectory("peft")
    let report = try PEFTWorkflow.export(screenerDirectory: dir, base: base, output: out)
    #expect(report.rank == c.rank)

    let config = try Self.json(out.appendingPathComponent(PEFTWorkflow.configFile))
    #expect(config["peft_type"] as? String == "LORA")
    #expect(config["task_type"] is NSNull)
    #expect((config["r"] as? NSNumber)?.intValue == c.rank)
    #expect((config["lora_alpha"] as? NSNumber)?.doubleValue == c.alpha)
    #expect((config["use_dora"] as? NSNumber)?.boolValue == (c.adapter.method == .dora))
    #expect((config["use_rslora"] as? NSNumber)?.boolValue == (c.adapter.method == .rslora))
    #expect(config["bias"] as? String == "none")
    if c.regex {
      let pattern = try #require(config["target_modules"] as? String)
      #expect(config["layers_to_transform"] is NSNull)
      // Python's re.fullmatch semantics: the whole module name.
      let re = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
      func matches(_ s: String) -> Bool { re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
      #expect(matches("encoder.layer.1.output.dense"))
      #expect(matches("encoder.layer.1.attention.self.key"))
      #expect(matches("bert.encoder.layer.1.output.dense"))
      #expect(!matches("encoder.layer.1.attention.output.dense"))
      #expect(!matches("encoder.layer.0.output.dense"))
      #expect(!matches("encoder.layer.1.attention.self.query"))
    } else {
      #expect(Set(try #require(config["target_modules"] as? [String])) == Set(c.targets ?? []))
      if let layers = c.layers {
        #expect((config["layers_to_transform"] as? [NSNumber])?.map(\.intValue) == layers)
      } else {
        #expect(config["layers_to_transform"] is NSNull)
      }
    }

    let file = try SafeTensorsFile(contentsOf: out.appendingPathComponent(PEFTWorkflow.tensorsFile))
    let sites = c.adapter.sites(try BertModel<Float>.load(directory: base).configuration)
    var expectedNames: Set<String> = []
    for s in sites {
      expectedNames.insert("base_model.model.\(s).lora_A.weight")
      expectedNames.insert("base_model.model.\(s).lora_B.weight")
      if c.adapter.method == .dora { expectedNames.insert("base_model.model.\(s).lora_magnitude_vector") }
    }
    #expect(Set(file.names) == expectedNames)
    for name in file.names { #expect(file.entries[name]?.dtype == .f32) }
    if let s = sites.first {
      #expect(file.entries["base_model.model.\(s).lora_A.weight"]?.shape[0] == c.rank)
    }
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(PEFTWorkflow.headFile).path))

    // The reference holds csmed's pooled hidden states for the fixed inputs.
    let reference = try JSONDecoder().decode(
      PEFTWorkflow.Reference.self, from: Data(contentsOf: out.appendingPathComponent(PEFTWorkflow.referenceFile)))
    #expect(reference.items.count == PEFTWorkflow.referenceInputs.count)
    #expect(reference.items.allSatisfy { $0.pooled.count == 16 && $0.logits == nil })
    #expect(reference.items.contains { $0.tokenTypeIDs.contains(1) })

    // Import it back: the merged weights are the screener's (PiSSA: a rank-2r LoRA on the original weights).
    let imported = try Self.temporaryDirectory("imported")
    let ir = try PEFTWorkflow.import(peftDirectory: out, base: base, output: imported)
    let expectedMethod: AdapterMethod = c.adapter.method == .pissa ? .lora : c.adapter.method
    #expect(ir.configuration.method == expectedMethod)
    #expect(ir.configuration.rank == c.rank)
    #expect(ir.configuration.freezeLayers == c.adapter.freezeLayers)
    #expect(Set(ir.configuration.targets) == Set(c.adapter.targets))
    let original = try Self.neural(dir, base: base)
    let back = try Self.neural(imported, base: base)
    #expect(Self.mergedDifference(original, back) < 1e-5)
    #expect(Self.adapterEffect(original) > 1e-2)  // not trivially equal: the adapters move the weights
    // And the imported screener reproduces the reference outputs.
    let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
    let again = try PEFTWorkflow.reference(
      model: back, tokenizer: tokenizer, kind: .biEncoder, method: ir.configuration.method)
    for (x, y) in zip(reference.items, again.items) {
      #expect(x.inputIDs == y.inputIDs)
      #expect(zip(x.pooled, y.pooled).map { abs($0 - $1) }.max() ?? 1 < 1e-4)
    }
    // It scores like any screener.
    let scores = try TrainedScreener.load(directory: imported, base: base).scores(
      query: "hip fracture", texts: ["a trial", "children"])
    #expect(scores.count == 2 && scores.allSatisfy(\.isFinite))
  }

  @Test func crossEncoderWritesHeadAndLogits() throws {
    let base = try Self.tinyBase()
    let dir = try Self.screener(AdapterConfiguration(method: .lora, rank: 2), kind: .crossEncoder, base: base)
    let out = try Self.temporaryDirectory("peft")
    let report = try PEFTWorkflow.export(screenerDirectory: dir, base: base, output: out)
    #expect(report.files.contains(PEFTWorkflow.headFile))
    let model = try Self.neural(dir, base: base)
    let headFile = try SafeTensorsFile(contentsOf: out.appendingPathComponent(PEFTWorkflow.headFile))
    let head = try #require(model.head)
    #expect(try headFile.floats("head.weight").scalars == head.weight.scalars)
    #expect(try headFile.floats("head.weight").shape == [2, 16])
    #expect(try headFile.floats("head.bias").scalars == head.bias.scalars)
    let reference = try JSONDecoder().decode(
      PEFTWorkflow.Reference.self, from: Data(contentsOf: out.appendingPathComponent(PEFTWorkflow.referenceFile)))
    #expect(reference.kind == "cross-encoder")
    for item in reference.items {
      let logits = try #require(item.logits)
      let expected = head.logits(pooled: Tensor(shape: [1, 16], scalars: item.pooled)).scalars
      #expect(zip(logits, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }
  }

  /// PEFT's DoRA with `use_rslora` (scale α/√r) imports as csmed DoRA with α' = α√r.
  @Test func doraWithRSLoRAScaleImports() throws {
    let base = try Self.tinyBase()
    let adapter = AdapterConfiguration(method: .dora, rank: 4, alpha: 6, targets: [.query, .value])
    let dir = try Self.screener(adapter, base: base)
    let out = try Self.temporaryDirectory("peft")
    try PEFTWorkflow.export(screenerDirectory: dir, base: base, output: out)
    // Same scale 6 / 4 written the rsLoRA way: α / √4 = 1.5 → α = 3.
    try Self.editConfig(out) {
      $0["use_rslora"] = true; $0["lora_alpha"] = 3
    }
    let imported = try Self.temporaryDirectory("imported")
    let ir = try PEFTWorkflow.import(peftDirectory: out, base: base, output: imported)
    #expect(ir.configuration.method == .dora)
    #expect(abs(ir.configuration.scaling - 1.5) < 1e-12)
    #expect(Self.mergedDifference(try Self.neural(dir, base: base), try Self.neural(imported, base: base)) < 1e-5)
  }

  @Test func keyNames() {
    let q = LinearSite(layer: 3, module: .query)
    #expect(
      PEFTWorkflow.parseKey("base_model.model.encoder.layer.3.attention.self.query.lora_A.weight")! == (
        q, "lora_A.weight"
      ))
    #expect(
      PEFTWorkflow.parseKey("base_model.model.bert.encoder.layer.3.attention.self.query.lora_B.weight")! == (
        q, "lora_B.weight"
      ))
    #expect(
      PEFTWorkflow.parseKey("encoder.layer.3.attention.self.query.lora_magnitude_vector")! == (
        q, "lora_magnitude_vector"
      ))
    #expect(
      PEFTWorkflow.parseKey("encoder.layer.0.attention.output.dense.lora_A.weight")!
        == (LinearSite(layer: 0, module: .attentionOutput), "lora_A.weight"))
    #expect(
      PEFTWorkflow.parseKey("encoder.layer.1.output.dense.lora_B.weight")! == (
        LinearSite(layer: 1, module: .output), "lora_B.weight"
      ))
    #expect(PEFTWorkflow.parseKey("base_model.model.classifier.weight") == nil)
    #expect(PEFTWorkflow.parseKey("encoder.layer.1.attention.self.query.lora_embedding_A") == nil)
    #expect(PEFTWorkflow.parseKey("encoder.layer.x.attention.self.query.lora_A.weight") == nil)
  }

  // MARK: Errors

  static func editConfig(_ dir: URL, _ edit: (inout [String: Any]) -> Void) throws {
    let url = dir.appendingPathComponent(PEFTWorkflow.configFile)
    var config = try json(url)
    edit(&config)
    try JSONSerialization.data(withJSONObject: config).write(to: url)
  }

  static func usageMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch let WorkflowError.usage(message) { return message } catch { return "unexpected \(error)" }
    return nil
  }

  @Test func importRejectsUnsupportedConfigurations() throws {
    let base = try Self.tinyBase()
    let dir = try Self.screener(AdapterConfiguration(method: .lora, rank: 2), base: base)
    let out = try Self.temporaryDirectory("peft")
    try PEFTWorkflow.export(screenerDirectory: dir, base: base, output: out)
    let pristine = try Data(contentsOf: out.appendingPathComponent(PEFTWorkflow.configFile))
    let edits: [(String, (inout [String: Any]) -> Void)] = [
      ("peft_type", { $0["peft_type"] = "IA3" }),
      ("bias", { $0["bias"] = "all" }),
      ("fan_in_fan_out", { $0["fan_in_fan_out"] = true }),
      ("rank_pattern", { $0["rank_pattern"] = ["query": 4] }),
      ("alpha_pattern", { $0["alpha_pattern"] = ["query": 4] }),
      ("init_lora_weights", { $0["init_lora_weights"] = "pissa" }),
      ("modules_to_save", { $0["modules_to_save"] = ["classifier"] }),
      ("lora_A.weight' has shape [2, 16], expected [5, 16]", { $0["r"] = 5 }),
      ("lora_dropout", { $0["lora_dropout"] = 1.5 }),
      ("lora_dropout", { $0["lora_dropout"] = -0.1 }),
      ("lora_dropout", { $0["lora_dropout"] = "0.1" }),
      ("lora_alpha", { $0["lora_alpha"] = 0 }),
      ("r", { $0["r"] = 2.5 }),
    ]
    for (key, edit) in edits {
      try pristine.write(to: out.appendingPathComponent(PEFTWorkflow.configFile))
      try Self.editConfig(out, edit)
      let message = Self.usageMessage {
        try PEFTWorkflow.import(peftDirectory: out, base: base, output: try Self.temporaryDirectory("imported"))
      }
      #expect(message?.contains(key) == true, "\(key): \(message ?? "no error")")
    }
    // A tensor csmed cannot place, named in the error.
    try pristine.write(to: out.appendingPathComponent(PEFTWorkflow.configFile))
    let file = try SafeTensorsFile(contentsOf: out.appendingPathComponent(PEFTWorkflow.tensorsFile))
    var values = try file.names.map { n in
      SafeTensorsValue.float(n, shape: try file.floats(n).shape, try file.floats(n).scalars)
    }
    values.append(.float("base_model.model.classifier.weight", shape: [2, 16], [Float](repeating: 0, count: 32)))
    try SafeTensorsWriter.write(values, to: out.appendingPathComponent(PEFTWorkflow.tensorsFile))
    let message = Self.usageMessage {
      try PEFTWorkflow.import(peftDirectory: out, base: base, output: try Self.temporaryDirectory("imported"))
    }
    #expect(message?.contains("classifier.weight") == true, "\(message ?? "no error")")
  }

  @Test("adapter_config.json alone: defaults, the settings read, and refusals naming the key")
  func adapterConfigParse() throws {
    let plain = try PEFTWorkflow.AdapterConfig.parse(Data(#"{"peft_type": "LORA", "r": 4}"#.utf8), path: "c.json")
    #expect(plain == .init(rank: 4, alpha: 8, useDoRA: false, useRSLoRA: false, dropout: 0))
    let full = try PEFTWorkflow.AdapterConfig.parse(
      Data(#"{"peft_type": "LORA", "r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "use_dora": true, "use_rslora": true, "bias": "none"}"#.utf8),
      path: "c.json")
    #expect(full == .init(rank: 8, alpha: 16, useDoRA: true, useRSLoRA: true, dropout: 0.05))
    for (text, key) in [
      ("[1, 2]", "not a JSON object"), ("{", "not a JSON object"), (#"{"r": 4}"#, "peft_type"),
      (#"{"peft_type": "LORA", "r": 0}"#, "'r'"), (#"{"peft_type": "LORA", "r": 1e300}"#, "'r'"),
      (#"{"peft_type": "LORA", "r": 2, "lora_alpha": -1}"#, "lora_alpha"),
    ] {
      do {
        _ = try PEFTWorkflow.AdapterConfig.parse(Data(text.utf8), path: "c.json")
        Issue.record("accepted \(text)")
      } catch {
        #expect("\(error)".contains(key) && "\(error)".contains("c.json"), "\(text): \(error)")
      }
    }
  }

  @Test func importRejectsUnevenLayers() throws {
    let base = try Self.tinyBase()
    let dir = try Self.screener(AdapterConfiguration(method: .lora, rank: 2, targets: [.query, .value]), base: base)
    let out = try Self.temporaryDirectory("peft")
    try PEFTWorkflow.export(screenerDirectory: dir, base: base, output: out)
    let url = out.appendingPathComponent(PEFTWorkflow.tensorsFile)
    let file = try SafeTensorsFile(contentsOf: url)
    let kept = file.names.filter { !$0.contains("layer.1.attention.self.value") }
    try SafeTensorsWriter.write(
      try kept.map { n in SafeTensorsValue.float(n, shape: try file.floats(n).shape, try file.floats(n).scalars) },
      to: url)
    let message = Self.usageMessage {
      try PEFTWorkflow.import(peftDirectory: out, base: base, output: try Self.temporaryDirectory("imported"))
    }
    #expect(message?.contains("layer 1") == true, "\(message ?? "no error")")
  }

  @Test func exportRefusesGOATAndClassicalScreeners() throws {
    let base = try Self.tinyBase()
    let goat = try Self.screener(AdapterConfiguration(method: .goat, rank: 4, experts: 2, topK: 1), base: base)
    let message = Self.usageMessage {
      try PEFTWorkflow.export(screenerDirectory: goat, base: base, output: try Self.temporaryDirectory("peft"))
    }
    #expect(message?.contains("'goat'") == true, "\(message ?? "no error")")

    // A TF-IDF screener has no adapter.
    let classical = try Self.temporaryDirectory("tfidf")
    let manifest = ScreenerManifest(
      kind: .tfidfLR, stage: "ta", base: nil, adapter: nil, smtBlocks: nil, maxLength: 256, queryMaxLength: 128,
      trainedOn: [], selectedEpoch: 1, validation: [:], createdAt: "now")
    try TrainWorkflow.writeManifest(manifest, to: classical)
    let m2 = Self.usageMessage {
      try PEFTWorkflow.export(screenerDirectory: classical, base: base, output: try Self.temporaryDirectory("peft"))
    }
    #expect(m2?.contains("tfidf-lr") == true, "\(m2 ?? "no error")")
  }

  @Test func missingFiles() throws {
    let base = try Self.tinyBase()
    let empty = try Self.temporaryDirectory("empty")
    #expect(throws: WorkflowError.missingInput(path: empty.appendingPathComponent("adapter_config.json").path)) {
      try PEFTWorkflow.import(peftDirectory: empty, base: base, output: try Self.temporaryDirectory("imported"))
    }
    try Data("{\"peft_type\": \"LORA\", \"r\": 2}".utf8).write(to: empty.appendingPathComponent("adapter_config.json"))
    #expect(throws: WorkflowError.missingInput(path: empty.appendingPathComponent("adapter_model.safetensors").path)) {
      try PEFTWorkflow.import(peftDirectory: empty, base: base, output: try Self.temporaryDirectory("imported"))
    }
    #expect(throws: WorkflowError.missingInput(path: empty.appendingPathComponent("screener.json").path)) {
      try PEFTWorkflow.export(screenerDirectory: empty, base: base, output: try Self.temporaryDirectory("peft"))
    }
  }
}

/// Full texts through a cross-encoder: windows of the pair, scored by the best window (MaxP).
@Suite struct CrossEncoderWindowTests {
  @Test("pair windows: the first is the plain truncated pair, the rest carry the text on under the same query")
  func windows() throws {
    let base = try PEFTTests.tinyBase()
    let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
    let query = "hip fracture in adults"
    let short = "random ##ised trial"
    #expect(try ChunkPooling.pairEncodings(query: query, text: short, tokenizer: tokenizer, maxLength: 16)
      == [try tokenizer.encode(query, pair: short, maxLength: 16)])
    let long = Array(repeating: "safety study of children after hip fracture", count: 6).joined(separator: " ")
    let windows = try ChunkPooling.pairEncodings(query: query, text: long, tokenizer: tokenizer, maxLength: 16)
    #expect(windows.first == (try tokenizer.encode(query, pair: long, maxLength: 16)))
    #expect(windows.count > 1 && windows.allSatisfy { $0.count <= 16 })
    let queryPart = windows[0].inputIDs.prefix { $0 != tokenizer.separatorID }
    #expect(windows.allSatisfy { Array($0.inputIDs.prefix(queryPart.count)) == Array(queryPart) })
    // The text's pieces, in order, rebuild its token ids.
    let pieces = windows.flatMap { w in zip(w.inputIDs, w.tokenTypeIDs).filter { $0.1 == 1 }.map(\.0).dropLast() as ArraySlice<Int32> }
    #expect(pieces == tokenizer.tokenIDs(long))
    #expect(try ChunkPooling.pairEncodings(query: query, text: long, tokenizer: tokenizer, maxLength: 16, maxChunks: 2).count == 2)
  }

  @Test("a cross-encoder scores a long text by its best window; a short one as before")
  func maxP() throws {
    let base = try PEFTTests.tinyBase()
    let dir = try PEFTTests.screener(AdapterConfiguration(method: .lora), kind: .crossEncoder, base: base)
    let screener = try TrainedScreener.load(directory: dir, base: base)
    let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
    let query = "hip fracture"
    let short = "random trial of adults"
    // 59 filler tokens fill the first window exactly (64 - 3 special - 2 query), the tail is the second.
    let filler = Array(repeating: "safety study of children", count: 14).joined(separator: " ") + " after after after"
    let tail = "random trial of adults after hip fracture"
    try #require(tokenizer.tokenIDs(filler).count == 59)
    let long = filler + " " + tail
    #expect(try ChunkPooling.pairEncodings(query: query, text: long, tokenizer: tokenizer, maxLength: 64).count == 2)
    let pooled = try screener.scores(query: query, texts: [short, long], pooledChunks: true)
    let plain = try screener.scores(query: query, texts: [short, long], pooledChunks: false)
    #expect(abs(pooled[0] - plain[0]) < 1e-5)
    let perWindow = try screener.scores(query: query, texts: [filler, tail], pooledChunks: false)
    #expect(abs(pooled[1] - (perWindow.max() ?? 0)) < 1e-4, "\(pooled[1]) vs \(perWindow)")
    #expect(abs(plain[1] - perWindow[0]) < 1e-4, "unpooled, the text is cut after its first window")
  }
}
