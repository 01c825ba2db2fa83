import Tensor

/// The sizes of one pass over a padded batch: `B` sequences of `T` positions (`N = B * T` token
/// rows), hidden `H`, intermediate `I`, `NH` heads of size `dh`, the token-row chunks and the
/// workers. Every buffer of a pass is sized from these.
struct PassShape: Sendable {
  let batchSize, t, n, h, h3, inner, heads, dh: Int
  let chunks: [Range<Int>]
  let maxChunk: Int
  let workers: Int
  /// Which dropout the pass applies (its masked copies need room only then).
  let hiddenDropout, attentionDropout: Bool

  init(_ c: BertConfiguration, batch: TokenBatch, chunks: [Range<Int>], workers: Int, dropout: EncoderDropout? = nil) {
    (batchSize, t) = (batch.batchSize, batch.sequenceLength)
    n = batchSize * t
    (h, inner, heads, dh) = (c.hiddenSize, c.intermediateSize, c.headCount, c.headSize)
    h3 = 3 * h
    self.chunks = chunks
    maxChunk = chunks.map(\.count).max() ?? 0
    self.workers = max(1, workers)
    hiddenDropout = (dropout?.hidden ?? 0) > 0
    attentionDropout = (dropout?.attention ?? 0) > 0
  }

  /// Per-worker room for one (sequence, head) item: its `[T, T]` scores and `T` row sums.
  var itemScratch: Int { t * t + t }
}

/// The parts of one buffer (an arena), each sized by the pass. One enum per arena; the layout
/// and the pointers into it follow from the cases, so a new buffer is a new case.
protocol ArenaSlot: CaseIterable, RawRepresentable where RawValue == Int, AllCases == [Self] {
  func count(in shape: PassShape) -> Int
}

/// Offsets of every slot of `Slot` in one buffer.
struct ArenaLayout<Slot: ArenaSlot>: Sendable {
  let offsets: [Int]
  let total: Int

  init(_ shape: PassShape) {
    var offset = 0
    offsets = Slot.allCases.map { slot in
      defer { offset += slot.count(in: shape) }
      return offset
    }
    total = offset
  }
}

/// One owned allocation of scalars, freed with the last reference. Written only by the pass that
/// fills it (disjoint rows per worker), read-only afterwards, hence `@unchecked Sendable`.
final class ScalarArena<Scalar: BLASScalar>: @unchecked Sendable {
  let base: UnsafeMutablePointer<Scalar>
  let count: Int

  /// `zeroed: false` leaves the memory uninitialised, for buffers whose every read element is
  /// written first (saved activations: zero-filling them cost 100+ MB of writes per step).
  init(count: Int, zeroed: Bool) {
    self.count = max(1, count)
    base = .allocate(capacity: self.count)
    if zeroed { base.initialize(repeating: 0, count: self.count) }
  }

  deinit { base.deallocate() }
}

/// Pointers into an arena laid out by `Slot`.
///
/// `separately` gives each slot an allocation of its own: for buffers made and freed every step
/// beside long-lived ones, where glibc's retained heap finds room for several tens-of-megabyte
/// blocks in the holes earlier steps left more easily than for one block of their sum (one block
/// raised a LoRA step's peak RSS by ~55 MB).
struct ArenaView<Slot: ArenaSlot, Scalar: BLASScalar>: @unchecked Sendable {
  private let arenas: [ScalarArena<Scalar>]
  private let offsets: [Int]

  init(_ shape: PassShape, zeroed: Bool, separately: Bool = false) {
    let layout = ArenaLayout<Slot>(shape)
    if separately {
      arenas = Slot.allCases.map { ScalarArena(count: $0.count(in: shape), zeroed: zeroed) }
      offsets = [Int](repeating: 0, count: arenas.count)
    } else {
      arenas = [ScalarArena(count: layout.total, zeroed: zeroed)]
      offsets = layout.offsets
    }
  }

  subscript(_ slot: Slot) -> UnsafeMutablePointer<Scalar> {
    arenas[arenas.count == 1 ? 0 : slot.rawValue].base + offsets[slot.rawValue]
  }

  /// The first `count` scalars of a slot, copied out. Reading through the view keeps the arena
  /// alive until the copy is made (a pointer taken earlier does not: Swift may free the arena
  /// after its last use).
  func array(_ slot: Slot, count: Int) -> [Scalar] { Array(UnsafeBufferPointer(start: self[slot], count: count)) }
}

/// What one layer's forward pass saves for its backward pass (about `N (10 H + 2 I) + B NH T²`
/// scalars).
enum LayerActivation: Int, ArenaSlot {
  /// The layer input `[N, H]`.
  case input
  /// `[N, 3H]`.
  case qkv
  /// Per (sequence, head) item: `[T, L_b]` at `item * T * T`.
  case probabilities
  /// `[N, H]`.
  case context
  /// Attention output + input, `[N, H]`, and its LayerNorm statistics and output.
  case norm1Input, norm1Mean, norm1Rstd, norm1Output
  /// The FFN pre-activation and GELU output, `[N, I]`.
  case preActivation, activation
  /// FFN output + norm1 output, `[N, H]`, and its statistics.
  case norm2Input, norm2Mean, norm2Rstd

  func count(in s: PassShape) -> Int {
    switch self {
    case .input, .context, .norm1Input, .norm1Output, .norm2Input: s.n * s.h
    case .qkv: s.n * s.h3
    case .probabilities: s.batchSize * s.heads * s.t * s.t
    case .norm1Mean, .norm1Rstd, .norm2Mean, .norm2Rstd: s.n
    case .preActivation, .activation: s.n * s.inner
    }
  }
}

/// What the embedding block saves: the sums word + position + type `[N, H]` before the
/// LayerNorm, and its statistics.
enum EmbeddingActivation: Int, ArenaSlot {
  case sum, mean, rstd

  func count(in s: PassShape) -> Int { self == .sum ? s.n * s.h : s.n }
}

/// The buffers of an inference pass.
enum InferenceBuffer: Int, ArenaSlot {
  /// The hidden states `[N, H]`, updated layer by layer.
  case hidden
  case qkv
  case context
  /// Per worker: a chunk's sub-layer branch `[maxChunk, H]` and FFN activations `[maxChunk, I]`.
  case rows
  /// Per worker: ``PassShape/itemScratch``.
  case scores

  func count(in s: PassShape) -> Int {
    switch self {
    case .hidden, .context: s.n * s.h
    case .qkv: s.n * s.h3
    case .rows: s.workers * s.maxChunk * (s.h + s.inner)
    case .scores: s.workers * s.itemScratch
    }
  }
}

/// The gradients and scratch of a backward pass.
enum BackwardBuffer: Int, ArenaSlot {
  /// dL/d(layer output) `[N, H]`: the output gradient, then each layer's input gradient.
  case hidden
  /// dL/d(LayerNorm input) `[N, H]`.
  case normInput
  /// dL/d(norm1 output) `[N, H]`.
  case norm1Output
  /// dL/d(FFN activation) `[N, I]`.
  case activation
  case context
  case qkv
  /// Per worker: dL/dP of one item `[T, T]`, and the dropped P it was used as.
  case probabilities, droppedProbabilities
  /// A sub-layer branch's gradient under hidden dropout (the residual keeps the unmasked one).
  case maskedBranch
  /// Per chunk: LayerNorm γ and β gradient partial sums.
  case normPartials
  /// `N` ones (bias gradients as a GEMV).
  case ones

  func count(in s: PassShape) -> Int {
    switch self {
    case .hidden, .normInput, .norm1Output, .context: s.n * s.h
    case .maskedBranch: s.hiddenDropout ? s.n * s.h : 0
    case .activation: s.n * s.inner
    case .qkv: s.n * s.h3
    case .probabilities: s.workers * s.t * s.t
    case .droppedProbabilities: s.attentionDropout ? s.workers * s.t * s.t : 0
    case .normPartials: s.chunks.count * 2 * s.h
    case .ones: s.n
    }
  }
}

/// Base pointers of the embedding tensors during a pass.
struct EmbeddingPointers<S: BLASScalar> {
  let pointers: [UnsafePointer<S>]
  subscript(_ e: EmbeddingTensor) -> UnsafePointer<S> { pointers[e.rawValue] }
}

/// Base pointers of one layer's tensors during a pass.
struct LayerPointers<S: BLASScalar> {
  let pointers: [UnsafePointer<S>]
  subscript(_ t: LayerTensor) -> UnsafePointer<S> { pointers[t.rawValue] }
}

/// Mutable pointers of one layer's gradients in the flat buffer laid out by ``WeightLayout``.
struct LayerGradientPointers<S: BLASScalar> {
  let base: UnsafeMutablePointer<S>
  let offsets: [Int]
  subscript(_ t: LayerTensor) -> UnsafeMutablePointer<S> { base + offsets[t.rawValue] }
}
