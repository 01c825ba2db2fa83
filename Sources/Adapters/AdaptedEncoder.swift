import Corpus
import Encoder
import Foundation
import Tensor

/// A BERT encoder with one fine-tuning method applied: the frozen base weights, the method's
/// adapters on their sites (or on the word embeddings, for AdaLink), and for full fine-tuning
/// the base weights themselves as the trainable tensors.
///
/// Trainable tensors are named like PEFT names them on a `BertModel`:
/// `encoder.layer.3.attention.self.query.lora_A.weight`, `embeddings.word_embeddings.adalink_up`;
/// full fine-tuning uses ``BertWeights/namedTensors`` names under `encoder.`.
public struct AdaptedEncoder<Scalar: BLASScalar>: TrainableParameters {
  public let configuration: AdapterConfiguration
  public let bert: BertConfiguration
  /// The base weights (frozen, except under full fine-tuning).
  public private(set) var base: BertWeights<Scalar>
  /// One adapter per adapted site, in site order.
  public private(set) var adapters: [any LinearAdapter<Scalar>]
  /// AdaLink's embedding adapter.
  public private(set) var embedding: AdaLinkEmbedding<Scalar>?
  let baseSiteWeights: [LinearSite: Tensor<Scalar>]
  /// With `freezeLayers > 0`: the outputs of the frozen lower layers per token sequence, so a
  /// sequence seen again (the next epoch, a repeated candidate) skips them (Skip Tuning's
  /// layer-wise skipping). Lower layers then run without dropout. Nil: no caching.
  public var lowerLayerCache: LowerLayerCache<Scalar>?

  /// Builds the method's adapters over `base`, drawing random initial values and selections
  /// (S2FT) from `configuration.seed`. SMT needs its blocks, chosen by ``SMTSelection``.
  /// - Throws: ``AdapterError`` for invalid options or a failed SVD.
  public init(
    configuration: AdapterConfiguration, bert: BertConfiguration, base: BertWeights<Scalar>,
    smtBlocks: [LinearSite: [SMTBlocks<Scalar>.Block]] = [:]
  ) throws(AdapterError) {
    try configuration.validate(against: bert)
    do { try base.validate(against: bert) } catch { throw .encoder(error) }
    self.configuration = configuration
    self.bert = bert
    self.base = base
    var rng = SplitMix64(seed: configuration.seed)
    let c = configuration
    let s = c.scaling
    var adapters: [any LinearAdapter<Scalar>] = []
    var weights: [LinearSite: Tensor<Scalar>] = [:]
    func baseWeight(_ site: LinearSite) -> Tensor<Scalar> {
      if let w = weights[site] { return w }
      let w = base.weight(at: site)
      weights[site] = w
      return w
    }
    for site in c.sites(bert) {
      let (out, inDim) = site.module.shape(bert)
      let w = baseWeight(site)
      switch c.method {
      case .lora, .rslora:
        adapters.append(LoRALinear(site: site, out: out, in: inDim, rank: c.rank, scale: s, dropout: c.dropout, using: &rng))
      case .pissa:
        adapters.append(try LoRALinear.pissa(site: site, base: w, rank: c.rank, scale: s, dropout: c.dropout))
      case .dora:
        let lora = LoRALinear<Scalar>(site: site, out: out, in: inDim, rank: c.rank, scale: s, using: &rng)
        adapters.append(DoRALinear(lora: lora, base: w))
      case .sorsa:
        adapters.append(try SORSALinear(site: site, base: w, rank: c.rank, scale: s))
      case .goat:
        adapters.append(
          try GOATLinear(
            site: site, base: w, rank: c.rank, experts: c.experts, topK: c.topK, scale: s,
            auxiliaryWeight: c.auxiliaryLossWeight, using: &rng))
      case .smt:
        guard let blocks = smtBlocks[site], !blocks.isEmpty else { continue }
        let b = c.smtBlockSize
        if let bad = blocks.first(where: { !(0..<out / b).contains($0.row) || !(0..<inDim / b).contains($0.column) }) {
          throw .invalidOption(
            option: "--smt-blocks",
            reason: "block (\(bad.row), \(bad.column)) lies outside \(site) (\(out / b) x \(inDim / b) blocks of \(b))")
        }
        adapters.append(SMTBlocks(site: site, blockSize: c.smtBlockSize, blocks: blocks))
      default: break
      }
    }
    if c.method == .smt, adapters.isEmpty {
      throw .invalidOption(option: "--smt-blocks", reason: "no blocks selected; run the SMT warm-up first")
    }
    if c.method == .s2ft {
      adapters = S2FTSelection.slices(configuration: c, bert: bert, using: &rng)
      for a in adapters { _ = baseWeight(a.site) }
    }
    if c.method == .adalink {
      embedding = AdaLinkEmbedding(hiddenSize: bert.hiddenSize, rank: c.rank, using: &rng)
    }
    self.adapters = adapters
    baseSiteWeights = weights
  }

  // MARK: Trainable tensors

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    if configuration.method == .full { return base.namedTensors.map { ("encoder." + $0.name, $0.tensor) } }
    var out: [(String, Tensor<Scalar>)] = []
    if let e = embedding { out += e.namedTensors.map { ("embeddings.word_embeddings." + $0.name, $0.tensor) } }
    for a in adapters { out += a.namedTensors.map { ("\(a.site)." + $0.name, $0.tensor) } }
    return out
  }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    if configuration.method == .full {
      base.updateEach { body("encoder." + $0, &$1) }
      return
    }
    if embedding != nil { embedding?.updateEach { body("embeddings.word_embeddings." + $0, &$1) } }
    for i in adapters.indices {
      let prefix = "\(adapters[i].site)."
      adapters[i].updateEach { body(prefix + $0, &$1) }
    }
  }

  /// The optimizer group of a trainable tensor: under full fine-tuning with `--freeze-layers`,
  /// the embeddings and the frozen layers are frozen; otherwise the standard decay rule.
  public func group(_ name: String) -> ParameterGroup {
    if configuration.method == .full, configuration.freezeLayers > 0 {
      if name.hasPrefix("encoder.embeddings") { return .frozen }
      for l in 0..<configuration.freezeLayers where name.hasPrefix("encoder.layer\(l).") { return .frozen }
    }
    return ParameterGroup.standard(name)
  }

  /// Trainable scalars per module (`encoder.layer.0.attention.self.query`, ...) in order, for `--plan`.
  public var parameterCounts: [(module: String, count: Int)] {
    var out: [(String, Int)] = []
    for (name, t) in namedTensors where group(name) != .frozen {
      // PEFT-style names end in `<tensor>.weight` or `<tensor>`; full fine-tuning's in `.weight` / `.bias`.
      let parts = configuration.method != .full && name.hasSuffix(".weight") ? 2 : 1
      let module = name.split(separator: ".").dropLast(parts).joined(separator: ".")
      if let last = out.last, last.0 == module { out[out.count - 1].1 += t.count } else { out.append((module, t.count)) }
    }
    return out
  }

  public var trainableParameterCount: Int { parameterCounts.reduce(0) { $0 + $1.count } }

  // MARK: Weights for the dense path

  /// The base weights with every adapter folded in as far as it allows: the weights of
  /// training (`branch: true`) or of merged inference (`branch: false`, all but GOAT).
  public func denseWeights(branch: Bool) -> BertWeights<Scalar> {
    var w = base
    for a in adapters {
      guard let b = baseSiteWeights[a.site] else { continue }
      w.setWeight(a.denseWeight(base: b, branch: branch), at: a.site)
    }
    if let e = embedding { w.wordEmbeddings = e.folded(table: base.wordEmbeddings) }
    return w
  }

  /// Whether inference needs a branch (GOAT's routing cannot be merged).
  public var needsBranchAtInference: Bool { configuration.method == .goat }

  /// The merged encoder: adapters folded into the weights, zero extra cost at inference.
  /// - Throws: ``AdapterError/invalidOption(option:reason:)`` for GOAT.
  public func merged() throws(AdapterError) -> BertModel<Scalar> {
    guard !needsBranchAtInference else {
      throw .invalidOption(option: "--adapter", reason: "GOAT's token routing cannot be merged into the weights")
    }
    do { return try BertModel(configuration: bert, weights: denseWeights(branch: false)) } catch { throw .encoder(error) }
  }

  // MARK: Forward and backward

  /// Final hidden states `[B, T, H]` in evaluation mode (no dropout), with GOAT's routing as a branch.
  @_specialize(exported: true, where Scalar == Float)
  public func forward(_ batch: TokenBatch, workers: Int = Parallel.defaultWorkerCount) throws(AdapterError) -> Tensor<Scalar> {
    do {
      let model = try BertModel(configuration: bert, weights: denseWeights(branch: needsBranchAtInference))
      guard needsBranchAtInference else { return try model.forward(batch, workers: workers) }
      var rng = SplitMix64(seed: 0)
      let states = branchStates(rows: batch.batchSize * batch.sequenceLength, training: true, using: &rng)
      return try model.forward(batch, hooks: hooks(states: states), workers: workers)
    } catch { throw .encoder(error) }
  }

  /// What the backward pass needs from a training forward pass.
  public struct Tape: @unchecked Sendable {
    public let activations: BertActivations<Scalar>
    let model: BertModel<Scalar>
    let states: [LinearSite: any BranchState]
    /// GOAT's summed load-balancing loss, already weighted by `c_aux`.
    public let auxiliaryLoss: Double
  }

  /// A training forward pass: dense weights with adapters folded in, branches (dropout,
  /// routing) drawn from `rng`.
  @_specialize(exported: true, where Scalar == Float)
  public func forwardTraining(
    _ batch: TokenBatch, dropout: (hidden: Double, attention: Double)? = nil, using rng: inout SplitMix64,
    workers: Int = Parallel.defaultWorkerCount
  ) throws(AdapterError) -> Tape {
    let states = branchStates(rows: batch.batchSize * batch.sequenceLength, training: true, using: &rng)
    let cachedInput = try lowerLayerInput(batch, workers: workers)
    // BERT's own dropout, its masks drawn from a seed the generator supplies.
    let encoderDropout = dropout.flatMap { d in
      d.hidden > 0 || d.attention > 0 ? EncoderDropout(hidden: d.hidden, attention: d.attention, seed: rng.next()) : nil
    }
    do {
      let model = try BertModel(configuration: bert, weights: denseWeights(branch: true))
      let activations = try model.forwardTraining(
        batch, hooks: hooks(states: states), dropout: encoderDropout, startingAt: cachedInput, workers: workers)
      var aux = 0.0
      for a in adapters { if let s = states[a.site] { aux += a.auxiliaryLoss(state: s) } }
      return Tape(
        activations: activations, model: model, states: states, auxiliaryLoss: aux * configuration.auxiliaryLossWeight)
    } catch { throw .encoder(error) }
  }

  /// Gradients of the trainable tensors (``namedTensors`` order) given `dL/d(hidden)`.
  @_specialize(exported: true, where Scalar == Float)
  public func backward(_ tape: Tape, outputGradient: Tensor<Scalar>, workers: Int = Parallel.defaultWorkerCount)
    -> NamedTensors<Scalar>
  {
    if configuration.method == .full {
      var h = EncoderHooks<Scalar>.dense
      h.lowestLayer = configuration.freezeLayers
      let g = tape.model.backward(tape.activations, outputGradient: outputGradient, hooks: h, workers: workers)
      return NamedTensors((g ?? .zeros(configuration: bert)).namedTensors.map { ("encoder." + $0.name, $0.tensor) })
    }
    let collected = GradientBox<Scalar>()
    var h = hooks(states: tape.states)
    h.denseGradients = false
    h.lowestLayer = embedding != nil ? 0 : (adapters.map(\.site.layer).min() ?? bert.layerCount)
    let byIndex = Dictionary(uniqueKeysWithValues: adapters.enumerated().map { ($1.site, $0) })
    h.linearBackward = { [adapters, baseSiteWeights] site, g in
      guard let i = byIndex[site], let w = baseSiteWeights[site] else { return }
      collected.values[site] = adapters[i].gradients(g, base: w, state: tape.states[site])
    }
    if let e = embedding {
      let table = base.wordEmbeddings
      h.wordEmbeddingBackward = { dE, ids in collected.embedding = e.gradients(outputGradient: dE, ids: ids, table: table) }
    }
    _ = tape.model.backward(tape.activations, outputGradient: outputGradient, hooks: h, workers: workers)
    var out = NamedTensors<Scalar>()
    if let e = embedding {
      let grads = collected.embedding ?? e.namedTensors.map { Tensor(shape: $0.tensor.shape) }
      for ((name, _), g) in zip(e.namedTensors, grads) { out.append("embeddings.word_embeddings." + name, g) }
    }
    for a in adapters {
      let grads = collected.values[a.site] ?? a.namedTensors.map { Tensor(shape: $0.tensor.shape) }
      for ((name, _), g) in zip(a.namedTensors, grads) { out.append("\(a.site)." + name, g) }
    }
    return out
  }

  /// SORSA's orthonormal regulariser summed over its adapters and divided by the number of
  /// factor matrices, with its gradients (nil for other methods).
  public func orthonormalRegularizer() -> (value: Double, gradients: NamedTensors<Scalar>)? {
    let sorsa = adapters.compactMap { $0 as? SORSALinear<Scalar> }
    guard !sorsa.isEmpty else { return nil }
    let den = Scalar(2 * sorsa.count)
    var value = 0.0
    var out = NamedTensors<Scalar>()
    for a in sorsa {
      let (v, grads) = a.orthonormalRegularizer()
      value += v
      for ((name, _), g) in zip(a.namedTensors, grads) {
        var scaled = g
        scaled.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] /= den } }
        out.append("\(a.site)." + name, scaled)
      }
    }
    return (value / Double(den), out)
  }

  /// The input of the first unfrozen layer for `batch`, from ``lowerLayerCache`` where it has
  /// the sequence and computed (and cached) for the rest; nil without a cache.
  func lowerLayerInput(_ batch: TokenBatch, workers: Int) throws(AdapterError) -> (layer: Int, input: Tensor<Scalar>)? {
    let n = configuration.freezeLayers
    guard let cache = lowerLayerCache, n > 0, embedding == nil, configuration.method != .full else { return nil }
    let (b, t, h) = (batch.batchSize, batch.sequenceLength, bert.hiddenSize)
    var input = [Scalar](repeating: 0, count: b * t * h)
    func key(_ s: Int) -> [Int32] {
      let r = s * t..<s * t + batch.lengths[s]
      return Array(batch.inputIDs[r]) + [-1] + Array(batch.tokenTypeIDs[r])
    }
    var missing: [Int] = []
    for s in 0..<b {
      if let rows = cache.value(for: key(s)) {
        for i in 0..<rows.count { input[s * t * h + i] = rows[i] }
      } else {
        missing.append(s)
      }
    }
    if !missing.isEmpty {
      // Frozen layers hold the base weights, so the plain model computes them.
      do {
        let sub = try TokenBatch(
          batchSize: missing.count, sequenceLength: t,
          inputIDs: missing.flatMap { batch.inputIDs[$0 * t..<($0 + 1) * t] },
          tokenTypeIDs: missing.flatMap { batch.tokenTypeIDs[$0 * t..<($0 + 1) * t] },
          lengths: missing.map { batch.lengths[$0] })
        let hidden = try BertModel(configuration: bert, weights: base).forward(sub, throughLayer: n, workers: workers)
        for (row, s) in missing.enumerated() {
          let count = batch.lengths[s] * h
          let values = Array(hidden.scalars[row * t * h..<row * t * h + count])
          for i in 0..<count { input[s * t * h + i] = values[i] }
          cache.store(values, for: key(s))
        }
      } catch { throw .encoder(error) }
    }
    return (n, Tensor(shape: [b, t, h], scalars: input))
  }

  func branchStates(rows: Int, training: Bool, using rng: inout SplitMix64) -> [LinearSite: any BranchState] {
    var states: [LinearSite: any BranchState] = [:]
    for a in adapters where a.usesBranch {
      if let s = a.makeBranchState(rowCount: rows, using: &rng) { states[a.site] = s }
    }
    return states
  }

  func hooks(states: [LinearSite: any BranchState]) -> EncoderHooks<Scalar> {
    let branchAdapters = Dictionary(uniqueKeysWithValues: adapters.filter { states[$0.site] != nil }.map { ($0.site, $0) })
    var h = EncoderHooks<Scalar>(sites: Set(adapters.map(\.site)))
    h.linearForward = { site, rows in
      guard let a = branchAdapters[site], let s = states[site] else { return }
      a.forwardBranch(rows, state: s)
    }
    return h
  }

  /// A copy whose DoRA adapters hold their current norms fixed (for finite-difference checks
  /// of the detached gradient).
  func fixingDoRANorms() -> AdaptedEncoder {
    var e = self
    for i in e.adapters.indices {
      guard var d = e.adapters[i] as? DoRALinear<Scalar>, let w = baseSiteWeights[d.site] else { continue }
      d.fixedNorms = d.direction(base: w).norms
      e.adapters[i] = d
    }
    return e
  }

  // MARK: Restoring

  /// Replaces trainable tensors by name (from a checkpoint).
  /// - Throws: ``AdapterError/invalidCheckpoint(file:reason:)`` for a missing name or a wrong shape.
  public mutating func load(_ tensors: [String: Tensor<Scalar>], file: String) throws(AdapterError) {
    var failure: AdapterError? = nil
    updateEach { name, t in
      guard failure == nil else { return }
      guard let v = tensors[name] else {
        failure = .invalidCheckpoint(file: file, reason: "tensor '\(name)' is missing")
        return
      }
      guard v.shape == t.shape else {
        failure = .invalidCheckpoint(file: file, reason: "tensor '\(name)' has shape \(v.shape), expected \(t.shape)")
        return
      }
      t = v
    }
    if let failure { throw failure }
  }
}

/// Collects gradients from backward hooks (called sequentially on the calling thread).
final class GradientBox<Scalar: BLASScalar>: @unchecked Sendable {
  var values: [LinearSite: [Tensor<Scalar>]] = [:]
  var embedding: [Tensor<Scalar>]? = nil
}

/// S2FT's random selection (adapters.md §6): heads and FFN channels drawn uniformly without
/// replacement over all unfrozen layers, grouped per layer.
enum S2FTSelection {
  static func slices<S: BLASScalar>(configuration c: AdapterConfiguration, bert: BertConfiguration, using rng: inout SplitMix64)
    -> [any LinearAdapter<S>]
  {
    let layers = Array(c.freezeLayers..<bert.layerCount)
    let heads = sample(c.s2ftHeads, from: layers.count * bert.headCount, using: &rng)
    let channels = sample(c.s2ftChannels, from: layers.count * bert.intermediateSize, using: &rng)
    let dh = bert.headSize
    var out: [any LinearAdapter<S>] = []
    for (li, layer) in layers.enumerated() {
      let layerHeads = heads.filter { $0 / bert.headCount == li }.map { $0 % bert.headCount }
      let headUnits = layerHeads.flatMap { h in (h * dh..<(h + 1) * dh) }
      let layerChannels = channels.filter { $0 / bert.intermediateSize == li }.map { $0 % bert.intermediateSize }
      for m in c.targets.sorted() {
        let (units, axis): ([Int], S2FTSlice<S>.Axis) =
          switch m {
          case .value: (headUnits, .rows)
          case .attentionOutput: (headUnits, .columns)
          case .intermediate: (layerChannels, .rows)
          default: (layerChannels, .columns)
          }
        guard !units.isEmpty else { continue }
        let (out_, in_) = m.shape(bert)
        out.append(S2FTSlice<S>(site: LinearSite(layer: layer, module: m), axis: axis, indices: units, out: out_, in: in_))
      }
    }
    return out
  }

  /// `k` distinct values of `0..<n`, uniformly (a partial Fisher-Yates shuffle), ascending.
  static func sample(_ k: Int, from n: Int, using rng: inout SplitMix64) -> [Int] {
    var pool = Array(0..<n)
    for i in 0..<min(k, n) { pool.swapAt(i, Int.random(in: i..<n, using: &rng)) }
    return Array(pool.prefix(min(k, n))).sorted()
  }
}

/// SMT's block selection from warm-up gradients (adapters.md §7): every block of every target
/// scored by `|mean of the accumulated gradient over the block|`, the top `N` kept globally,
/// ties broken by site, then block row, then block column.
public enum SMTSelection {
  /// The first `count` blocks of the configuration's sites in order (row-major within a site):
  /// a placement for counting parameters or timing a step before warm-up gradients exist.
  public static func leading<S: BLASScalar>(_ c: AdapterConfiguration, bert: BertConfiguration)
    -> [LinearSite: [SMTBlocks<S>.Block]]
  {
    var out: [LinearSite: [SMTBlocks<S>.Block]] = [:]
    var left = c.smtBlocks
    for site in c.sites(bert) where left > 0 {
      let (rows, columns) = site.module.shape(bert)
      let perRow = columns / c.smtBlockSize
      let here = min(left, (rows / c.smtBlockSize) * perRow)
      out[site] = (0..<here).map { .init(row: $0 / perRow, column: $0 % perRow) }
      left -= here
    }
    return out
  }

  public static func blocks<S: BLASScalar>(gradients: [LinearSite: Tensor<S>], count: Int, blockSize: Int)
    -> [LinearSite: [SMTBlocks<S>.Block]]
  {
    var scored: [(LinearSite, SMTBlocks<S>.Block, Double)] = []
    for site in gradients.keys.sorted() {
      guard let g = gradients[site] else { continue }
      scored += SMTBlocks<S>.blockScores(g, blockSize: blockSize).map { (site, $0.0, $0.1) }
    }
    scored.sort { x, y in
      if x.2 != y.2 { return x.2 > y.2 }
      if x.0 != y.0 { return x.0 < y.0 }
      return x.1 < y.1
    }
    var out: [LinearSite: [SMTBlocks<S>.Block]] = [:]
    for (site, block, _) in scored.prefix(count) { out[site, default: []].append(block) }
    return out
  }
}

/// Hidden states of the frozen lower layers by token sequence, up to a memory budget (later
/// sequences are computed every time once it is full). Thread-safe.
public final class LowerLayerCache<Scalar: BLASScalar>: @unchecked Sendable {
  private var values: [[Int32]: [Scalar]] = [:]
  private var bytes = 0
  private let maxBytes: Int
  private let lock = NSLock()
  /// Lookups answered from the cache, and sequences computed.
  public private(set) var hits = 0, misses = 0

  public init(maxBytes: Int) { self.maxBytes = maxBytes }

  func value(for key: [Int32]) -> [Scalar]? {
    lock.lock()
    defer { lock.unlock() }
    let v = values[key]
    if v == nil { misses += 1 } else { hits += 1 }
    return v
  }

  func store(_ v: [Scalar], for key: [Int32]) {
    lock.lock()
    defer { lock.unlock() }
    let size = v.count * MemoryLayout<Scalar>.size + key.count * 4
    guard bytes + size <= maxBytes, values[key] == nil else { return }
    values[key] = v
    bytes += size
  }
}
