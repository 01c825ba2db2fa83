import Corpus
import Encoder
import Tensor

/// AdaLink (Wang et al. 2023): a residual low-rank map on the word embeddings only,
/// `ê = e + (e W_down) W_up`, placed on the table lookup before position and type embeddings
/// and the embedding LayerNorm (adapters.md §8). The output depends only on the token id, so
/// the adapter folds exactly into the table: training uses the folded table, and merging is
/// that fold. `W_up` starts at zero (the model is unchanged at initialisation) and `W_down` like
/// LoRA's `A`.
public struct AdaLinkEmbedding<Scalar: BLASScalar>: Sendable {
  /// `[H, r]`.
  public var down: Tensor<Scalar>
  /// `[r, H]`.
  public var up: Tensor<Scalar>

  public init(hiddenSize h: Int, rank: Int, using rng: inout SplitMix64) {
    down = Initializer.uniform([h, rank], bound: 1 / Double(h).squareRoot(), using: &rng)
    up = Tensor(shape: [rank, h])
  }

  public init(down: Tensor<Scalar>, up: Tensor<Scalar>) {
    self.down = down
    self.up = up
  }

  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] { [("adalink_down", down), ("adalink_up", up)] }

  public mutating func updateEach(_ body: (String, inout Tensor<Scalar>) -> Void) {
    body("adalink_down", &down)
    body("adalink_up", &up)
  }

  /// `T + (T W_down) W_up`.
  public func folded(table: Tensor<Scalar>) -> Tensor<Scalar> {
    table.adding(Tensor.matmul(Tensor.matmul(table, down), up))
  }

  /// Gradients from `dL/dê` `[N, H]` for the looked-up rows `ids` of the base `table`:
  /// `dW_up = (E W_down)ᵀ dÊ`, `dW_down = Eᵀ (dÊ W_upᵀ)`.
  public func gradients(outputGradient dE: UnsafePointer<Scalar>, ids: [Int32], table: Tensor<Scalar>) -> [Tensor<Scalar>] {
    let (h, r, n) = (down.shape[0], down.shape[1], ids.count)
    var e = [Scalar](repeating: 0, count: n * h)
    for (row, id) in ids.enumerated() {
      for j in 0..<h { e[row * h + j] = table.scalars[Int(id) * h + j] }
    }
    let embedded = Tensor(shape: [n, h], scalars: e)
    let grad = Tensor(shape: [n, h], scalars: Array(UnsafeBufferPointer(start: dE, count: n * h)))
    let hidden = Tensor.matmul(embedded, down)  // [N, r]
    let dUp = Tensor.matmul(hidden, grad, transposeA: true)  // [r, H]
    let dHidden = Tensor.matmul(grad, up, transposeB: true)  // [N, r]
    let dDown = Tensor.matmul(embedded, dHidden, transposeA: true)  // [H, r]
    _ = r
    return [dDown, dUp]
  }

  public var parameterCount: Int { down.count + up.count }
}
