import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct BibTeXReaderTests {
  @Test("entries, @string macros, # concatenation, @comment and @preamble")
  func structure() throws {
    let text = #"""
      %% Created with BibDesk; an address like me@example.org in a comment is ignored
      @string{ jcs = "Journal of {C}omputer {S}cience" }
      @STRING(proc = {Proceedings of })
      @preamble{ "\newcommand{\noopsort}[1]{}" }
      @comment{ @article{ignored, title = {Not an entry}} }

      @Article{Smith2020,
        Title = {A {Nested {Deeply {Braced}}} Title},
        author = "Smith, John and Jane {Doe and Partners} AND others",
        journal = jcs,
        year = 2020,
        month = jan,
        abstract = "Quoted " # {and braced} # " parts",
        doi = {https://doi.org/10.1000/{ABC}\_1},
        keywords = {screening; active learning, AL; {a;b}},
      }
      Text between entries is ignored.
      @inproceedings(Lee:2019:conf,
        title = {Conference paper},
        booktitle = proc # {the {ACM} Conference},
        pmid = {31234567},
        url = {https://doi.org/10.1145/3.4-5},
      )
      """#
    let entries = try BibTeXReader.entries(in: text, file: "s.bib")
    #expect(entries.map(\.type) == ["article", "inproceedings"])
    #expect(entries.map(\.key) == ["Smith2020", "Lee:2019:conf"])
    #expect(entries.map(\.line) == [7, 18])
    #expect(entries[0].fields["month"] == "January")
    let records = entries.map(BibTeXReader.record(from:))
    let first = records[0]
    #expect(first.sourceID == "Smith2020")
    #expect(first.title == "A Nested Deeply Braced Title")
    #expect(first.authors == ["Smith, John", "Jane Doe and Partners"])
    #expect(first.venue == "Journal of Computer Science")
    #expect(first.year == 2020)
    #expect(first.abstract == "Quoted and braced parts")
    #expect(first.doi == "10.1000/ABC_1")
    #expect(first.keywords == ["screening", "active learning, AL", "a;b"])
    let second = records[1]
    #expect(second.venue == "Proceedings of the ACM Conference")
    #expect(second.pmid == "31234567")
    #expect(second.doi == "10.1145/3.4-5")
    #expect(second.line == 18)
    #expect(try BibTeXReader.parse(text, file: "s.bib") == records)
  }

  static let latexCases: [(String, String)] = [
    (#"Caf\'e"#, "Café"),
    (#"G{\"o}tz and G\"{o}tz and \"o"#, "Götz and Götz and ö"),
    (#"{\"u}ber"#, "über"),
    (#"Fran\c{c}ais and Fran\c cais"#, "Français and Français"),
    (#"Espa\~na, Espa\~{n}a"#, "España, España"),
    (#"\aa{}ngstr\"om, {\AA}se"#, "ångström, Åse"),
    (#"Stra\ss e, Stra{\ss}e"#, "Straße, Straße"),
    (#"Bj{\o}rn, \O{}stergaard"#, "Bjørn, Østergaard"),
    (#"\'{\i}ndice, \'\i ndice, Garc{\'\i}a"#, "índice, índice, García"),
    (#"\v{S}koda \u{g} \H{o} \k{a} \={a} \.{z} \`a \^o \r{u} \l{}\'od\'z"#, "Škoda ğ ő ą ā ż à ô ů łódź"),
    ("pages 10--20 --- and -", "pages 10–20 — and -"),
    ("non~breaking", "non breaking"),
    (##"R\&D 50\% my\_var \#1 \$5"##, "R&D 50% my_var #1 $5"),
    (#"$\pm$ 5 and $L_{1}$ and 37$^{\circ}$C and $\mu$g"#, "± 5 and L_1 and 37°C and μg"),
    (#"\emph{Emphasis} and \textbf{bold} and {\it it}"#, "Emphasis and bold and it"),
    (#"``quoted'' text"#, "“quoted” text"),
    (#"The {BERT} and {{DNA}} models"#, "The BERT and DNA models"),
    ("multi\n   line\tvalue", "multi line value"),
    (#"Models\texttrademark\ and \textregistered"#, "Models™ and ®"),
  ]

  @Test("LaTeX to Unicode", arguments: latexCases)
  func latex(raw: String, expected: String) {
    #expect(LaTeX.toUnicode(raw) == expected)
  }

  @Test("an unbalanced brace that runs into the next entry is reported where the value opened")
  func unbalancedIntoNextEntry() {
    let text = """
      @article{a,
        title = {Good},
      }
      @article{b,
        title = {Missing the closing brace,
        year = 2020
      }

      @article{c,
        title = {Next}
      }
      """
    let error = ingestError { _ = try BibTeXReader.parse(text, file: "u.bib") }
    #expect(
      error
        == .malformed(
          file: "u.bib", line: 5, expected: "'}' closing field 'title' opened here",
          found: "a new entry '@article{' at line 9 (unbalanced braces)"))
  }

  @Test("an unbalanced brace at the end of the file is reported where the value or entry opened")
  func unbalancedAtEnd() {
    let text = "@article{a,\n  year = 2020,\n  title = {Open {nested value\n}\n"
    let error = ingestError { _ = try BibTeXReader.parse(text, file: "e.bib") }
    #expect(
      error?.description
        == "e.bib:3: expected '}' closing field 'title' opened here with '{', found end of file (unbalanced braces)"
    )
    // The entry's own brace closes the value, so the entry is what is left open.
    let entryOpen = "@article{a,\n  title = {Open {nested} value,\n  year = 2020\n}\n"
    #expect(
      ingestError { _ = try BibTeXReader.parse(entryOpen, file: "e.bib") }
        == .malformed(file: "e.bib", line: 1, expected: "'}' closing entry 'a' that starts here", found: "end of file"))
  }

  @Test("a missing closing brace of an entry is reported at the entry")
  func entryRunsIntoNext() {
    let text = "@article{a,\n  title = {T},\n\n@article{b, title = {U}}\n"
    #expect(
      ingestError { _ = try BibTeXReader.parse(text, file: "n.bib") }
        == .malformed(
          file: "n.bib", line: 1, expected: "'}' closing entry 'a' that starts here",
          found: "a new entry '@article{' at line 4"))
  }

  @Test("an entry left open, a missing '=', and a stray '}' in a quoted value are errors")
  func otherErrors() {
    let open = ingestError { _ = try BibTeXReader.parse("@article{k,\n title = {x},\n", file: "o.bib") }
    #expect(
      open
        == .malformed(
          file: "o.bib", line: 1, expected: "'}' closing entry 'k' that starts here", found: "end of file"))
    let noEquals = ingestError { _ = try BibTeXReader.parse("@article{k,\n title {x}}\n", file: "n.bib") }
    #expect(
      noEquals
        == .malformed(
          file: "n.bib", line: 2, expected: "'=' after field 'title' in entry 'k'", found: "'{x}}'"))
    let stray = ingestError { _ = try BibTeXReader.parse("@misc{k, note = \"a } b\"}", file: "q.bib") }
    guard case .malformed(_, 1, _, "an unmatched '}'")? = stray else {
      Issue.record("unexpected \(String(describing: stray))")
      return
    }
  }

  @Test("an empty file, or one without entries, gives no records")
  func empty() throws {
    #expect(try BibTeXReader.parse("", file: "e.bib").isEmpty)
    #expect(try BibTeXReader.parse("% only a comment\n\n", file: "e.bib").isEmpty)
  }

  @Test("entries without abstract, year from date, eprint PMIDs, CRLF and BOM")
  func variants() throws {
    let text =
      "\u{FEFF}@misc{x,\r\n  title={T},\r\n  date={2017-05-01},\r\n  eprinttype={pubmed},\r\n  eprint={28000000}\r\n}\r\n"
    let url = try fixtureFile(text, name: "v.bib")
    let record = try #require(try BibTeXReader.read(contentsOf: url).first)
    #expect(record.abstract == "")
    #expect(record.year == 2017)
    #expect(record.pmid == "28000000")
    #expect(record.line == 1)
  }

  @Test("reads a Latin-1 file")
  func latin1() throws {
    let bytes: [UInt8] = Array("@article{k, title={Caf".utf8) + [0xE9] + Array("}}".utf8)
    let url = try fixtureFile(Data(bytes), name: "l.bib")
    #expect(try BibTeXReader.read(contentsOf: url).first?.title == "Café")
  }
}
