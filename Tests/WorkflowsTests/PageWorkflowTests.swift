import Corpus
import Foundation
import HTMLPage
import Ingest
import Testing
import TestSupport

@testable import Workflows

/// `screen --html` and `stop --labels --html`: the screening page of a ranking and the advice fed back.
@Suite struct PageWorkflowTests {
  func screened() throws -> (ScreenWorkflow.Ranked, URL) {
    let folder = try TestSupport.temporaryDirectory()
    let input = folder.appendingPathComponent("export.ris")
    try RISWriter.write(RankedRecordsTests.records, to: input)
    let criteria = folder.appendingPathComponent("criteria.txt")
    try Data("Include trials of creatine kinase. Exclude case series.".utf8).write(to: criteria)
    var options = ScreenWorkflow.Options(
      source: .file(input, title: "statins muscle", criteria: criteria), ranker: .zeroShot(.bm25), base: folder)
    options.keepRecords = true
    return (try ScreenWorkflow.screen(options), folder)
  }

  func page(_ ranked: ScreenWorkflow.Ranked) throws -> ScreeningPage {
    var html = ""
    try PageWorkflow.write(ranked, cutoff: nil) { html += $0 }
    return try ScreeningPage.read(Data(html.utf8), file: "page.html")
  }

  @Test("every record in rank order with its fields; the title's and the criteria's words to mark")
  func records() throws {
    let (ranked, _) = try screened()
    let page = try page(ranked)
    #expect(page.entries.map(\.rank) == [1, 2, 3, 4])
    #expect(page.entries.map(\.id) == ranked.order.map { ranked.documentIDs[$0] })
    for (entry, candidate) in zip(page.entries, ranked.order) {
      let record = RankedRecordsTests.records[candidate]
      #expect(entry.title == record.title && entry.abstract == record.abstract && entry.authors == record.authors)
      #expect(entry.doi == record.doi && entry.pmid == record.pmid && entry.year == record.year && entry.keywords == record.keywords)
      #expect(entry.journal == record.venue && entry.sourceLabel == record.label)
      #expect(entry.score == ranked.scores[candidate])
    }
    #expect(page.meta.queryTerms == ["statin", "muscle"])
    // "Include" and "Exclude" say how the review works; "series" loses its "es".
    #expect(page.meta.criteriaTerms == ["trial", "creatine", "kinase", "case", "seri"])
    #expect(page.meta.ranker == "zero-shot BM25")
    #expect(page.meta.labels.isEmpty && page.meta.advice == nil)
  }

  @Test("the same screen gets the same page id, so the browser's labels survive a page written again")
  func stablePageID() throws {
    let (first, _) = try screened()
    let (second, _) = try screened()
    #expect(try page(first).meta.pageID == page(second).meta.pageID)
  }

  @Test("labels exported from the page go to csmed stop and back into the page with its advice")
  func feedBack() throws {
    let (ranked, folder) = try screened()
    let pageURL = folder.appendingPathComponent("page.html")
    var html = ""
    try PageWorkflow.write(ranked, cutoff: nil) { html += $0 }
    try Data(html.utf8).write(to: pageURL)
    // The columns the page's export writes: the screening log first, then the record.
    let ids = ranked.order.map { ranked.documentIDs[$0] }
    var csv = "order,document_id,label,record_id,title,abstract,authors,year,doi,keywords,included,pmid,journal,rank,screen_score\n"
    csv += "1,\(ids[0]),1,r,t,a,,,,,1,,,1,0.5\n2,\(ids[1]),0,r,t,a,,,,,0,,,2,0.4\n,\(ids[2]),,r,t,a,,,,,,,,3,0.3\n,\(ids[3]),,r,t,a,,,,,,,,4,\n"
    csv += "3,unknown-record,0,r,t,a,,,,,0,,,5,\n"
    let labels = folder.appendingPathComponent("labels.csv")
    try Data(csv.utf8).write(to: labels)
    let answer = try StopWorkflow.decide(labels: labels, total: nil, rules: "knee,consecutive:1", targetRecall: 0.95)
    #expect(answer.screened == 3 && answer.relevantFound == 1 && answer.labels.count == 3)
    let (page, unknown) = try PageWorkflow.feedBack(answer, labelsFile: "labels.csv", into: pageURL)
    #expect(unknown == 1)
    #expect(page.meta.labels == [ids[0]: 1, ids[1]: 0])
    let advice = try #require(page.meta.advice)
    #expect(advice.screened == 3 && advice.total == 5 && advice.rules.map(\.rule) == answer.decisions.map(\.rule))
    #expect(advice.rules.last?.verdict == "stop")
    #expect(try page.html().contains("csmed stop on <code>labels.csv</code>"))
  }

  @Test("a file that is not a page is refused with its name, and left as it was")
  func notAPage() throws {
    let folder = try TestSupport.temporaryDirectory()
    let url = folder.appendingPathComponent("other.html")
    try Data("<html>mine</html>".utf8).write(to: url)
    let answer = StopWorkflow.Answer(screened: 0, relevantFound: 0, total: 1, decisions: [])
    #expect {
      try PageWorkflow.feedBack(answer, labelsFile: "l.csv", into: url)
    } throws: { error in
      guard case WorkflowError.io(let path, let reason) = error else { return false }
      return path == url.path && reason.contains("not a csmed screening page")
    }
    #expect(throws: WorkflowError.missingInput(path: folder.appendingPathComponent("none.html").path)) {
      try PageWorkflow.feedBack(answer, labelsFile: "l.csv", into: folder.appendingPathComponent("none.html"))
    }
  }
}
