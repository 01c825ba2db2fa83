import Adapters
import Corpus
import Foundation
import Tensor

extension TrainWorkflow {
  public struct Options: Sendable {
    public var database: URL
    public var train: ReviewSelection
    public var valid: ReviewSelection?
    public var stage: Stage = .titleAbstract
    public var kind: ScreenerKind = .biEncoder
    public var base: URL
    public var adapter: AdapterConfiguration = AdapterConfiguration(method: .lora)
    public var epochs = 1
    public var learningRate = 1e-4
    /// Queries (bi-encoder) or pairs (cross-encoder) per optimizer step.
    public var batchSize = 16
    public var maxLength = 256
    public var queryMaxLength = 128
    public var seed: UInt64 = 42
    public var output: URL
    public var resume = false
    /// Stop after this many optimizer steps in total (a budget), nil: run every epoch.
    public var maxSteps: Int?
    /// Bi-encoder: softmax temperature of the contrastive loss.
    public var temperature = 0.05
    /// Bi-encoder: excluded candidates of the same review added per query as hard negatives.
    public var hardNegatives = 1
    /// Included candidates of one review used per epoch (keeps big reviews from dominating).
    public var positivesPerReview = 32
    /// Epochs without a better validation score before stopping.
    public var patience = 2
    /// Validation reviews are scored on all their included and at most this many excluded candidates.
    public var validationCandidates = 1000
    /// BERT's hidden and attention dropout while training (Hugging Face's train mode: 0.1).
    public var encoderDropout = 0.1
    public var workers = Parallel.defaultWorkerCount

    /// Train on the labelled records of one file instead of the meta-dataset's reviews.
    public var input: LabelledFile?

    public init(database: URL, train: ReviewSelection, base: URL, output: URL) {
      self.database = database
      self.train = train
      self.base = base
      self.output = output
    }

    /// `train --input`: the labelled records of `input`, no database.
    public init(input: LabelledFile, base: URL, output: URL) {
      self.init(database: URL(fileURLWithPath: "/dev/null"), train: .none, base: base, output: output)
      self.input = input
    }
  }

  /// A search export with labels (a label column such as `included` or `label_included`, or
  /// RIS/MEDLINE label tags), as `train --input` reads it: a reviewer's own screening so far.
  public struct LabelledFile: Sendable {
    public var url: URL
    /// The review's title and criteria: the query the encoders read beside each record.
    public var title: String
    public var criteria: URL?
    /// The share of the labelled records, stratified by label and drawn with the run's seed,
    /// held out to choose the epoch and to estimate `screen --target-recall`; 0 holds out none.
    public var validFraction: Double

    public init(url: URL, title: String, criteria: URL? = nil, validFraction: Double = 0) {
      self.url = url
      self.title = title
      self.criteria = criteria
      self.validFraction = validFraction
    }
  }
}
