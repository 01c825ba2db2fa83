import Foundation
import Screening

/// `csmed stop`: reads a partial labelling order and asks every stopping rule whether to stop now.
public enum StopWorkflow {
  public struct Answer: Sendable {
    public var screened: Int
    public var relevantFound: Int
    public var total: Int
    public var decisions: [StoppingRuleDecision]
    /// Every label the file gives, by document id (1 relevant, 0 irrelevant).
    public var labels: [String: Int] = [:]
    public var targetRecall = 0.95
  }

  /// - Parameters:
  ///   - labels: CSV `order,document_id,label[,score][,sample]`; rows without an order are not yet screened.
  ///   - total: N, the review's size; defaults to the number of rows in the file.
  ///   - rules: A rule list such as `knee,budget,target:10,hypergeometric` (nil: the default set).
  public static func decide(labels: URL, total: Int?, rules: String?, targetRecall: Double) throws -> Answer {
    guard FileManager.default.fileExists(atPath: labels.path) else { throw WorkflowError.missingInput(path: labels.path) }
    let parsed = try StoppingLabelsReader.read(contentsOf: labels.path)
    let progress = try parsed.progress(total: total)
    let chosen = try rules.map { try StoppingRuleCatalog.rules(from: $0, targetRecall: targetRecall) }
      ?? StoppingRuleCatalog.defaultRules(targetRecall: targetRecall)
    return Answer(
      screened: progress.labels.count, relevantFound: progress.labels.filter { $0 }.count, total: progress.total,
      decisions: StoppingRuleCatalog.decisions(of: chosen, for: progress), labels: labelMap(parsed), targetRecall: targetRecall)
  }

  /// The labels of a screening log (`order,document_id,label`, as a screening page exports it), by document id.
  public static func labels(in file: URL) throws -> [String: Int] {
    guard FileManager.default.fileExists(atPath: file.path) else { throw WorkflowError.missingInput(path: file.path) }
    return labelMap(try StoppingLabelsReader.read(contentsOf: file.path))
  }

  static func labelMap(_ parsed: StoppingLabels) -> [String: Int] {
    var labels: [String: Int] = [:]
    for row in parsed.entries { if let label = row.label { labels[row.documentID] = label ? 1 : 0 } }
    return labels
  }
}
