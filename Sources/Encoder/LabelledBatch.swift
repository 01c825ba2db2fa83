import Tensor

/// One labelled micro-batch.
public struct LabelledBatch: Sendable {
  public var batch: TokenBatch
  /// `B` classes.
  public var labels: [Int]

  public init(batch: TokenBatch, labels: [Int]) {
    precondition(labels.count == batch.batchSize, "\(labels.count) labels for batch of \(batch.batchSize)")
    self.batch = batch
    self.labels = labels
  }
}
