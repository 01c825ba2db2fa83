import Foundation
import HTMLPage

/// `csmed screen --html PAGE` and `csmed stop --labels FILE --html PAGE`: the screening page of
/// a ranking, and the same page again with the labels fed back and the stopping rules' advice.
public enum PageWorkflow {
  /// Writes the page of `ranked` (which kept its records) to `sink`, in rank order.
  /// - Parameter cutoff: Where `--target-recall` says to stop, marked in the list.
  /// - Parameter labels: Labels to show, by document id (a page's export read back); those of
  ///   records this screen does not list are left out.
  public static func write(
    _ ranked: ScreenWorkflow.Ranked, cutoff: ScreenWorkflow.Cutoff?, labels: [String: Int] = [:], generated: Date = Date(),
    to sink: (String) throws -> Void
  ) throws {
    guard let records = ranked.records, records.count == ranked.documentIDs.count else {
      throw WorkflowError.usage("--html needs the records: screen with keepRecords")
    }
    // The same screen gives the same id, so a page written again finds the labels the browser kept.
    var digest = FieldDigest()
    for field in [ranked.reviewID, ranked.ranker, ranked.query] { digest.add(field) }
    for id in ranked.documentIDs { digest.add(id) }
    let explicitQuery = ranked.query != reviewQuery(title: ranked.title, criteria: ranked.criteria)
    let listed = Set(ranked.documentIDs)
    let meta = ScreeningPage.Meta(
      pageID: String(digest.hex().prefix(16)), reviewID: ranked.reviewID,
      title: ranked.title.isEmpty ? ranked.query : ranked.title, query: ranked.query, ranker: ranked.ranker,
      csmedVersion: CSMeDVersion.current, generated: ISO8601DateFormatter().string(from: generated),
      queryTerms: HighlightTerms.stems(in: explicitQuery ? ranked.query : ranked.title),
      criteriaTerms: HighlightTerms.stems(in: ranked.criteria ?? ""),
      cutoff: cutoff.map { .init(targetRecall: $0.targetRecall, rank: $0.rank, validationReviews: $0.validationReviews) },
      labels: labels.filter { listed.contains($0.key) })
    try ScreeningPage.write(meta: meta, sourceLabels: ranked.order.map { ranked.labels[$0] }, entries: { emit in
      for (position, candidate) in ranked.order.enumerated() {
        let record = try records.record(candidate)
        let score = ranked.scores[candidate]
        try emit(ScreeningPage.Entry(
          rank: position + 1, id: ranked.documentIDs[candidate], recordID: record.sourceID,
          score: score.isFinite ? score : nil, title: record.title, abstract: record.abstract, authors: record.authors,
          year: record.year, journal: record.venue, doi: record.doi, pmid: record.pmid, keywords: record.keywords,
          sourceLabel: ranked.labels[candidate]))
      }
    }, to: sink)
  }

  /// The page at `url` with `answer`'s labels and advice in it (the labels of records the page
  /// does not list are left out and counted).
  /// - Throws: ``WorkflowError/missingInput(path:)`` when there is no page, ``WorkflowError/io(path:reason:)``
  ///   when the file is not a csmed screening page.
  public static func feedBack(
    _ answer: StopWorkflow.Answer, labelsFile: String, into url: URL
  ) throws -> (page: ScreeningPage, unknownLabels: Int) {
    guard let data = FileManager.default.contents(atPath: url.path) else { throw WorkflowError.missingInput(path: url.path) }
    var page: ScreeningPage
    do { page = try ScreeningPage.read(data, file: url.path) } catch let error as PageError {
      throw WorkflowError.io(path: url.path, reason: error.description)
    }
    let listed = Set(page.entries.map(\.id))
    page.meta.labels = answer.labels.filter { listed.contains($0.key) }
    page.meta.advice = ScreeningPage.StopAdvice(
      labelsFile: labelsFile, screened: answer.screened, relevantFound: answer.relevantFound, total: answer.total,
      targetRecall: answer.targetRecall,
      rules: answer.decisions.map { .init(rule: $0.rule, verdict: $0.decision.verdict.rawValue, reason: $0.decision.reason) })
    return (page, answer.labels.count - page.meta.labels.count)
  }
}
