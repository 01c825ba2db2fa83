import Foundation

/// One named metric value of a review; `nil` when undefined for the review (for example TNR@r
/// when r is never reached), in which case the review is left out of the mean.
public struct MetricValue: Sendable, Hashable, Codable {
  /// The metric name, e.g. `recall@100`, `wss@95`, `tnr@95`, `ap`.
  public var name: String
  /// The value, or `nil` when undefined.
  public var value: Double?

  /// Creates a metric value.
  public init(name: String, value: Double?) {
    self.name = name
    self.value = value
  }
}

/// The mean of one metric over the reviews where it is defined (a macro average).
public struct MetricSummary: Sendable, Hashable, Codable {
  /// The metric name.
  public var name: String
  /// The mean over `reviewCount` reviews, or `nil` when no review defines it.
  public var mean: Double?
  /// The number of reviews averaged.
  public var reviewCount: Int

  /// Creates a summary.
  public init(name: String, mean: Double?, reviewCount: Int) {
    self.name = name
    self.mean = mean
    self.reviewCount = reviewCount
  }
}

/// Metrics of a thresholded ranking (the reviewer stops at the threshold).
public struct ThresholdResult: Sendable, Hashable, Codable {
  /// Documents shown (the threshold rank).
  public var numShown: Int
  /// Recall at the threshold.
  public var recall: Double
  /// CLEF TAR 2018 total cost.
  public var totalCost: Double
  /// CLEF TAR 2018 loss_r.
  public var lossR: Double
  /// CLEF TAR 2018 loss_e.
  public var lossE: Double
  /// CLEF TAR 2018 loss_er.
  public var lossER: Double
}

/// Every metric of one review.
public struct ReviewResult: Sendable, Hashable {
  /// The review (topic) identifier.
  public var reviewID: String
  /// The judged ranking the metrics were computed from.
  public var ranking: JudgedRanking
  /// recall@k per absolute cut-off.
  public var recallAtRank: [Int: Double]
  /// precision@k per absolute cut-off.
  public var precisionAtRank: [Int: Double]
  /// F1@k per absolute cut-off.
  public var f1AtRank: [Int: Double]
  /// recall@p% per percentage.
  public var recallAtPercent: [Double: Double]
  /// WSS@r per recall target, under `wssConvention`.
  public var wss: [Double: Double]
  /// The WSS convention used.
  public var wssConvention: WSSConvention
  /// TNR@r per recall target (absent when r is never reached).
  public var tnr: [Double: Double]
  /// Normalized precision@r per recall target (absent when r is never reached).
  public var normalizedPrecision: [Double: Double]
  /// Average precision.
  public var averagePrecision: Double
  /// R-precision.
  public var rPrecision: Double
  /// Full nDCG.
  public var ndcg: Double
  /// nDCG@k per cut-off.
  public var ndcgAtRank: [Int: Double]
  /// Reciprocal rank of the first relevant document.
  public var reciprocalRank: Double
  /// Rank of the last relevant document, if any is ranked.
  public var lastRelevantRank: Int?
  /// last relevant rank / N, as a percentage (CSMeD's `last_rel`).
  public var lastRelevantPercent: Double
  /// CLEF's normalized area.
  public var normalizedArea: Double
  /// ASReview ERF@x per fraction screened.
  public var extraRelevantFound: [Double: Double]
  /// ASReview time to discovery of each relevant document.
  public var timeToDiscovery: [Discovery]
  /// ASReview average time to discovery (mean rank of the relevant found).
  public var averageTimeToDiscovery: Double?
  /// ASReview normalized loss.
  public var asreviewLoss: Double?
  /// Threshold metrics, when the run marks a threshold.
  public var threshold: ThresholdResult?
  /// Classification metrics, when the run carries decisions or a threshold.
  public var classification: ClassificationResult?
  /// The values `tar_eval_2018.py` prints for this topic.
  public var clef: CLEFTopicMeasures
  /// Documents the run ranks twice (later copies are ignored), in run order.
  public var duplicateDocumentIDs: [String]
  /// The metrics as ordered name/value pairs (the order of `EvaluationOptions`).
  public var values: [MetricValue]

  /// The value of a named metric, if defined.
  public func value(named name: String) -> Double? {
    values.first { $0.name == name }?.value ?? nil
  }
}

/// What happened to one review of the run, in run order.
public enum ReviewOutcome: Sendable, Hashable {
  /// The review was evaluated.
  case evaluated(ReviewResult)
  /// The review was skipped; `reason` says why (no relevant documents, no labels).
  case skipped(reviewID: String, reason: String)
}

/// The evaluation of one run against labels.
public struct EvaluationReport: Sendable, Hashable {
  /// The run's name.
  public var runName: String
  /// The labels' source.
  public var labelsSource: String
  /// The options used.
  public var options: EvaluationOptions
  /// Every review of the run in run order, evaluated or skipped.
  public var outcomes: [ReviewOutcome]
  /// Macro averages over the evaluated reviews, in metric order.
  public var summary: [MetricSummary]
  /// Notes (skipped reviews, labelled reviews the run lacks).
  public var notes: [String]
  /// Warnings about the run's content (duplicates, documents the labels do not list).
  public var warnings: [String]

  /// The evaluated reviews in run order.
  public var reviews: [ReviewResult] {
    outcomes.compactMap { if case .evaluated(let result) = $0 { result } else { nil } }
  }

  /// The mean of a named metric, if defined.
  public func mean(named name: String) -> Double? {
    summary.first { $0.name == name }?.mean ?? nil
  }
}
