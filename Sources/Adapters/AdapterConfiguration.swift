import Encoder
import Foundation

/// The fine-tuning methods, chosen with `--adapter`.
public enum AdapterMethod: String, CaseIterable, Sendable, Codable {
  case lora, rslora, dora, pissa, sorsa, goat, s2ft, smt, adalink, full

  /// Methods whose adapters sit on chosen linear maps (`--targets`).
  public var usesTargets: Bool { [.lora, .rslora, .dora, .pissa, .sorsa, .goat, .smt].contains(self) }
}

/// Every option of every method, with the defaults of `../shared/research/adapters.md` scaled to
/// MiniLM. Options that a method does not use are ignored by it.
public struct AdapterConfiguration: Sendable, Codable, Equatable {
  public var method: AdapterMethod
  /// `r` (LoRA family, SORSA, GOAT total rank, AdaLink).
  public var rank: Int
  /// `α`; nil means the method's default (`α = r`, so LoRA's scale is 1; SORSA's scale is 1; GOAT `α = 2 r`).
  public var alpha: Double?
  /// Linear maps adapted in every (unfrozen) layer.
  public var targets: [LinearModule]
  /// Dropout on the adapter input while training (LoRA, rsLoRA, PiSSA).
  public var dropout: Double
  /// GOAT: experts `E` (each of rank `r / E`) and experts used per token.
  public var experts: Int
  public var topK: Int
  /// GOAT: weight of the load-balancing loss.
  public var auxiliaryLossWeight: Double
  /// SORSA: `γ` of the orthonormal regulariser.
  public var sorsaGamma: Double
  /// SMT: blocks trained (globally over all targets), block side, warm-up steps that score them.
  public var smtBlocks: Int
  public var smtBlockSize: Int
  public var smtWarmupSteps: Int
  /// S2FT: attention heads and FFN channels chosen at random over all unfrozen layers; a head
  /// trains its rows of `value` and/or its columns of `attention.output.dense`, a channel its row
  /// of `intermediate.dense` and/or its column of `output.dense`, as `targets` says.
  public var s2ftHeads: Int
  public var s2ftChannels: Int
  /// Layer skipping: the lowest layers that stay frozen (their outputs can be cached).
  public var freezeLayers: Int
  /// Seed for random initialisation and selection.
  public var seed: UInt64

  public init(
    method: AdapterMethod, rank: Int = 8, alpha: Double? = nil, targets: [LinearModule]? = nil, dropout: Double = 0,
    experts: Int = 4, topK: Int = 2, auxiliaryLossWeight: Double = 1e-3, sorsaGamma: Double = 4e-4,
    smtBlocks: Int = 18, smtBlockSize: Int = 64, smtWarmupSteps: Int = 10, s2ftHeads: Int = 3,
    s2ftChannels: Int = 184, freezeLayers: Int = 0, seed: UInt64 = 0
  ) {
    self.method = method
    self.rank = rank
    self.alpha = alpha
    self.targets = targets ?? Self.defaultTargets(method)
    self.dropout = dropout
    self.experts = experts
    self.topK = topK
    self.auxiliaryLossWeight = auxiliaryLossWeight
    self.sorsaGamma = sorsaGamma
    self.smtBlocks = smtBlocks
    self.smtBlockSize = smtBlockSize
    self.smtWarmupSteps = smtWarmupSteps
    self.s2ftHeads = s2ftHeads
    self.s2ftChannels = s2ftChannels
    self.freezeLayers = freezeLayers
    self.seed = seed
  }

  /// PEFT's BERT default (query, value) for the LoRA family; SORSA's query/key/value; GOAT's all-linear.
  public static func defaultTargets(_ method: AdapterMethod) -> [LinearModule] {
    switch method {
    case .sorsa, .smt: [.query, .key, .value]
    case .goat: LinearModule.allCases
    case .s2ft: [.attentionOutput, .output]
    case .adalink, .full: []
    default: [.query, .value]
    }
  }

  /// The scale `s` of the low-rank update.
  public var scaling: Double {
    let r = Double(rank)
    switch method {
    case .rslora: return (alpha ?? r) / r.squareRoot()
    case .sorsa: return alpha.map { $0 / r } ?? 1
    case .goat:
      let ri = Double(max(1, rank / max(1, experts)))
      return (alpha ?? 2 * r) / ri
    default: return (alpha ?? r) / r
    }
  }

  /// The adapted sites: every target in every layer from `freezeLayers` up.
  public func sites(_ c: BertConfiguration) -> [LinearSite] {
    guard method.usesTargets else { return [] }
    return (freezeLayers..<c.layerCount).flatMap { l in
      targets.sorted().map { LinearSite(layer: l, module: $0) }
    }
  }

  /// Checks every option against the model.
  /// - Throws: ``AdapterError/invalidOption(option:reason:)`` naming the flag.
  public func validate(against c: BertConfiguration) throws(AdapterError) {
    func fail(_ option: String, _ reason: String) -> AdapterError { .invalidOption(option: option, reason: reason) }
    guard (0..<c.layerCount).contains(freezeLayers) else {
      throw fail("--freeze-layers", "\(freezeLayers); the model has \(c.layerCount) layers, so use 0...\(c.layerCount - 1)")
    }
    if method == .adalink, freezeLayers > 0 {
      throw fail("--freeze-layers", "AdaLink adapts the embeddings below every layer; it cannot skip frozen layers")
    }
    guard (0..<1).contains(dropout) else { throw fail("--dropout", "\(dropout) is not in [0, 1)") }
    if dropout > 0, ![.lora, .rslora, .pissa].contains(method) {
      throw fail("--dropout", "adapter dropout is implemented for lora, rslora and pissa, not \(method.rawValue)")
    }
    if let alpha, !(alpha > 0) { throw fail("--alpha", "\(alpha) must be positive") }
    if method.usesTargets {
      guard !targets.isEmpty else { throw fail("--targets", "no target modules") }
      guard Set(targets).count == targets.count else { throw fail("--targets", "a module is named twice") }
    }
    switch method {
    case .lora, .rslora, .dora, .pissa, .sorsa, .goat, .adalink:
      guard rank >= 1 else { throw fail("--rank", "\(rank) must be at least 1") }
      let widths: [(String, Int)] =
        method == .adalink
        ? [("the hidden size", c.hiddenSize)]
        : targets.map { m in let s = m.shape(c); return (m.rawValue, min(s.out, s.in)) }
      for (name, width) in widths where rank > width {
        throw fail("--rank", "\(rank) is larger than \(name) allows (at most \(width))")
      }
    default: break
    }
    if method == .goat {
      guard experts >= 1 else { throw fail("--experts", "\(experts) must be at least 1") }
      guard rank % experts == 0 else { throw fail("--rank", "\(rank) must be a multiple of --experts \(experts)") }
      guard (1...experts).contains(topK) else { throw fail("--top-k", "\(topK) must be in 1...\(experts)") }
      for m in targets {
        let s = m.shape(c)
        guard min(s.out, s.in) / experts >= rank / experts else {
          throw fail("--experts", "\(experts) spectrum segments of \(m.rawValue) are narrower than rank \(rank / experts)")
        }
      }
    }
    if method == .smt {
      guard smtBlockSize >= 1 else { throw fail("--smt-block-size", "\(smtBlockSize) must be positive") }
      var available = 0
      for m in targets {
        let s = m.shape(c)
        guard s.out % smtBlockSize == 0, s.in % smtBlockSize == 0 else {
          throw fail("--smt-block-size", "\(smtBlockSize) does not divide \(m.rawValue) (\(s.out) x \(s.in))")
        }
        available += (s.out / smtBlockSize) * (s.in / smtBlockSize) * (c.layerCount - freezeLayers)
      }
      guard (1...max(1, available)).contains(smtBlocks) else {
        throw fail("--smt-blocks", "\(smtBlocks); the targets hold \(available) blocks of \(smtBlockSize)x\(smtBlockSize)")
      }
      guard smtWarmupSteps >= 1 else { throw fail("--smt-warmup-steps", "\(smtWarmupSteps) must be at least 1") }
    }
    if method == .s2ft {
      let allowed: Set<LinearModule> = [.value, .attentionOutput, .intermediate, .output]
      if let bad = targets.first(where: { !allowed.contains($0) }) {
        throw fail("--targets", "S2FT trains value rows, attention.output columns, intermediate rows and output columns, not \(bad.rawValue)")
      }
      let layers = c.layerCount - freezeLayers
      guard (0...layers * c.headCount).contains(s2ftHeads) else {
        throw fail("--s2ft-heads", "\(s2ftHeads); there are \(layers * c.headCount) heads in the unfrozen layers")
      }
      guard (0...layers * c.intermediateSize).contains(s2ftChannels) else {
        throw fail("--s2ft-channels", "\(s2ftChannels); there are \(layers * c.intermediateSize) FFN channels")
      }
      guard s2ftHeads + s2ftChannels > 0 else { throw fail("--s2ft-heads", "nothing selected to train") }
    }
  }
}

extension LinearModule {
  /// Parses `--targets` items: Hugging Face names (`query`, `attention.output.dense`, ...), the
  /// short forms `attention.output`, `intermediate`, `output`, and `all-linear`.
  public static func parseList(_ text: String) throws(AdapterError) -> [LinearModule] {
    var out: [LinearModule] = []
    for raw in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
      switch raw {
      case "": throw .invalidOption(option: "--targets", reason: "an empty item in '\(text)'")
      case "all-linear", "all": out += allCases
      case "attention.output", "attention.output.dense", "attention_output": out.append(.attentionOutput)
      case "intermediate", "intermediate.dense", "up": out.append(.intermediate)
      case "output", "output.dense", "down": out.append(.output)
      default:
        guard let m = LinearModule(rawValue: raw) else {
          throw .invalidOption(
            option: "--targets",
            reason: "unknown module '\(raw)'; use query, key, value, attention.output, intermediate, output or all-linear")
        }
        out.append(m)
      }
    }
    return out
  }
}
