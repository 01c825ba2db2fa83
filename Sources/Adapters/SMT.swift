import Corpus
import Encoder
import Tensor

/// SMT (He et al. 2024): trains `b × b` blocks of a weight chosen by warm-up gradients. The
/// trainable tensor holds each selected block's delta (zero at the start), so the model is
/// unchanged at initialisation and every entry outside the blocks stays bit-identical.
/// Block gradient: `dΔ(i, j) = G[:, R_i]ᵀ X[:, C_j]`, read in place through the row strides.
public struct SMTBlocks<Scalar: BLASScalar>: LinearAdapter {
  /// A block's row and column index (in units of the block size).
  public struct Block: Hashable, Sendable, Codable, Comparable {
    public var row: Int
    public var column: Int
    public init(row: Int, column: Int) {
      self.row = row
      self.column = column
    }
    public static func < (a: Block, b: Block) -> Bool { (a.row, a.column) < (b.row, b.column) }
  }

  public let site: LinearSite
  public let blockSize: Int
  public let blocks: [Block]
  /// `[blocks.count, b, b]`.
  public var delta: Tensor<Scalar>

  public init(site: LinearSite, blockSize: Int, blocks: [Block]) {
    self.site = site
    self.blockSize = blockSize
    self.blocks = blocks.sorted()
    delta = Tensor(shape: [blocks.count, blockSize, blockSize])
  }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { [("smt_blocks", delta)] }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) { body("smt_blocks", &delta) }

  public func denseWeight(base: Tensor<Scalar>, branch: Bool) -> Tensor<Scalar> {
    add(delta.scalars, sign: 1, to: base)
  }

  func add(_ d: [Scalar], sign: Scalar, to base: Tensor<Scalar>) -> Tensor<Scalar> {
    var w = base
    let (inDim, b) = (base.shape[1], blockSize)
    w.withMutableBase { p in
      for (k, blk) in blocks.enumerated() {
        for i in 0..<b {
          let dst = p + (blk.row * b + i) * inDim + blk.column * b
          for j in 0..<b { dst[j] += sign * d[(k * b + i) * b + j] }
        }
      }
    }
    return w
  }

  public func gradients(_ g: LinearGradient<Scalar>, base: Tensor<Scalar>, state: (any BranchState)?) -> [Tensor<Scalar>] {
    var d = Tensor<Scalar>(shape: delta.shape)
    let b = blockSize
    d.withMutableBase { p in
      for (k, blk) in blocks.enumerated() {
        Rows.gemm(
          .transposed, .none, m: b, n: b, k: g.rowCount, g.dY + blk.row * b, g.ldy, g.x + blk.column * b, g.ldx,
          p + k * b * b, b)
      }
    }
    return [d]
  }

  public func unmerged(_ merged: Tensor<Scalar>) -> Tensor<Scalar>? { add(delta.scalars, sign: -1, to: merged) }

  /// Scores of every block of a `[out, in]` gradient: `|mean over the block|` (SMT's default
  /// `mean_abs`), row-major over blocks.
  public static func blockScores(_ gradient: Tensor<Scalar>, blockSize b: Int) -> [(Block, Double)] {
    let (out, inDim) = (gradient.shape[0], gradient.shape[1])
    var scores: [(Block, Double)] = []
    for bi in 0..<out / b {
      for bj in 0..<inDim / b {
        var s = 0.0
        for i in 0..<b { for j in 0..<b { s += Double(gradient.scalars[(bi * b + i) * inDim + bj * b + j]) } }
        scores.append((Block(row: bi, column: bj), abs(s / Double(b * b))))
      }
    }
    return scores
  }
}
