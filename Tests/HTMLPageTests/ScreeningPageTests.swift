import Foundation
import Testing

@testable import HTMLPage

@Suite struct HighlightTermsTests {
  @Test func dropsStopWordsReviewWordsShortWordsAndNumbers() {
    let stems = HighlightTerms.stems(in: "Studies of the effect of exercise on 2019 COVID-19 in children: a systematic review")
    #expect(stems == ["exercise", "covid", "children"])
  }

  @Test func stemsOneEnding() {
    #expect(HighlightTerms.stem("studies") == "stud")
    #expect(HighlightTerms.stem("screening") == "screen")
    #expect(HighlightTerms.stem("diseases") == "diseas")
    #expect(HighlightTerms.stem("cases") == "case")
    #expect(HighlightTerms.stem("stress") == "stress")
    #expect(HighlightTerms.stem("randomized") == "randomiz")
    // Fewer than four characters would be left: the word stays whole.
    #expect(HighlightTerms.stem("uses") == "uses")
    #expect(HighlightTerms.stem("bed") == "bed")
  }

  @Test func firstAppearanceOrderWithoutRepeats() {
    #expect(HighlightTerms.stems(in: "Asthma asthmas ASTHMA inhaler inhalers") == ["asthma", "inhaler"])
    #expect(HighlightTerms.stems(in: "") == [])
  }
}

@Suite struct ScreeningPageTests {
  static func page(labels: [Int?] = [1, 0, nil]) -> ScreeningPage {
    let meta = ScreeningPage.Meta(
      pageID: "abc123", reviewID: "review <1>", title: "Exercise & asthma", query: "Exercise & asthma", ranker: "zero-shot BM25",
      csmedVersion: "test", generated: "2026-12-02T00:00:00Z", queryTerms: ["exercise", "asthma"], criteriaTerms: ["child"])
    let entries = labels.enumerated().map { index, label in
      ScreeningPage.Entry(
        rank: index + 1, id: "doc\(index)", recordID: index == 0 ? "doc0" : "src\(index)", score: index == 2 ? nil : 1.0 / Double(index + 1),
        title: index == 0 ? "Ends </script><!-- here" : "Title \(index)", abstract: "Abstract with \"quotes\" and\nlines",
        authors: ["Doe, J", "Roe, R"], year: 2020, journal: "J", doi: "10.1/x", pmid: "123", keywords: ["a", "b"], sourceLabel: label)
    }
    return ScreeningPage(meta: meta, entries: entries)
  }

  @Test func readsBackWhatItWrote() throws {
    let page = Self.page()
    let html = try page.html()
    let back = try ScreeningPage.read(Data(html.utf8), file: "p.html")
    #expect(back == page)
    // The same id as the source is not repeated.
    #expect(back.entries[0].recordID == nil)
    #expect(back.entries[1].recordID == "src1")
  }

  @Test func dataCannotCloseItsScriptOrOpenAComment() throws {
    let html = try Self.page().html()
    let start = try #require(html.range(of: "id=\"csmed-data\">"))
    let data = html[start.upperBound...]
    let end = try #require(data.range(of: "</script>"))
    let block = data[..<end.lowerBound]
    #expect(!block.contains("<"))
    #expect(block.contains(#"Ends \u003c\/script>\u003c!-- here"#))
  }

  @Test func selfContained() throws {
    let html = try Self.page().html()
    #expect(!html.contains("<script src"))
    #expect(!html.contains("<link"))
    #expect(!html.contains("@import"))
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.hasSuffix("</html>\n"))
    // Swift-written parts are escaped.
    #expect(html.contains("<h1>Exercise &amp; asthma</h1>"))
    #expect(html.contains("<code>review &lt;1&gt;</code>"))
  }

  @Test("escaping goes scalar by scalar: a '<' after a prepended or combining scalar is escaped too")
  func escapesInsideGraphemes() throws {
    #expect(ScreeningPage.escape("\u{0600}<img>") == "\u{0600}&lt;img&gt;")
    #expect(ScreeningPage.escape("a\"\u{0301} & '") == "a&quot;\u{0301} &amp; &#39;")
    var page = Self.page()
    page.meta.title = "\u{0600}<script>alert(1)</script>"
    let html = try page.html()
    #expect(!html.contains("<script>alert"))
    #expect(html.contains("<h1>\u{0600}&lt;script&gt;alert(1)&lt;/script&gt;</h1>"))
  }

  @Test func recallCurveOnlyWhenEveryLabelIsKnown() throws {
    #expect(try !Self.page(labels: [1, 0, nil]).html().contains("id=\"recall\""))
    #expect(try !Self.page(labels: [0, 0, 0]).html().contains("id=\"recall\""))
    let html = try Self.page(labels: [0, 1, 0]).html()
    #expect(html.contains("id=\"recall\""))
    // The relevant record is second of three: WSS@95 = (3 − 2)/3 − 0.05.
    #expect(html.contains(String(format: "WSS@95 = %.3f", 1.0 / 3 - 0.05)))
  }

  @Test func showsCutoffAndAdvice() throws {
    var page = Self.page()
    #expect(try page.html().contains("id=\"stop-howto\""))
    page.meta.cutoff = .init(targetRecall: 0.95, rank: 2, validationReviews: 4)
    page.meta.advice = .init(
      labelsFile: "labels.csv", screened: 2, relevantFound: 1, total: 3, targetRecall: 0.95,
      rules: [.init(rule: "knee", verdict: "continue", reason: "too few <records>")])
    let html = try page.html()
    #expect(html.contains("screen the top <strong>2</strong>"))
    #expect(html.contains("<tr class=\"continue\"><td>knee</td><td>continue</td><td>too few &lt;records&gt;</td></tr>"))
    #expect(!html.contains("id=\"stop-howto\""))
    #expect(try ScreeningPage.read(Data(html.utf8), file: "p") == page)
  }

  @Test func refusesWhatIsNotAPage() throws {
    #expect(throws: PageError.notAPage(file: "x.html", reason: "no <script id=\"csmed-data\"> block (written by `csmed screen --html`?)")) {
      try ScreeningPage.read(Data("<html></html>".utf8), file: "x.html")
    }
    let open = "<script type=\"application/json\" id=\"csmed-data\">"
    #expect(throws: PageError.notAPage(file: "x", reason: "the data block does not end")) {
      try ScreeningPage.read(Data((open + "{}").utf8), file: "x")
    }
    #expect(throws: PageError.notAPage(file: "x", reason: "data format 'other/2', this csmed reads 'csmed-screening-page/1'")) {
      try ScreeningPage.read(Data((open + "{\"format\":\"other/2\"}</script>").utf8), file: "x")
    }
    #expect(throws: PageError.self) {
      try ScreeningPage.read(Data((open + "{\"format\":\"csmed-screening-page/1\",\"meta\":{}}</script>").utf8), file: "x")
    }
  }
}
