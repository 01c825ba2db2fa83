import Adapters
import Encoder
import Foundation
import Ingest
import Tensor
import Text

/// `csmed export-adapter --format peft` and `csmed import-adapter`: Hugging Face PEFT
/// interoperability for the LoRA family on a BERT base.
///
/// An export directory holds what `PeftModel.from_pretrained(BertModel, dir)` reads (PEFT 0.21):
/// - `adapter_config.json`, a `LoraConfig.to_dict()` for a `BertModel` base (`task_type` null);
/// - `adapter_model.safetensors` (F32) with PEFT's saved names,
///   `base_model.model.encoder.layer.N.<module>.lora_A.weight` `[r, in]`, `.lora_B.weight`
///   `[out, r]` and, for DoRA, `.lora_magnitude_vector` `[out]`;
/// - `csmed_head.safetensors` (`head.weight` `[C, H]`, `head.bias` `[C]`) for a cross-encoder:
///   logits are `mean_pool(last_hidden_state) Wᵀ + b`, the mean over the attention mask, no pooler;
/// - `csmed_reference.json`: a few fixed inputs with csmed's token ids, mean-pooled (not
///   normalised) last hidden states and logits, for `scripts/peft_check.py`.
///
/// PiSSA trains `A`, `B` over the residual `W − s B₀ A₀`, so it is exported as PEFT does with
/// `path_initial_model_for_weight_conversion`: a rank-`2r` LoRA against the original weights,
/// `ΔW = s (B A − B₀ A₀) = s [B | B₀] [A ; −A₀]`, with `lora_alpha` doubled so the scale is unchanged.
public enum PEFTWorkflow {
  public static let configFile = "adapter_config.json"
  public static let tensorsFile = "adapter_model.safetensors"
  public static let headFile = "csmed_head.safetensors"
  public static let referenceFile = "csmed_reference.json"
  /// The prefix PEFT gives saved tensors of a `PeftModel` (no task type) around a `BertModel`.
  public static let keyPrefix = "base_model.model."
  /// Methods that are LoRA adapters in PEFT's sense.
  public static let exportableMethods: [AdapterMethod] = [.lora, .rslora, .dora, .pissa]
  /// Tokens per reference input, special tokens included (at most the base's positions).
  public static let referenceMaxLength = 128
  /// The reference inputs: two single texts and two (query, text) pairs, as the bi-encoder and
  /// the cross-encoder see them.
  public static let referenceInputs: [(text: String, pair: String?)] = [
    ("Methylphenidate for attention-deficit/hyperactivity disorder in children: a randomised controlled trial", nil),
    ("Statin-associated muscle symptoms and creatine kinase elevation in primary care", nil),
    (
      "Atomoxetine for attention deficit hyperactivity disorder",
      "Long-term safety and efficacy of atomoxetine in adults with ADHD: an open-label extension study"
    ),
    (
      "Rehabilitation after hip fracture surgery in older people",
      "Early mobilisation after hip fracture: a pragmatic randomised trial of 412 patients"
    ),
  ]

  // MARK: Export

  public struct ExportReport: Sendable {
    public var output: URL
    public var method: AdapterMethod
    public var kind: ScreenerKind
    /// The rank written to `adapter_config.json` (`2 r` for PiSSA).
    public var rank: Int
    public var loraAlpha: Double
    /// The `target_modules` written: a list of suffixes or one full-match regex.
    public var targetModules: [String]
    public var targetRegex: String?
    public var sites: Int
    public var files: [String]
  }

  /// Writes a PEFT adapter directory for the screener in `screenerDirectory`.
  /// - Throws: ``WorkflowError/usage(_:)`` for a TF-IDF screener or a method PEFT's LoRA cannot
  ///   express (naming the method); the errors of ``TrainedScreener/load(directory:base:)``.
  @discardableResult
  public static func export(screenerDirectory: URL, base: URL, output: URL) throws -> ExportReport {
    // The manifest first, so a wrong kind or method fails before the model is loaded.
    let (manifest, adapter) = try exportableManifest(in: screenerDirectory)
    let screener = try TrainedScreener.load(directory: screenerDirectory, base: base)
    guard case .neural(let model, let tokenizer) = screener.model else {
      throw WorkflowError.usage("\(screenerDirectory.path) is not a neural screener")
    }
    let (values, sites) = try peftTensors(of: model.encoder, adapter: adapter)
    let targets = PEFTTargets(adapter, layerCount: model.encoder.bert.layerCount)
    let config = peftConfig(adapter, targets: targets, base: base)

    try createOutputDirectory(output)
    var files = [configFile, tensorsFile]
    try writeAtomically(
      SafeTensorsWriter.encode(values, metadata: ["format": "pt"]), to: output.appendingPathComponent(tensorsFile))
    try writeAtomically(
      try JSONSerialization.data(
        withJSONObject: config, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
      to: output.appendingPathComponent(configFile))
    if let head = model.head {
      try writeHead(head, to: output.appendingPathComponent(headFile))
      files.append(headFile)
    }
    let ref = try Self.reference(model: model, tokenizer: tokenizer, kind: manifest.kind, method: adapter.method)
    let json = JSONEncoder()
    json.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(try json.encode(ref), to: output.appendingPathComponent(referenceFile))
    files.append(referenceFile)
    return ExportReport(
      output: output, method: adapter.method, kind: manifest.kind, rank: targets.rank, loraAlpha: targets.alpha,
      targetModules: targets.regex == nil ? targets.modules : [], targetRegex: targets.regex, sites: sites,
      files: files)
  }

  /// The manifest of a neural screener whose adapter PEFT's LoRA can express, and that adapter.
  private static func exportableManifest(in screenerDirectory: URL) throws -> (ScreenerManifest, AdapterConfiguration) {
    let manifestURL = screenerDirectory.appendingPathComponent(ScreenerManifest.fileName)
    let manifest = try ScreenerManifest.load(directory: screenerDirectory)
    guard manifest.kind.isNeural else {
      throw WorkflowError.usage(
        "\(screenerDirectory.path) is a \(manifest.kind.rawValue) screener; only neural screeners have an adapter to export"
      )
    }
    guard let adapter = manifest.adapter else {
      throw WorkflowError.io(path: manifestURL.path, reason: "missing adapter")
    }
    guard exportableMethods.contains(adapter.method) else {
      throw WorkflowError.usage(
        "cannot export a '\(adapter.method.rawValue)' adapter to PEFT: only lora, rslora, dora and pissa have a PEFT LoRA equivalent"
      )
    }
    return (manifest, adapter)
  }

  /// The adapter's tensors under PEFT's saved names, and how many sites they adapt.
  private static func peftTensors(of encoder: AdaptedEncoder<Float>, adapter: AdapterConfiguration) throws
    -> (values: [SafeTensorsValue], sites: Int)
  {
    let initial = adapter.method == .pissa ? try pissaInitialFactors(of: encoder, adapter: adapter) : [:]
    var values: [SafeTensorsValue] = []
    func put(_ site: LinearSite, _ name: String, _ t: Tensor<Float>) {
      values.append(.float(keyPrefix + "\(site).\(name)", shape: t.shape, t.scalars))
    }
    for a in encoder.adapters {
      switch a {
      case let d as DoRALinear<Float>:
        put(d.site, "lora_A.weight", d.lora.a)
        put(d.site, "lora_B.weight", d.lora.b)
        put(d.site, "lora_magnitude_vector", d.magnitude)
      case let l as LoRALinear<Float> where adapter.method == .pissa:
        guard let l0 = initial[l.site] else {
          throw WorkflowError.usage("PiSSA: no initial factors for \(l.site)")
        }
        put(l.site, "lora_A.weight", stackRows(l.a, Tensor(shape: l0.a.shape, scalars: l0.a.scalars.map { -$0 })))  // [A ; −A₀]
        put(l.site, "lora_B.weight", stackColumns(l.b, l0.b))  // [B | B₀]
      case let l as LoRALinear<Float>:
        put(l.site, "lora_A.weight", l.a)
        put(l.site, "lora_B.weight", l.b)
      default:
        throw WorkflowError.usage("cannot export the adapter at \(a.site) (\(type(of: a))) to PEFT")
      }
    }
    return (values, encoder.adapters.count)
  }

  /// PiSSA's initial factors, recomputed from the base weights exactly as loading the screener does.
  private static func pissaInitialFactors(of encoder: AdaptedEncoder<Float>, adapter: AdapterConfiguration) throws
    -> [LinearSite: LoRALinear<Float>]
  {
    var initial: [LinearSite: LoRALinear<Float>] = [:]
    let fresh = try AdaptedEncoder<Float>(configuration: adapter, bert: encoder.bert, base: encoder.base)
    for case let l as LoRALinear<Float> in fresh.adapters { initial[l.site] = l }
    return initial
  }

  /// What `adapter_config.json` says of the adapter's shape: rank, alpha and the adapted modules.
  private struct PEFTTargets {
    /// `2 r` for PiSSA, whose export stacks the initial factors beside the trained ones.
    var rank: Int
    /// Doubled for PiSSA, so that `α / r` is unchanged.
    var alpha: Double
    var layers: [Int]
    /// `target_modules` as a list of suffixes.
    var modules: [String]
    /// `target_modules` as one full-match regex, when a list of suffixes would adapt too much.
    var regex: String?

    init(_ adapter: AdapterConfiguration, layerCount: Int) {
      rank = adapter.method == .pissa ? 2 * adapter.rank : adapter.rank
      alpha = (adapter.alpha ?? Double(adapter.rank)) * (adapter.method == .pissa ? 2 : 1)
      let targets = adapter.targets.sorted()
      layers = Array(adapter.freezeLayers..<layerCount)
      // PEFT matches list entries by suffix, so "output.dense" alone would also adapt every
      // attention.output.dense; then a full-match regex (which ignores layers_to_transform) is used.
      let needsRegex = targets.contains(.output) && !targets.contains(.attentionOutput)
      regex = needsRegex ? PEFTWorkflow.targetRegex(modules: targets, layers: layers) : nil
      modules = targets.map { m -> String in
        switch m {
        case .query, .key, .value: m.rawValue
        default: m.path
        }
      }
    }
  }

  /// `adapter_config.json`: a `LoraConfig.to_dict()` for a `BertModel` base.
  private static func peftConfig(_ adapter: AdapterConfiguration, targets: PEFTTargets, base: URL) -> [String: Any] {
    [
      "peft_type": "LORA",
      "task_type": NSNull(),
      "auto_mapping": ["base_model_class": "BertModel", "parent_library": "transformers.models.bert.modeling_bert"],
      "base_model_name_or_path": base.standardizedFileURL.path,
      "revision": NSNull(),
      "inference_mode": true,
      "r": targets.rank,
      "lora_alpha": jsonNumber(targets.alpha),
      "lora_dropout": adapter.dropout,
      "use_rslora": adapter.method == .rslora,
      "use_dora": adapter.method == .dora,
      "bias": "none",
      "fan_in_fan_out": false,
      "init_lora_weights": true,
      "modules_to_save": NSNull(),
      "rank_pattern": [String: Any](),
      "alpha_pattern": [String: Any](),
      "layers_pattern": NSNull(),
      "layers_to_transform": targets.regex == nil && adapter.freezeLayers > 0 ? targets.layers as Any : NSNull() as Any,
      "target_modules": targets.regex.map { $0 as Any } ?? targets.modules as Any,
      "exclude_modules": NSNull(),
      "lora_bias": false,
      "use_qalora": false,
      "layer_replication": NSNull(),
    ]
  }

  /// `csmed_head.safetensors`: the cross-encoder's head over the mean-pooled last hidden state.
  private static func writeHead(_ head: ClassificationHead<Float>, to url: URL) throws {
    try writeAtomically(
      SafeTensorsWriter.encode(
        [
          .float("head.weight", shape: head.weight.shape, head.weight.scalars),
          .float("head.bias", shape: head.bias.shape, head.bias.scalars),
        ], metadata: ["format": "pt", "pooling": "mean"]),
      to: url)
  }

  /// Creates the output directory (and its parents), both for an export and an import.
  private static func createOutputDirectory(_ output: URL) throws {
    do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
      throw WorkflowError.io(path: output.path, reason: "cannot create: \(error.localizedDescription)")
    }
  }

  /// `(.*\.)?encoder\.layer\.(L|…)\.(path|…)`, a full match for exactly the adapted sites.
  static func targetRegex(modules: [LinearModule], layers: [Int]) -> String {
    let paths = modules.map { $0.path.replacingOccurrences(of: ".", with: "\\.") }
    return
      "(.*\\.)?encoder\\.layer\\.(\(layers.map(String.init).joined(separator: "|")))\\.(\(paths.joined(separator: "|")))"
  }

  static func jsonNumber(_ x: Double) -> Any {
    if x.rounded() == x, abs(x) < 1e15 { return Int(x) }
    return x
  }

  /// `[a ; b]`: rows of `a` then rows of `b`.
  static func stackRows(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Tensor<Float> {
    precondition(a.shape[1] == b.shape[1])
    return Tensor(shape: [a.shape[0] + b.shape[0], a.shape[1]], scalars: a.scalars + b.scalars)
  }

  /// `[a | b]`: each row of `a` followed by the same row of `b`.
  static func stackColumns(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Tensor<Float> {
    precondition(a.shape[0] == b.shape[0])
    let (rows, ca, cb) = (a.shape[0], a.shape[1], b.shape[1])
    var out: [Float] = []
    out.reserveCapacity(rows * (ca + cb))
    for i in 0..<rows {
      out += a.scalars[i * ca..<(i + 1) * ca]
      out += b.scalars[i * cb..<(i + 1) * cb]
    }
    return Tensor(shape: [rows, ca + cb], scalars: out)
  }

  // MARK: Reference outputs

  /// `csmed_reference.json`.
  public struct Reference: Codable, Sendable {
    public struct Item: Codable, Sendable {
      public var text: String
      public var textPair: String?
      public var inputIDs: [Int32]
      public var tokenTypeIDs: [Int32]
      /// Mean over the tokens of the last hidden state (not normalised), `[H]`.
      public var pooled: [Float]
      /// `pooled · head.weightᵀ + head.bias`, when there is a head.
      public var logits: [Float]?

      enum CodingKeys: String, CodingKey {
        case text, textPair = "text_pair", inputIDs = "input_ids", tokenTypeIDs = "token_type_ids", pooled, logits
      }
    }
    public var format = "csmed-peft-reference-1"
    public var kind: String
    public var method: String
    public var maxLength: Int
    public var pooling = "mean"
    public var normalized = false
    public var dtype = "F32"
    public var items: [Item]

    enum CodingKeys: String, CodingKey {
      case format, kind, method, maxLength = "max_length", pooling, normalized, dtype, items
    }
  }

  static func reference(model: AdapterModel<Float>, tokenizer: BertTokenizer, kind: ScreenerKind, method: AdapterMethod)
    throws -> Reference
  {
    var items: [Reference.Item] = []
    let maxLength = min(referenceMaxLength, model.encoder.bert.maxPositionEmbeddings)
    for (text, pair) in referenceInputs {
      let encoding = try tokenizer.encode(text, pair: pair, maxLength: maxLength)
      let batch = try TokenBatch(encodings: [encoding], paddingID: tokenizer.paddingID)
      let pooled = Pool.apply(.mean, try model.encoder.forward(batch), lengths: batch.lengths)
      let logits = model.head.map { $0.logits(pooled: pooled).scalars }
      items.append(
        .init(
          text: text, textPair: pair, inputIDs: encoding.inputIDs, tokenTypeIDs: encoding.tokenTypeIDs,
          pooled: pooled.scalars, logits: logits))
    }
    return Reference(kind: kind.rawValue, method: method.rawValue, maxLength: maxLength, items: items)
  }

  // MARK: Import

  public struct ImportReport: Sendable {
    public var output: URL
    public var configuration: AdapterConfiguration
    public var sites: Int
  }

  /// Reads a PEFT LoRA / rsLoRA / DoRA adapter of a BERT model and writes a csmed bi-encoder
  /// screener directory for `base`. Sites come from the tensor names (with or without
  /// `base_model.model.`, with an optional `bert.`); they must be the same modules in every
  /// layer from the lowest adapted one up, as csmed's `--targets` / `--freeze-layers` describe.
  /// - Throws: ``WorkflowError`` naming the file and the key for anything csmed cannot represent.
  @discardableResult
  public static func `import`(peftDirectory: URL, base: URL, output: URL) throws -> ImportReport {
    let (configURL, tensorsURL) = try peftFiles(in: peftDirectory)
    let settings = try readAdapterConfig(at: configURL)
    let bySite = try loraTensorsBySite(in: tensorsURL, useDoRA: settings.useDoRA)
    let bertModel = try BertModel<Float>.load(directory: base)
    let bert = bertModel.configuration
    let (lowest, modules) = try adaptedLayers(of: bySite, file: tensorsURL, bert: bert, base: base)
    let tensors = try csmedTensors(from: bySite, settings: settings, file: tensorsURL, bert: bert, base: base)

    let adapter = importedConfiguration(settings, modules: modules, freezeLayers: lowest)
    do { try adapter.validate(against: bert) } catch {
      throw WorkflowError.usage("\(configURL.path): \(error)")
    }
    var encoder = try AdaptedEncoder<Float>(configuration: adapter, bert: bert, base: bertModel.weights)
    try encoder.load(tensors, file: tensorsURL.path)

    try createOutputDirectory(output)
    let identity = try BaseModelIdentity.of(directory: base)
    let values = encoder.namedTensors.map { SafeTensorsValue.float($0.name, shape: $0.tensor.shape, $0.tensor.scalars) }
    try writeAtomically(
      SafeTensorsWriter.encode(values, metadata: ["format": "csmed", "source": "peft"]),
      to: output.appendingPathComponent(ScreenerManifest.tensorsFile))
    let manifest = ScreenerManifest(
      kind: .biEncoder, stage: "ta", base: identity, adapter: adapter, smtBlocks: nil, maxLength: 256,
      queryMaxLength: 128,
      trainedOn: [], selectedEpoch: 1, validation: [:], createdAt: ISO8601DateFormatter().string(from: Date()),
      // What the adapter was trained on elsewhere is not recorded in a PEFT directory: it
      // screens title and abstract, the text every screening dataset carries.
      textView: .titleAbstract)
    try TrainWorkflow.writeManifest(manifest, to: output)
    return ImportReport(output: output, configuration: adapter, sites: bySite.count)
  }

  /// The config and tensors files of a PEFT directory; a pickled `adapter_model.bin` is refused by name.
  private static func peftFiles(in peftDirectory: URL) throws -> (config: URL, tensors: URL) {
    let configURL = peftDirectory.appendingPathComponent(configFile)
    let tensorsURL = peftDirectory.appendingPathComponent(tensorsFile)
    guard FileManager.default.fileExists(atPath: configURL.path) else {
      throw WorkflowError.missingInput(path: configURL.path)
    }
    guard FileManager.default.fileExists(atPath: tensorsURL.path) else {
      let bin = peftDirectory.appendingPathComponent("adapter_model.bin")
      if FileManager.default.fileExists(atPath: bin.path) {
        throw WorkflowError.usage(
          "\(bin.path): PyTorch pickles are not read; save the adapter with safe_serialization=True")
      }
      throw WorkflowError.missingInput(path: tensorsURL.path)
    }
    return (configURL, tensorsURL)
  }

  private static func readAdapterConfig(at configURL: URL) throws -> AdapterConfig {
    let configData: Data
    do { configData = try Data(contentsOf: configURL) } catch {
      throw WorkflowError.io(path: configURL.path, reason: error.localizedDescription)
    }
    return try AdapterConfig.parse(configData, path: configURL.path)
  }

  /// The file's tensors grouped by site and part (`lora_A.weight`, `lora_B.weight`, `lora_magnitude_vector`).
  private static func loraTensorsBySite(in tensorsURL: URL, useDoRA: Bool) throws
    -> [LinearSite: [String: Tensor<Float>]]
  {
    let file = try SafeTensorsFile(contentsOf: tensorsURL)
    var bySite: [LinearSite: [String: Tensor<Float>]] = [:]
    for key in file.names {
      guard let (site, part) = parseKey(key) else {
        throw WorkflowError.usage(
          "\(tensorsURL.path): tensor '\(key)' is not a LoRA tensor of a BERT linear map (expected encoder.layer.N.<module>.lora_A.weight, lora_B.weight or lora_magnitude_vector)"
        )
      }
      if part == "lora_magnitude_vector", !useDoRA {
        throw WorkflowError.usage("\(tensorsURL.path): tensor '\(key)' is a DoRA magnitude but use_dora is not true")
      }
      guard bySite[site]?[part] == nil else {
        throw WorkflowError.usage("\(tensorsURL.path): tensor '\(key)' appears twice")
      }
      let (shape, scalars) = try file.floats(key)
      bySite[site, default: [:]][part] = Tensor(shape: shape, scalars: scalars)
    }
    guard !bySite.isEmpty else { throw WorkflowError.usage("\(tensorsURL.path): no LoRA tensors") }
    return bySite
  }

  /// The lowest adapted layer and the adapted modules, once the sites are checked to be what
  /// `--targets` / `--freeze-layers` describe: the same modules in every layer from the lowest up.
  private static func adaptedLayers(
    of bySite: [LinearSite: [String: Tensor<Float>]], file tensorsURL: URL, bert: BertConfiguration, base: URL
  ) throws -> (lowest: Int, modules: [LinearModule]) {
    let layers = Set(bySite.keys.map(\.layer)).sorted()
    let modules = Set(bySite.keys.map(\.module)).sorted()
    guard let lowest = layers.first, let highest = layers.last, highest < bert.layerCount else {
      throw WorkflowError.usage(
        "\(tensorsURL.path): adapts layer \(layers.last ?? -1) but \(base.path) has \(bert.layerCount) layers")
    }
    guard layers == Array(lowest..<bert.layerCount) else {
      throw WorkflowError.usage(
        "\(tensorsURL.path): adapts layers \(layers); csmed adapts every layer from the lowest adapted one up to the last (\(lowest)...\(bert.layerCount - 1))"
      )
    }
    for l in layers {
      let here = modules.filter { bySite[LinearSite(layer: l, module: $0)] != nil }
      guard here == modules else {
        throw WorkflowError.usage(
          "\(tensorsURL.path): layer \(l) adapts \(here.map(\.path)) but other layers adapt \(modules.map(\.path)); csmed adapts the same modules in every layer"
        )
      }
    }
    return (lowest, modules)
  }

  /// The tensors under csmed's names, each checked to be present with the shape `base` gives it.
  private static func csmedTensors(
    from bySite: [LinearSite: [String: Tensor<Float>]], settings: AdapterConfig, file tensorsURL: URL,
    bert: BertConfiguration, base: URL
  ) throws -> [String: Tensor<Float>] {
    let rank = settings.rank
    var tensors: [String: Tensor<Float>] = [:]
    for (site, parts) in bySite.sorted(by: { $0.key < $1.key }) {
      let check = SiteTensors(file: tensorsURL.path, name: "\(site)", parts: parts)
      let (out, inDim) = site.module.shape(bert)
      // Both factors must be there before either shape is judged.
      let a = try check.present("lora_A.weight")
      let b = try check.present("lora_B.weight")
      try check.shape(of: a, "lora_A.weight", is: [rank, inDim], note: " (r \(rank), \(base.lastPathComponent))")
      try check.shape(of: b, "lora_B.weight", is: [out, rank])
      tensors[check.name + ".lora_A.weight"] = a
      tensors[check.name + ".lora_B.weight"] = b
      if settings.useDoRA {
        let m = try check.present("lora_magnitude_vector", note: " (use_dora is true)")
        try check.shape(of: m, "lora_magnitude_vector", is: [out])
        tensors[check.name + ".lora_magnitude_vector"] = m
      }
    }
    return tensors
  }

  /// One site's PEFT tensors, with the errors that name the file and the tensor.
  private struct SiteTensors {
    var file: String
    /// The site as csmed names it, `layer.N.<module path>`.
    var name: String
    var parts: [String: Tensor<Float>]

    func present(_ part: String, note: String = "") throws -> Tensor<Float> {
      guard let t = parts[part] else { throw WorkflowError.usage("\(file): '\(name).\(part)' is missing\(note)") }
      return t
    }

    func shape(of t: Tensor<Float>, _ part: String, is expected: [Int], note: String = "") throws {
      guard t.shape == expected else {
        throw WorkflowError.usage("\(file): '\(name).\(part)' has shape \(t.shape), expected \(expected)\(note)")
      }
    }
  }

  /// csmed's adapter for PEFT's settings. csmed's scale is α / r (lora, dora) or α / √r (rslora);
  /// DoRA with rsLoRA scaling keeps PEFT's scale α / √r through α' = α √r.
  private static func importedConfiguration(_ settings: AdapterConfig, modules: [LinearModule], freezeLayers: Int)
    -> AdapterConfiguration
  {
    let method: AdapterMethod = settings.useDoRA ? .dora : (settings.useRSLoRA ? .rslora : .lora)
    let alpha =
      settings.useDoRA && settings.useRSLoRA ? settings.alpha * Double(settings.rank).squareRoot() : settings.alpha
    return AdapterConfiguration(
      method: method, rank: settings.rank, alpha: alpha, targets: modules,
      dropout: method == .dora ? 0 : settings.dropout, freezeLayers: freezeLayers)
  }

  /// `(site, part)` of a PEFT tensor name: `[base_model.model.][bert.]encoder.layer.N.<module path>.<part>`.
  static func parseKey(_ key: String) -> (LinearSite, String)? {
    var k = Substring(key)
    if k.hasPrefix(keyPrefix) { k = k.dropFirst(keyPrefix.count) }
    if k.hasPrefix("bert.") { k = k.dropFirst("bert.".count) }
    let parts = ["lora_A.weight", "lora_B.weight", "lora_magnitude_vector.weight", "lora_magnitude_vector"]
    guard k.hasPrefix("encoder.layer."), let part = parts.first(where: { k.hasSuffix("." + $0) }) else { return nil }
    let middle = k.dropFirst("encoder.layer.".count).dropLast(part.count + 1)
    guard let dot = middle.firstIndex(of: "."), let layer = Int(middle[..<dot]), layer >= 0 else { return nil }
    let path = String(middle[middle.index(after: dot)...])
    guard let module = LinearModule.allCases.first(where: { $0.path == path }) else { return nil }
    return (
      LinearSite(layer: layer, module: module), part == "lora_magnitude_vector.weight" ? "lora_magnitude_vector" : part
    )
  }
}

/// A JSON value, for reading `adapter_config.json` without guessing how numbers and booleans bridge.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let n = try? c.decode(Double.self) {
      self = .number(n)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  /// null, false, "", [] or {}.
  var isEmpty: Bool {
    switch self {
    case .null, .bool(false): true
    case .string(let s): s.isEmpty
    case .array(let a): a.isEmpty
    case .object(let o): o.isEmpty
    default: false
    }
  }

  var description: String {
    switch self {
    case .null: "null"
    case .bool(let b): "\(b)"
    case .number(let n): n.rounded() == n && abs(n) < 1e15 ? "\(Int(n))" : "\(n)"
    case .string(let s): "\"\(s)\""
    case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
    case .object(let o):
      "{" + o.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }
  }
}

extension PEFTWorkflow {
  /// What csmed reads of a PEFT `adapter_config.json`: a LoRA (rsLoRA, DoRA) of one rank and one
  /// alpha everywhere. Anything csmed cannot represent is refused naming the key.
  public struct AdapterConfig: Sendable, Equatable {
    public var rank: Int
    public var alpha: Double
    public var useDoRA: Bool
    public var useRSLoRA: Bool
    public var dropout: Double

    /// - Throws: ``WorkflowError`` naming `path` and the key: not a JSON object, another PEFT
    ///   type, biases, per-layer ranks or alphas, options csmed does not support, a rank that is
    ///   not a positive integer, an alpha that is not a positive number, a dropout outside [0, 1).
    public static func parse(_ data: Data, path: String) throws -> AdapterConfig {
      let config: [String: JSONValue]
      do { config = try JSONDecoder().decode([String: JSONValue].self, from: data) } catch {
        throw WorkflowError.io(path: path, reason: "not a JSON object: \(JSONErrors.describe(error))")
      }
      func bad(_ key: String, _ reason: String) -> WorkflowError { .usage("\(path): '\(key)' \(reason)") }

      guard case .string(let peftType)? = config["peft_type"] else { throw bad("peft_type", "is missing") }
      guard peftType == "LORA" else {
        throw bad("peft_type", "is '\(peftType)'; csmed imports LoRA adapters (peft_type LORA: LoRA, rsLoRA, DoRA)")
      }
      if let v = config["bias"], v != .string("none"), v != .null {
        throw bad("bias", "is \(v); csmed adapters train no biases, so only \"none\" is supported")
      }
      for key in ["fan_in_fan_out", "lora_bias", "use_qalora"] {
        if let v = config[key], v != .bool(false), v != .null { throw bad(key, "is \(v); csmed supports only false") }
      }
      for key in ["rank_pattern", "alpha_pattern"] {
        if let v = config[key], !v.isEmpty {
          throw bad(key, "is \(v); csmed uses one rank and one alpha for every layer")
        }
      }
      for key in [
        "modules_to_save", "layer_replication", "target_parameters", "trainable_token_indices", "use_bdlora",
        "kasa_config", "velora_config", "monteclora_config", "arrow_config", "alora_invocation_tokens", "megatron_config",
      ] {
        if let v = config[key], !v.isEmpty { throw bad(key, "is \(v); csmed does not support it") }
      }
      switch config["init_lora_weights"] {
      case nil, .null?, .bool?: break
      case .string(let s)? where ["gaussian", "eva", "orthogonal"].contains(s): break
      case let v?:
        throw bad(
          "init_lora_weights",
          "is \(v): such an adapter is relative to a modified base model; convert it to a plain LoRA first (PEFT's path_initial_model_for_weight_conversion)"
        )
      }
      guard case .number(let rValue)? = config["r"], let rank = Int(exactly: rValue), rank >= 1 else {
        throw bad("r", "is missing or not a positive integer")
      }
      var alpha = 8.0  // PEFT's default
      if let v = config["lora_alpha"] {
        guard case .number(let a) = v, a > 0, a.isFinite else { throw bad("lora_alpha", "is \(v); expected a positive number") }
        alpha = a
      }
      var dropout = 0.0
      switch config["lora_dropout"] {
      case nil, .null?: break
      case .number(let p)? where p >= 0 && p < 1: dropout = p
      case let v?: throw bad("lora_dropout", "is \(v); expected a probability in [0, 1)")
      }
      return AdapterConfig(
        rank: rank, alpha: alpha, useDoRA: config["use_dora"] == .bool(true), useRSLoRA: config["use_rslora"] == .bool(true),
        dropout: dropout)
    }
  }
}
