import Foundation

/// Evaluates runs against labels: joins each ranking with its labels the way the CLEF TAR script
/// consumes a run, computes every metric per review and averages over reviews (macro).
public enum Evaluator {
  /// Joins a ranking with its labels, in ranking order.
  ///
  /// As in `tar_eval_2018.py`: a document ranked again is ignored (a warning names the line);
  /// a document with grade ≥ 3 is dropped; a document the labels do not list counts as
  /// non-relevant (the script's `get_value` returns 0 for it) and N grows to the ranking length
  /// when needed; grade −1 counts as shown and non-relevant.
  ///
  /// - Returns: The judged ranking, the duplicate document ids, and warnings.
  public static func judge(
    _ ranking: Ranking, against labels: ReviewLabels, runName: String = "run"
  ) -> (ranking: JudgedRanking, duplicates: [String], warnings: [String]) {
    var seen: [String: Int] = [:]
    var relevance: [Bool] = []
    var ids: [String] = []
    var decisions: [Bool] = []
    var hasDecisions = false
    var firstMark: Int?
    var lastMark: Int?
    var firstNotShown: Int?
    var duplicates: [String] = []
    var warnings: [String] = []
    var unlisted: [(id: String, line: Int)] = []
    for document in ranking.documents {
      if let firstLine = seen[document.documentID] {
        duplicates.append(document.documentID)
        warnings.append(
          "\(runName):\(document.line): review '\(ranking.reviewID)': document "
            + "'\(document.documentID)' ranked again (first at line \(firstLine)); ignored, as the "
            + "CLEF script does")
        continue
      }
      seen[document.documentID] = document.line
      let grade = labels.grades[document.documentID]
      if grade == nil { unlisted.append((document.documentID, document.line)) }
      if let grade, ReviewLabels.isIgnored(grade: grade) { continue }
      relevance.append(ReviewLabels.isRelevant(grade: grade ?? 0))
      ids.append(document.documentID)
      if let decision = document.decision { hasDecisions = true; decisions.append(decision) } else {
        decisions.append(false)
      }
      let rank = relevance.count
      switch document.action {
      case .threshold:
        if firstMark == nil { firstMark = rank }
        lastMark = rank
      case .notShown:
        if firstNotShown == nil { firstNotShown = rank }
      default: break
      }
    }
    if let first = unlisted.first {
      warnings.append(
        "\(runName):\(first.line): review '\(ranking.reviewID)': \(unlisted.count) ranked "
          + "document(s) not in the labels (first: '\(first.id)'); counted as non-relevant, as the "
          + "CLEF script does")
    }
    let shown: Int? = firstMark ?? firstNotShown.map { $0 - 1 }
    let judged = JudgedRanking(
      relevance: relevance, candidateCount: labels.candidateCount,
      relevantCount: labels.relevantCount, shownCount: shown, documentIDs: ids,
      decisions: hasDecisions ? decisions : nil, lastThresholdMark: lastMark ?? shown)
    return (judged, duplicates, warnings)
  }

  /// Evaluates a run against labels.
  ///
  /// Reviews without relevant documents are skipped with a note, as the CLEF script skips them
  /// ("Skipping topic"). Reviews the labels lack throw or are skipped, per
  /// `options.unlabelledReviews`.
  /// - Throws: `EvaluationError.reviewNotInLabels` (with the run file and line) or
  ///   `.invalidOption`.
  public static func evaluate(
    _ run: Run, labels: LabelSet, options: EvaluationOptions = EvaluationOptions()
  ) throws(EvaluationError) -> EvaluationReport {
    try options.validate()
    let labelsByID = labels.byReviewID
    var outcomes: [ReviewOutcome] = []
    var notes: [String] = []
    var warnings: [String] = []
    for ranking in run.rankings {
      guard let reviewLabels = labelsByID[ranking.reviewID] else {
        if options.unlabelledReviews == .error {
          throw .reviewNotInLabels(
            file: run.name, line: ranking.firstLine, reviewID: ranking.reviewID,
            labelsFile: labels.source)
        }
        let reason = "not in the labels (\(labels.source))"
        notes.append("review '\(ranking.reviewID)' skipped: \(reason)")
        outcomes.append(.skipped(reviewID: ranking.reviewID, reason: reason))
        continue
      }
      if reviewLabels.relevantCount == 0 {
        let reason = "no relevant documents (grade 1 or 2) in the labels, as the CLEF script skips it"
        notes.append("review '\(ranking.reviewID)' skipped: \(reason)")
        outcomes.append(.skipped(reviewID: ranking.reviewID, reason: reason))
        continue
      }
      let (judged, duplicates, rankingWarnings) = judge(
        ranking, against: reviewLabels, runName: run.name)
      warnings.append(contentsOf: rankingWarnings)
      outcomes.append(
        .evaluated(
          result(
            for: judged, reviewID: ranking.reviewID, labels: reviewLabels, options: options,
            duplicates: duplicates)))
    }
    let inRun = Set(run.rankings.map(\.reviewID))
    let missing = labels.reviews.map(\.reviewID).filter { !inRun.contains($0) }
    if !missing.isEmpty {
      notes.append(
        "\(missing.count) labelled review(s) not in the run, not evaluated: "
          + missing.prefix(10).joined(separator: ", ") + (missing.count > 10 ? ", …" : ""))
    }
    let results = outcomes.compactMap { outcome -> ReviewResult? in
      if case .evaluated(let result) = outcome { return result }
      return nil
    }
    return EvaluationReport(
      runName: run.name, labelsSource: labels.source, options: options, outcomes: outcomes,
      summary: summarize(results), notes: notes, warnings: warnings)
  }

  /// Macro averages: for each metric (in the order of the first review), the mean over the
  /// reviews where it is defined.
  public static func summarize(_ results: [ReviewResult]) -> [MetricSummary] {
    var order: [String] = []
    var sums: [String: (sum: Double, count: Int)] = [:]
    for result in results {
      for value in result.values {
        if sums[value.name] == nil {
          order.append(value.name)
          sums[value.name] = (0, 0)
        }
        if let v = value.value {
          sums[value.name]?.sum += v
          sums[value.name]?.count += 1
        }
      }
    }
    return order.map { name in
      let entry = sums[name] ?? (0, 0)
      return MetricSummary(
        name: name, mean: entry.count > 0 ? entry.sum / Double(entry.count) : nil,
        reviewCount: entry.count)
    }
  }

  /// A level such as 0.95 or 10 as it appears in metric names: `95`, `97.5`, `10`.
  static func levelName(_ value: Double) -> String {
    let rounded = (value * 1e9).rounded() / 1e9
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(format: "%g", rounded)
  }

  /// Computes every metric of one review.
  public static func result(
    for ranking: JudgedRanking, reviewID: String, labels: ReviewLabels? = nil,
    options: EvaluationOptions = EvaluationOptions(), duplicates: [String] = []
  ) -> ReviewResult {
    var values: [MetricValue] = []
    func add(_ name: String, _ value: Double?) { values.append(MetricValue(name: name, value: value)) }

    add("num_docs", Double(ranking.effectiveCount))
    add("num_rels", Double(ranking.relevantCount))
    add("rels_found", Double(ranking.found(atRank: ranking.rankedCount)))

    var recallAtRank: [Int: Double] = [:]
    var precisionAtRank: [Int: Double] = [:]
    var f1AtRank: [Int: Double] = [:]
    for k in options.rankCutoffs {
      recallAtRank[k] = RankingMetrics.recall(atRank: k, in: ranking)
      precisionAtRank[k] = RankingMetrics.precision(atRank: k, in: ranking)
      f1AtRank[k] = RankingMetrics.f1(atRank: k, in: ranking)
    }
    for k in options.rankCutoffs { add("recall@\(k)", recallAtRank[k]) }
    for k in options.rankCutoffs { add("precision@\(k)", precisionAtRank[k]) }
    for k in options.rankCutoffs { add("f1@\(k)", f1AtRank[k]) }

    var recallAtPercent: [Double: Double] = [:]
    for p in options.percentages {
      let value = RankingMetrics.recall(atPercent: p, in: ranking)
      recallAtPercent[p] = value
      add("recall@\(levelName(p))%", value)
    }

    var wss: [Double: Double] = [:]
    var tnr: [Double: Double] = [:]
    var nPrecision: [Double: Double] = [:]
    for r in options.recallTargets {
      wss[r] = WorkSavedMetrics.wss(atRecall: r, in: ranking, convention: options.wssConvention)
      tnr[r] = WorkSavedMetrics.tnr(atRecall: r, in: ranking)
      nPrecision[r] = WorkSavedMetrics.normalizedPrecision(atRecall: r, in: ranking)
    }
    for r in options.recallTargets { add("wss@\(levelName(r * 100))", wss[r]) }
    for r in options.recallTargets { add("tnr@\(levelName(r * 100))", tnr[r]) }
    for r in options.recallTargets { add("nprecision@\(levelName(r * 100))", nPrecision[r]) }

    let ap = RankingMetrics.averagePrecision(in: ranking)
    let rPrecision = RankingMetrics.rPrecision(in: ranking)
    let ndcg = RankingMetrics.ndcg(in: ranking)
    var ndcgAtRank: [Int: Double] = [:]
    for k in options.ndcgCutoffs { ndcgAtRank[k] = RankingMetrics.ndcg(atRank: k, in: ranking) }
    let rr = RankingMetrics.reciprocalRank(in: ranking)
    let lastRel = RankingMetrics.lastRelevantRank(in: ranking)
    let lastRelPercent = 100 * RankingMetrics.lastRelevantFraction(in: ranking)
    let area = RankingMetrics.normalizedArea(in: ranking)
    add("ap", ap)
    add("r_precision", rPrecision)
    add("ndcg", ndcg)
    for k in options.ndcgCutoffs { add("ndcg@\(k)", ndcgAtRank[k]) }
    add("mrr", rr)
    add("last_rel", lastRel.map(Double.init))
    add("last_rel_pct", lastRelPercent)
    add("norm_area", area)

    var erf: [Double: Double] = [:]
    for x in options.erfFractions {
      erf[x] = ASReviewMetrics.extraRelevantFound(atFraction: x, in: ranking)
      add("erf@\(levelName(x * 100))%", erf[x])
    }
    let atd = ASReviewMetrics.averageTimeToDiscovery(in: ranking)
    let asreviewLoss = ASReviewMetrics.loss(in: ranking)
    add("atd", atd)
    add("asreview_loss", asreviewLoss)

    var threshold: ThresholdResult?
    if ranking.shownCount != nil {
      let t = ThresholdResult(
        numShown: ThresholdMetrics.shownCount(in: ranking),
        recall: ThresholdMetrics.recallAtThreshold(in: ranking),
        totalCost: ThresholdMetrics.totalCost(in: ranking),
        lossR: ThresholdMetrics.recallLoss(in: ranking),
        lossE: ThresholdMetrics.effortLoss(in: ranking),
        lossER: ThresholdMetrics.recallEffortLoss(in: ranking))
      threshold = t
      add("num_shown", Double(t.numShown))
      add("recall_at_threshold", t.recall)
      add("total_cost", t.totalCost)
      add("loss_r", t.lossR)
      add("loss_e", t.lossE)
      add("loss_er", t.lossER)
    }

    var classification: ClassificationResult?
    if ranking.decisions != nil || ranking.shownCount != nil {
      classification = classify(ranking, labels: labels)
      if let c = classification {
        add("accuracy", c.accuracy)
        add("precision_macro", c.macroPrecision)
        add("recall_macro", c.macroRecall)
        add("f1_binary", c.binaryF1)
        add("f1_macro", c.macroF1)
        add("f1_micro", c.microF1)
        add("f3_macro", c.macroF3)
      }
    }

    return ReviewResult(
      reviewID: reviewID, ranking: ranking, recallAtRank: recallAtRank,
      precisionAtRank: precisionAtRank, f1AtRank: f1AtRank, recallAtPercent: recallAtPercent,
      wss: wss, wssConvention: options.wssConvention, tnr: tnr, normalizedPrecision: nPrecision,
      averagePrecision: ap, rPrecision: rPrecision, ndcg: ndcg, ndcgAtRank: ndcgAtRank,
      reciprocalRank: rr, lastRelevantRank: lastRel, lastRelevantPercent: lastRelPercent,
      normalizedArea: area, extraRelevantFound: erf,
      timeToDiscovery: ASReviewMetrics.timeToDiscovery(in: ranking),
      averageTimeToDiscovery: atd, asreviewLoss: asreviewLoss, threshold: threshold,
      classification: classification,
      clef: CLEFTAR2018.topicMeasures(for: ranking, topicID: reviewID),
      duplicateDocumentIDs: duplicates, values: values)
  }

  /// Include/exclude decisions of a ranking against the truth, over the ranked documents plus
  /// the unranked candidates (which count as excluded). Decisions come from the run's decision
  /// column when present, otherwise documents up to the threshold are included.
  static func classify(_ ranking: JudgedRanking, labels: ReviewLabels?) -> ClassificationResult {
    let shown = ThresholdMetrics.shownCount(in: ranking)
    var truth = ranking.relevance
    var predicted =
      ranking.decisions ?? ranking.relevance.indices.map { $0 < shown }
    if let labels {
      let ranked = Set(ranking.documentIDs)
      for id in labels.candidates where !ranked.contains(id) {
        guard let grade = labels.grades[id], grade != -1, !ReviewLabels.isIgnored(grade: grade) else {
          continue
        }
        truth.append(ReviewLabels.isRelevant(grade: grade))
        predicted.append(false)
      }
    } else {
      let missing = max(0, ranking.relevantCount - ranking.found(atRank: ranking.rankedCount))
      let padding = max(0, ranking.candidateCount - ranking.rankedCount)
      for index in 0..<padding {
        truth.append(index < missing)
        predicted.append(false)
      }
    }
    return ClassificationMetrics.evaluate(truth: truth, predicted: predicted)
  }
}
