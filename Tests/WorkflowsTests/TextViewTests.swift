import Corpus
import Foundation
import Testing
import TestSupport

@testable import Workflows

/// Which parts of a record each ranker reads, decided in one place for every command.
@Suite struct TextViewTests {
  static let record = Record(
    title: "Traceability in model-driven engineering", abstract: "A mapping study.",
    keywords: ["Traceability", " ", "Model transformations "])

  @Test("title and abstract, then the keywords without blanks; keywords alone leave a record without text")
  func views() {
    let plain = "Traceability in model-driven engineering A mapping study."
    #expect(TextView.titleAbstract.text(of: Self.record) == plain)
    #expect(TextView.titleAbstractKeywords.text(of: Self.record) == plain + " Traceability; Model transformations")
    #expect(TextView.titleAbstractKeywords.text(of: Record(title: "Requirements reuse")) == "Requirements reuse")
    #expect(TextView.titleAbstractKeywords.text(of: Record(abstract: "Only an abstract.", keywords: ["Reuse"])) == "Only an abstract. Reuse")
    #expect(TextView.titleAbstractKeywords.text(of: Record(keywords: ["Security"])).isEmpty)
    // The full-text stage reads the main text after the view's text, or alone.
    #expect(TextView.titleAbstract.text(of: Self.record, mainText: "Body.") == plain + "\nBody.")
    #expect(TextView.titleAbstract.text(of: Self.record, mainText: "") == plain)
    #expect(TextView.titleAbstractKeywords.text(of: Record(keywords: ["Security"]), mainText: "Body.") == "Body.")
  }

  @Test("the encoders read keywords, the lexical models what ASReview reads")
  func choices() {
    #expect(ScreenWorkflow.ZeroShot.embed.textView == .titleAbstractKeywords)
    #expect(ScreenWorkflow.ZeroShot.bm25.textView == .titleAbstract)
    #expect(ScreenerKind.allCases.filter { $0.textView == .titleAbstractKeywords } == [.biEncoder, .crossEncoder, .embedLR, .hybridLR])
    #expect(
      SimulateWorkflow.SimulationModel.allCases.filter { $0.textView == .titleAbstractKeywords }
        == [.embedLR, .hybridLR, .biEncoder])
  }

  @Test("a screener written before the field existed reads title and abstract; a new one says what it read")
  func manifest() throws {
    let directory = try TestSupport.temporaryDirectory("manifest")
    let old = """
      {"format":"csmed-screener-1","kind":"bi-encoder","stage":"ta","maxLength":256,"queryMaxLength":128,
       "trainedOn":[],"selectedEpoch":1,"validation":{},"createdAt":"2026-11-20T00:00:00Z"}
      """
    try Data(old.utf8).write(to: directory.appendingPathComponent(ScreenerManifest.fileName))
    let loaded = try ScreenerManifest.load(directory: directory)
    #expect(loaded.textView == nil && loaded.reads == .titleAbstract)

    var written = loaded
    written.textView = .titleAbstractKeywords
    try TrainWorkflow.writeManifest(written, to: directory)
    #expect(try ScreenerManifest.load(directory: directory).reads == .titleAbstractKeywords)
    let json = String(decoding: try Data(contentsOf: directory.appendingPathComponent(ScreenerManifest.fileName)), as: UTF8.self)
    #expect(json.contains("\"textView\" : \"title-abstract-keywords\"") || json.contains("\"textView\":\"title-abstract-keywords\""), "\(json)")
  }

  @Test("a streamed RIS export gives each ranker its view of the records")
  func streamedInput() throws {
    let ris = """
      TY  - JOUR
      TI  - Requirements reuse
      AB  - A survey.
      KW  - Software product lines
      KW  - Variability
      ER  - 

      TY  - JOUR
      KW  - Security
      ER  - 

      """
    let file = try TestSupport.write(ris, to: "list.ris", in: try TestSupport.temporaryDirectory())
    let input = try ScreenInput(.file(file, title: "reuse", criteria: nil))
    func texts(_ view: TextView) throws -> [String] {
      var texts: [String] = []
      try input.forEach(view: view) { texts.append($1.text) }
      return texts
    }
    #expect(try texts(.titleAbstract) == ["Requirements reuse A survey.", ""])
    #expect(try texts(.titleAbstractKeywords) == ["Requirements reuse A survey. Software product lines; Variability", ""])
  }
}
