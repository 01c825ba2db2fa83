import Tensor

/// The six linear maps of a BERT layer, named as Hugging Face names the modules (the names PEFT's
/// `target_modules` match).
public enum LinearModule: String, CaseIterable, Sendable, Codable, Comparable {
  case query, key, value
  case attentionOutput = "attention.output.dense"
  case intermediate = "intermediate.dense"
  case output = "output.dense"

  /// The module path inside `encoder.layer.N.`.
  public var path: String {
    switch self {
    case .query, .key, .value: "attention.self." + rawValue
    default: rawValue
    }
  }

  /// `(out, in)` of the weight for a configuration.
  public func shape(_ c: BertConfiguration) -> (out: Int, in: Int) {
    switch self {
    case .query, .key, .value, .attentionOutput: (c.hiddenSize, c.hiddenSize)
    case .intermediate: (c.intermediateSize, c.hiddenSize)
    case .output: (c.hiddenSize, c.intermediateSize)
    }
  }

  /// Position in the layer's computation order.
  var order: Int {
    switch self {
    case .query: 0
    case .key: 1
    case .value: 2
    case .attentionOutput: 3
    case .intermediate: 4
    case .output: 5
    }
  }

  public static func < (a: LinearModule, b: LinearModule) -> Bool { a.order < b.order }
}

/// One linear map of the encoder: a module in a layer.
public struct LinearSite: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  public var layer: Int
  public var module: LinearModule

  public init(layer: Int, module: LinearModule) {
    self.layer = layer
    self.module = module
  }

  /// `encoder.layer.N.<module path>` (Hugging Face `BertModel` naming).
  public var description: String { "encoder.layer.\(layer).\(module.path)" }

  public static func < (a: LinearSite, b: LinearSite) -> Bool {
    (a.layer, a.module) < (b.layer, b.module)
  }
}

/// Rows of one linear map during a forward pass: `y = x Wᵀ + b` is already in `y`; a hook may
/// add an adapter branch. Pointers address the first row of `rows`.
public struct LinearRows<Scalar: BLASScalar>: @unchecked Sendable {
  /// Global token-row indices (`b * T + position`).
  public let rows: Range<Int>
  public let x: UnsafePointer<Scalar>
  public let ldx: Int
  public let y: UnsafeMutablePointer<Scalar>
  public let ldy: Int

  public init(rows: Range<Int>, x: UnsafePointer<Scalar>, ldx: Int, y: UnsafeMutablePointer<Scalar>, ldy: Int) {
    (self.rows, self.x, self.ldx, self.y, self.ldy) = (rows, x, ldx, y, ldy)
  }
}

/// One linear map during a backward pass, all `rowCount` token rows: its input `x`, the gradient
/// `dY` of its output, and `dX`, which already holds `dY W` and to which a hook adds its own
/// contribution (an adapter branch).
public struct LinearGradient<Scalar: BLASScalar>: @unchecked Sendable {
  public let rowCount: Int
  public let x: UnsafePointer<Scalar>
  public let ldx: Int
  public let dY: UnsafePointer<Scalar>
  public let ldy: Int
  public let dX: UnsafeMutablePointer<Scalar>
  public let lddx: Int

  public init(
    rowCount: Int, x: UnsafePointer<Scalar>, ldx: Int, dY: UnsafePointer<Scalar>, ldy: Int,
    dX: UnsafeMutablePointer<Scalar>, lddx: Int
  ) {
    (self.rowCount, self.x, self.ldx, self.dY, self.ldy, self.dX, self.lddx) = (rowCount, x, ldx, dY, ldy, dX, lddx)
  }
}

/// What a forward or backward pass lets an adapter do besides the dense computation.
///
/// Forward hooks run per row chunk, possibly concurrently for disjoint rows; backward hooks run
/// once per site, on the calling thread, in reverse layer order.
public struct EncoderHooks<Scalar: BLASScalar>: @unchecked Sendable {
  /// Sites whose ``linearForward`` / ``linearBackward`` are called (others are skipped).
  public var sites: Set<LinearSite> = []
  /// Adds a branch to a linear map's output rows (GOAT's routed experts, adapter dropout).
  public var linearForward: ((LinearSite, LinearRows<Scalar>) -> Void)?
  /// Receives a linear map's input and output gradient; computes the adapter's gradients and
  /// adds the branch's input gradient to `dX`.
  public var linearBackward: ((LinearSite, LinearGradient<Scalar>) -> Void)?
  /// Receives `dL/d(word embedding rows)` `[N, H]` (what the embedding table lookup produced) and
  /// the batch's token ids (AdaLink).
  public var wordEmbeddingBackward: ((UnsafePointer<Scalar>, [Int32]) -> Void)?
  /// Whether the backward pass computes dense gradients for every encoder tensor (full
  /// fine-tuning). When false it returns no weight gradients and skips that work.
  public var denseGradients = true
  /// The lowest layer whose input gradient is needed; the backward pass stops there (layers
  /// below, and the embeddings, are frozen and get no gradient).
  public var lowestLayer = 0

  public init(
    sites: Set<LinearSite> = [], denseGradients: Bool = true, lowestLayer: Int = 0,
    linearForward: ((LinearSite, LinearRows<Scalar>) -> Void)? = nil,
    linearBackward: ((LinearSite, LinearGradient<Scalar>) -> Void)? = nil,
    wordEmbeddingBackward: ((UnsafePointer<Scalar>, [Int32]) -> Void)? = nil
  ) {
    self.sites = sites
    self.denseGradients = denseGradients
    self.lowestLayer = lowestLayer
    self.linearForward = linearForward
    self.linearBackward = linearBackward
    self.wordEmbeddingBackward = wordEmbeddingBackward
  }

  /// Dense gradients, no hooks: plain full fine-tuning.
  public static var dense: EncoderHooks { EncoderHooks() }

  @inline(__always) func forward(_ site: LinearSite, _ r: LinearRows<Scalar>) {
    if let f = linearForward, sites.contains(site) { f(site, r) }
  }

  @inline(__always) func backward(_ site: LinearSite, _ g: LinearGradient<Scalar>) {
    if let f = linearBackward, sites.contains(site) { f(site, g) }
  }
}

extension BertWeights {
  /// The `[out, in]` weight of one linear map (query, key and value are row blocks of the
  /// stacked QKV weight).
  public func weight(at site: LinearSite) -> Tensor<Scalar> {
    rows(of: site.module.tensors.weight, at: site)
  }

  /// The `[out]` bias of one linear map.
  public func bias(at site: LinearSite) -> Tensor<Scalar> {
    rows(of: site.module.tensors.bias, at: site)
  }

  /// The site's row block of a layer tensor (all of it for an unstacked map).
  private func rows(of tensor: LayerTensor, at site: LinearSite) -> Tensor<Scalar> {
    let t = layers[site.layer][tensor]
    guard let part = site.module.tensors.rowBlock else { return t }
    var shape = t.shape
    shape[0] /= 3
    let width = t.count / 3
    return Tensor(shape: shape, scalars: Array(t.scalars[part * width..<(part + 1) * width]))
  }

  /// Replaces the weight of one linear map.
  /// - Precondition: `weight` has the site's shape.
  public mutating func setWeight(_ weight: Tensor<Scalar>, at site: LinearSite) {
    let (tensor, _, block) = site.module.tensors
    guard let part = block else {
      precondition(weight.shape == layers[site.layer][tensor].shape, "weight \(weight.shape) for \(site)")
      layers[site.layer][tensor] = weight
      return
    }
    let h = layers[site.layer][tensor].shape[1]
    precondition(weight.shape == [h, h], "weight \(weight.shape) for \(site)")
    layers[site.layer].tensors[tensor.rawValue].withUnsafeMutableBufferPointer { dst in
      weight.withUnsafeBufferPointer { src in
        for i in 0..<src.count { dst[part * h * h + i] = src[i] }
      }
    }
  }
}
