import Foundation
import Tensor

/// Training losses with their gradients.
public enum Loss {
  /// Class weights `n / (C * n_c)` (scikit-learn's "balanced"); classes absent from `labels` get 0.
  /// - Precondition: every label is in `0..<classCount`.
  public static func inverseFrequencyWeights(labels: [Int], classCount: Int) -> [Double] {
    var counts = [Int](repeating: 0, count: classCount)
    for y in labels {
      precondition((0..<classCount).contains(y), "label \(y) not in 0..<\(classCount)")
      counts[y] += 1
    }
    return counts.map { $0 == 0 ? 0 : Double(labels.count) / Double(classCount * $0) }
  }

  /// The normaliser of ``weightedCrossEntropy(logits:labels:classWeights:normalizer:)``:
  /// `Σ_i w[y_i]` (or the example count without weights).
  public static func weightTotal(labels: [Int], classWeights: [Double]?) -> Double {
    guard let w = classWeights else { return Double(labels.count) }
    return labels.reduce(0) { $0 + w[$1] }
  }

  /// Class-weighted softmax cross-entropy, PyTorch `F.cross_entropy(logits, y, weight=w)` with
  /// `reduction="mean"`:
  /// `L = Σ_i w[y_i] · (logsumexp(z_i) − z_i[y_i]) / normalizer`, `normalizer` defaulting to
  /// `Σ_i w[y_i]`. Gradient: `dL/dz_ij = w[y_i] (softmax(z_i)_j − [j = y_i]) / normalizer`.
  ///
  /// Pass the whole batch's ``weightTotal(labels:classWeights:)`` as `normalizer` to each
  /// micro-batch so that accumulated gradients equal the full-batch gradient.
  ///
  /// - Parameters:
  ///   - logits: `[B, C]`.
  ///   - labels: `B` classes in `0..<C`.
  ///   - classWeights: `C` non-negative weights, or nil for all ones.
  /// - Precondition: shapes agree, labels are in range, the normaliser is positive.
  public static func weightedCrossEntropy<S: BLASScalar>(
    logits: Tensor<S>, labels: [Int], classWeights: [Double]? = nil, normalizer: Double? = nil
  ) -> (loss: Double, logitsGradient: Tensor<S>) {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count, "logits \(logits.shape), \(labels.count) labels")
    let (b, c) = (logits.shape[0], logits.shape[1])
    if let w = classWeights { precondition(w.count == c, "\(w.count) class weights for \(c) classes") }
    precondition(labels.allSatisfy { (0..<c).contains($0) }, "labels must be in 0..<\(c)")
    let total = normalizer ?? weightTotal(labels: labels, classWeights: classWeights)
    precondition(total > 0, "cross-entropy normaliser \(total) must be positive")
    let p = logits.softmaxLastDimension()
    var grad = Tensor<S>(shape: [b, c])
    var loss = 0.0
    for i in 0..<b {
      let y = labels[i]
      let wi = classWeights?[y] ?? 1
      // logsumexp(z) − z_y computed stably from the row maximum.
      var m = -Double.infinity
      for j in 0..<c { m = max(m, Double(logits[i, j])) }
      var s = 0.0
      for j in 0..<c { s += Foundation.exp(Double(logits[i, j]) - m) }
      loss += wi * (m + Foundation.log(s) - Double(logits[i, y]))
      let scale = S(wi / total)
      for j in 0..<c { grad[i, j] = scale * (p[i, j] - (j == y ? 1 : 0)) }
    }
    return (loss / total, grad)
  }

  /// In-batch contrastive loss (InfoNCE; sentence-transformers `MultipleNegativesRankingLoss`
  /// with `scale = 1 / temperature`): with `a_i`, `p_j` the L2-normalised rows,
  /// `S_ij = (a_i · p_j) / τ` and `L = mean_i (logsumexp_j S_ij − S_ii)`; the other rows'
  /// positives are the negatives.
  ///
  /// - Parameters: `anchors` and `positives` are `[B, D]` (unnormalised).
  /// - Returns: the loss and its gradients with respect to both unnormalised inputs.
  public static func infoNCE<S: BLASScalar>(anchors: Tensor<S>, positives: Tensor<S>, temperature: Double) -> (
    loss: Double, anchorGradient: Tensor<S>, positiveGradient: Tensor<S>
  ) {
    precondition(
      anchors.rank == 2 && anchors.shape == positives.shape, "anchors \(anchors.shape), positives \(positives.shape)")
    return contrastive(anchors: anchors, candidates: positives, labels: Array(0..<anchors.shape[0]), temperature: temperature)
  }

  /// Contrastive loss over `M` candidates: anchor `i` should be most similar (cosine / τ) to
  /// candidate `labels[i]`; every other candidate, including hard negatives past the positives,
  /// is a negative. `L = mean_i (logsumexp_j S_ij − S_i,labels[i])`.
  public static func contrastive<S: BLASScalar>(
    anchors: Tensor<S>, candidates: Tensor<S>, labels: [Int], temperature: Double
  ) -> (loss: Double, anchorGradient: Tensor<S>, positiveGradient: Tensor<S>) {
    precondition(
      anchors.rank == 2 && candidates.rank == 2 && anchors.shape[1] == candidates.shape[1]
        && labels.count == anchors.shape[0], "anchors \(anchors.shape), candidates \(candidates.shape)")
    precondition(temperature > 0, "temperature must be positive")
    let a = Pool.l2Normalized(anchors), p = Pool.l2Normalized(candidates)
    let invT = S(1 / temperature)
    var logits = Tensor.matmul(a, p, transposeB: true)  // [B, M]
    logits = Tensor(shape: logits.shape, scalars: logits.scalars.map { $0 * invT })
    let (loss, dS) = weightedCrossEntropy(logits: logits, labels: labels)
    // S = A Pᵀ / τ: dA = dS P / τ, dP = dSᵀ A / τ.
    let dScaled = Tensor(shape: dS.shape, scalars: dS.scalars.map { $0 * invT })
    let dA = Tensor.matmul(dScaled, p)
    let dP = Tensor.matmul(dScaled, a, transposeA: true)
    return (
      loss, Pool.l2NormalizedBackward(anchors, outputGradient: dA),
      Pool.l2NormalizedBackward(candidates, outputGradient: dP)
    )
  }
}
