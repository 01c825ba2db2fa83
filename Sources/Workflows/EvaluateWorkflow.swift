import Corpus
import Evaluation
import Foundation
import Ingest
import Store

/// `csmed eval`: rankings against labels from qrels or from the meta-dataset.
public enum EvaluateWorkflow {
  /// Where the labels come from.
  public enum LabelSource: Sendable {
    /// TREC/CLEF qrels; rels-only files are completed from the CLEF topic files in `topics`.
    case qrels(URL, topics: URL?)
    /// The meta-dataset's labels of one stage.
    case database(URL, stage: Stage)
  }

  public struct Options: Sendable {
    public var runs: [URL]
    public var labels: LabelSource
    public var evaluation: EvaluationOptions

    public init(runs: [URL], labels: LabelSource, evaluation: EvaluationOptions = EvaluationOptions()) {
      self.runs = runs
      self.labels = labels
      self.evaluation = evaluation
    }
  }

  /// Evaluates every run against the same labels.
  public static func evaluate(_ options: Options) throws -> [EvaluationReport] {
    guard !options.runs.isEmpty else { throw WorkflowError.usage("give at least one run (--run FILE)") }
    var reports: [EvaluationReport] = []
    for url in options.runs {
      guard FileManager.default.fileExists(atPath: url.path) else { throw WorkflowError.missingInput(path: url.path) }
      let run = try RunReader.read(contentsOf: url)
      let labels = try labelSet(for: run, from: options.labels)
      reports.append(try Evaluator.evaluate(run, labels: labels, options: options.evaluation))
    }
    return reports
  }

  /// Paired comparison of two runs over the reviews both evaluate.
  public static func compare(_ a: URL, _ b: URL, labels: LabelSource, evaluation: EvaluationOptions, seed: UInt64) throws
    -> ComparisonReport
  {
    let reports = try evaluate(Options(runs: [a, b], labels: labels, evaluation: evaluation))
    return try PairedComparison.compare(reports[0], reports[1], seed: seed)
  }

  /// An SVG of the runs' recall curves, overlaid.
  public static func plot(_ reports: [EvaluationReport], wssTarget: Double = 0.95) -> String {
    let curves = reports.map { RecallCurvePlot.curve(for: $0, label: $0.runName, wssTarget: wssTarget) }
    let title = reports.count == 1 ? "Recall curve: \(reports[0].runName)" : "Recall curves"
    return RecallCurvePlot.svg(curves, title: title, wssLabel: "WSS@\(Int((wssTarget * 100).rounded()))")
  }

  static func labelSet(for run: Run, from source: LabelSource) throws -> LabelSet {
    switch source {
    case .qrels(let url, let topics):
      guard FileManager.default.fileExists(atPath: url.path) else { throw WorkflowError.missingInput(path: url.path) }
      var completion: [String: [String]]?
      if let topics {
        completion = try topicPIDs(in: topics)
      }
      return try Evaluation.QrelsReader.read(contentsOf: url, completingWith: completion)
    case .database(let url, let stage):
      return try labelsFromDatabase(url, stage: stage, run: run)
    }
  }

  /// PIDs per topic from every CLEF topic file in a folder.
  static func topicPIDs(in folder: URL) throws -> [String: [String]] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
      throw WorkflowError.missingInput(path: folder.path)
    }
    var result: [String: [String]] = [:]
    for name in names.sorted() where !name.hasPrefix(".") {
      let topic = try CLEFTopicReader.read(contentsOf: folder.appendingPathComponent(name))
      result[topic.id] = topic.pids
    }
    return result
  }

  /// Labels for the reviews a run names, taken from the meta-dataset. A run may name documents by
  /// PMID, source id, DOI or csmed document id; unknown labels (NULL) are left out like CLEF's
  /// unjudged grades.
  static func labelsFromDatabase(_ url: URL, stage: Stage, run: Run) throws -> LabelSet {
    let store = try DatasetStore.open(at: url.path)
    var reviews: [ReviewLabels] = []
    for ranking in run.rankings {
      let review: ReviewRef
      do {
        review = try store.review(matching: ranking.reviewID)
      } catch StoreError.notFound {
        continue  // reported by the evaluator with the run's file and line
      }
      let inRun = Set(ranking.documents.map(\.documentID))
      var candidates: [String] = []
      var grades: [String: Int] = [:]
      for row in try store.candidates(ofReview: review.id, stage: stage) {
        let aliases = [row.record.pmid, row.record.sourceID, row.record.doi, String(row.documentID)].compactMap { $0 }
        let id = aliases.first(where: inRun.contains) ?? aliases[0]
        candidates.append(id)
        grades[id] = row.label ?? 3
      }
      reviews.append(ReviewLabels(reviewID: ranking.reviewID, candidates: candidates, grades: grades))
    }
    return LabelSet(source: url.lastPathComponent, reviews: reviews)
  }
}
