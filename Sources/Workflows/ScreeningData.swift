import Corpus
import Evaluation
import Foundation
import Screening
import Store

/// Training reviews and batches.
enum ScreeningData {
  struct Review: Sendable {
    var key: String
    var query: String
    var texts: [String]
    var labels: [Int?]

    var hasBothClasses: Bool {
      let ls = zip(texts, labels).filter { !$0.0.isEmpty }.compactMap(\.1)
      return ls.contains(1) && ls.contains(0)
    }

    /// All included and at most `maxExcluded` excluded candidates (a deterministic sample).
    func sampled(maxExcluded: Int, seed: UInt64) -> Review {
      let excluded = labels.indices.filter { labels[$0] == 0 }
      guard excluded.count > maxExcluded else { return self }
      var rng = SplitMix64(seed: seed)
      let kept = Set(excluded.shuffled(using: &rng).prefix(maxExcluded))
      return keeping(labels.indices.filter { labels[$0] == 1 || kept.contains($0) }, key: key)
    }

    /// The candidates at `indices`, in their order, under `key`.
    func keeping(_ indices: [Int], key: String) -> Review {
      Review(key: key, query: query, texts: indices.map { texts[$0] }, labels: indices.map { labels[$0] })
    }
  }

  /// A review's candidates as a screener reading `view` sees them; the full-text stage reads the
  /// main text after them, where there is one.
  static func review(_ ref: ReviewRef, store: DatasetStore, stage: Stage, view: TextView) throws -> Review {
    let rows = try store.candidates(ofReview: ref.id, stage: stage)
    let criteria = try store.criteriaText(ofReview: ref.id)
    let query = reviewQuery(title: ref.title, criteria: criteria)
    let texts = try rows.map { row in
      view.text(of: row.record, mainText: stage == .fullText ? try store.fullText(ofDocument: row.documentID)?.body : nil)
    }
    return Review(key: "\(ref.collection)/\(ref.sourceReviewID)", query: query, texts: texts, labels: rows.map(\.label))
  }

  /// The labelled records of a file as one training review, and the held-out share as one
  /// validation review (the same share of included and of excluded records, at least one of each).
  /// Records without a label are the rest to screen, not training data; records without text
  /// teach nothing.
  static func labelled(
    _ file: TrainWorkflow.LabelledFile, view: TextView, seed: UInt64, progress: ProgressHandler
  ) throws -> (train: [Review], valid: [Review]) {
    guard (0..<1).contains(file.validFraction) else {
      throw WorkflowError.usage("--valid-fraction expects a share in [0, 1), got \(file.validFraction)")
    }
    let input = try ScreenInput(.file(file.url, title: file.title, criteria: file.criteria))
    let query = reviewQuery(title: input.title, criteria: input.criteria)
    guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw WorkflowError.usage("--input needs --review-title (and --criteria): the screener learns the review's query beside its records")
    }
    var texts: [String] = [], labels: [Int] = []
    var unlabelled = 0, empty = 0
    try input.forEach(view: view) { _, candidate in
      guard let label = candidate.label else { unlabelled += 1; return }
      guard !candidate.text.isEmpty else { empty += 1; return }
      texts.append(candidate.text)
      labels.append(label)
    }
    if unlabelled > 0 { progress(.warning("\(unlabelled) record(s) have no label: not used for training (rank them with `csmed screen --model`)")) }
    if empty > 0 { progress(.warning("\(empty) labelled record(s) have neither title nor abstract: not used")) }
    let included = labels.filter { $0 == 1 }.count
    guard included > 0, included < labels.count else {
      throw WorkflowError.usage(
        "\(file.url.path): training needs included and excluded records with text; found \(included) included and \(labels.count - included) excluded (labels come from a column such as included or label_included, or RIS/MEDLINE label tags)")
    }
    let held =
      file.validFraction > 0
      ? try stratifiedSample(labels: labels, fraction: file.validFraction, seed: seed, flag: "--valid-fraction") : []
    let all = Review(key: input.reviewID, query: query, texts: texts, labels: labels)
    let train = all.keeping(labels.indices.filter { !held.contains($0) }, key: input.reviewID)
    return ([train], held.isEmpty ? [] : [all.keeping(labels.indices.filter(held.contains), key: "\(input.reviewID) (held out)")])
  }

  /// A seeded sample of `fraction` of each class (1 and 0), at least one and all but one of
  /// each, so that both the sample and the rest hold both classes.
  static func stratifiedSample(labels: [Int], fraction: Double, seed: UInt64, flag: String = "--fraction") throws -> Set<Int> {
    var sample = Set<Int>()
    var rng = SplitMix64(seed: seed)
    for label in [1, 0] {
      let members = labels.indices.filter { labels[$0] == label }.shuffled(using: &rng)
      guard members.count >= 2 else {
        throw WorkflowError.usage(
          "\(flag): only \(members.count) \(label == 1 ? "included" : "excluded") record(s); at least two are needed, one on each side of the split")
      }
      let count = min(members.count - 1, max(1, Int((fraction * Double(members.count)).rounded())))
      sample.formUnion(members.prefix(count))
    }
    return sample
  }

  /// Each review's relevance in rank order (judged candidates only).
  static func rankings(_ scored: [(Review, [Double]?)]) -> [[Bool]] {
    scored.compactMap { r, scores in
      guard let scores else { return nil }
      let judged = r.labels.indices.filter { r.labels[$0] != nil }
      return judged.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.map { r.labels[$0] == 1 }
    }
  }

  /// Macro-averaged WSS@95 (CLEF), recall@10%, AP and ROC AUC over reviews with scores.
  static func metrics(_ scored: [(Review, [Double]?)]) -> [String: Double] {
    var sums: [String: Double] = [:]
    var n = 0
    for (r, scores) in scored {
      guard let scores else { continue }
      let judged = r.labels.indices.filter { r.labels[$0] != nil }
      let order = judged.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
      let ranking = JudgedRanking(relevance: order.map { r.labels[$0] == 1 })
      sums["wss@95", default: 0] += WorkSavedMetrics.wss(atRecall: 0.95, in: ranking, convention: .clef)
      sums["recall@10%", default: 0] += RankingMetrics.recall(atPercent: 10, in: ranking)
      sums["ap", default: 0] += RankingMetrics.averagePrecision(in: ranking)
      sums["auc", default: 0] += RankingMetrics.rocAUC(in: ranking)
      n += 1
    }
    return sums.mapValues { $0 / Double(max(1, n)) }
  }

  static func describe(_ m: [String: Double]) -> String {
    ["wss@95", "recall@10%", "ap", "auc"].compactMap { k in m[k].map { String(format: "%@ %.4f", k, $0) } }
      .joined(separator: ", ")
  }
}
