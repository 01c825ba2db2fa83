import Corpus
import Foundation
import Testing

@testable import Ingest

/// Reads the real Hannousse BibTeX files of the `shared/corpora` mirror.
///
/// Expected numbers were measured independently with grep on the files:
/// entries `grep -cE '^\s*@'`, abstracts `grep -ciE '^\s*abstract\s*='`,
/// DOIs `grep -ciE '^\s*doi\s*='`, authors `grep -ciE '^\s*author\s*='` (no `@string`/`@comment`/`@preamble` in these files).
@Suite(.enabled(if: sharedCorporaDirectory != nil, "shared/corpora not found (set CSMED_CORPORA)"))
struct HannousseIntegrationTests {
  static let files: [(path: String, entries: Int, abstracts: Int, dois: Int, authors: Int)] = [
    ("Alhammad-2018/Alhammad-2018-Excluded.bib", 35, 35, 35, 35),
    ("Alhammad-2018/Alhammad-2018-Included.bib", 21, 21, 19, 21),
    ("Ghasemi-2019/Ghasemi-2019-Excluded.bib", 87, 87, 80, 87),
    ("Ghasemi-2019/Ghasemi-2019-Included.bib", 24, 24, 21, 24),
    ("Goulao-2016/Goulao-2016-Excluded.bib", 387, 387, 371, 387),
    ("Goulao-2016/Goulao-2016-Included.bib", 22, 22, 21, 22),
    ("Guinea-2016/Guinea-2016-Excluded.bib", 937, 516, 934, 935),
    ("Guinea-2016/Guinea-2016-Included.bib", 128, 128, 128, 128),
    ("Santos-2018/Santos-2018-Excluded.bib", 687, 687, 654, 687),
    ("Santos-2018/Santos-2018-Included.bib", 64, 64, 62, 64),
    ("Shahin-2017/Shahin-2017-Excluded.bib", 198, 198, 183, 198),
    ("Shahin-2017/Shahin-2017-Included.bib", 69, 69, 68, 69),
    ("Yang-2016/Yang-2016-Excluded.bib", 280, 280, 277, 280),
    ("Yang-2016/Yang-2016-Included.bib", 54, 54, 51, 54),
  ]

  @Test("all 14 files read with the measured entry, abstract and DOI counts (2,993 entries)")
  func counts() throws {
    let root = try #require(sharedCorporaDirectory).appendingPathComponent("hannousse")
    var total = 0
    for file in Self.files {
      let records = try BibTeXReader.read(contentsOf: root.appendingPathComponent(file.path))
      total += records.count
      #expect(records.count == file.entries, "\(file.path)")
      #expect(records.filter { !$0.abstract.isEmpty }.count == file.abstracts, "\(file.path)")
      #expect(records.filter { $0.doi != nil }.count == file.dois, "\(file.path)")
      #expect(records.allSatisfy { !$0.title.isEmpty && $0.year != nil }, "\(file.path)")
      #expect(records.allSatisfy { $0.sourceID != nil }, "\(file.path)")
      #expect(records.filter { !$0.authors.isEmpty }.count == file.authors, "\(file.path)")
      // No LaTeX left behind.
      let texts = records.flatMap { [$0.title, $0.abstract, $0.venue ?? ""] + $0.authors }
      let leftovers = texts.filter { $0.contains("\\") || $0.contains("{") || $0.contains("}") }
      #expect(leftovers.isEmpty, "\(file.path): \(leftovers.prefix(3))")
    }
    #expect(total == 2_993)
  }

  @Test("accents in a known entry are decoded")
  func knownEntry() throws {
    let root = try #require(sharedCorporaDirectory).appendingPathComponent("hannousse")
    let records = try BibTeXReader.read(
      contentsOf: root.appendingPathComponent("Goulao-2016/Goulao-2016-Excluded.bib"))
    let record = try #require(records.first { $0.title == "Devising the Future of the Models@Run.Time Workshop" })
    #expect(record.abstract.contains("Sebastian Götz"))
  }
}
