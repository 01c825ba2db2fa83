import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct FullTextReaderTests {
  static let tei = """
    <?xml version="1.0" encoding="UTF-8"?>
    <TEI xml:space="preserve" xmlns="http://www.tei-c.org/ns/1.0" xmlns:xlink="http://www.w3.org/1999/xlink">
      <teiHeader xml:lang="en">
        <fileDesc>
          <titleStmt><title level="a" type="main">Screening with   BERT</title></titleStmt>
          <publicationStmt><publisher>Elsevier</publisher><date type="published" when="2021-03-01">1 March 2021</date></publicationStmt>
          <sourceDesc><biblStruct>
            <analytic>
              <author><persName><forename type="first">Anna</forename><forename type="middle">M</forename><surname>Smith</surname></persName></author>
              <author><persName><forename type="first">Bo</forename><surname>Li</surname></persName></author>
              <title level="a" type="main">Screening with BERT</title>
            </analytic>
            <monogr><title level="j" type="main">Journal of Reviews</title><imprint><date type="published" when="2021-03-01"/></imprint></monogr>
            <idno type="DOI">10.1000/tei.1</idno>
          </biblStruct></sourceDesc>
        </fileDesc>
        <profileDesc>
          <textClass><keywords><term>screening</term><term>BERT</term></keywords></textClass>
          <abstract>
            <div><head>Background</head><p>Screening is slow.</p></div>
            <div><p>Second abstract paragraph.</p></div>
          </abstract>
        </profileDesc>
      </teiHeader>
      <text xml:lang="en">
        <body>
          <div xmlns="http://www.tei-c.org/ns/1.0"><head n="1.">Introduction</head>
            <p>Systematic reviews are <hi rend="italic">costly</hi> <ref type="bibr" target="#b0">[1]</ref>.</p>
            <p>Second   paragraph
               over two lines.</p>
            <figure xml:id="fig_0"><head>Figure 1</head><figDesc>A caption that is excluded.</figDesc></figure>
            <note place="foot">A footnote that is excluded.</note>
          </div>
          <div><head n="2.">Methods</head>
            <p>We trained a model.</p>
            <formula xml:id="formula_0">y = f(x)</formula>
            <list><item>first item</item><item>second item</item></list>
            <figure type="table"><head>Table 1</head><table><row><cell>1</cell></row></table></figure>
          </div>
        </body>
        <back>
          <div type="acknowledgement"><div><head>Acknowledgements</head><p>Thanks.</p></div></div>
          <div type="references"><listBibl><biblStruct><analytic><title>Ref</title></analytic></biblStruct></listBibl></div>
        </back>
      </text>
    </TEI>
    """

  static let jats = """
    <?xml version="1.0" encoding="UTF-8"?>
    <!DOCTYPE pmc-articleset PUBLIC "-//NLM//DTD ARTICLE SET 2.0//EN" "https://dtd.nlm.nih.gov/ncbi/pmc/articleset/nlm-articleset-2.0.dtd">
    <pmc-articleset><article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">
      <front>
        <journal-meta><journal-title-group><journal-title>BMC Medicine</journal-title></journal-title-group></journal-meta>
        <article-meta>
          <article-id pub-id-type="pmid">31234567</article-id>
          <article-id pub-id-type="pmc">PMC123</article-id>
          <article-id pub-id-type="doi">10.1186/s12916-019-0001-1</article-id>
          <title-group><article-title>Screening <italic>at scale</italic><xref ref-type="fn" rid="fn1">*</xref></article-title></title-group>
          <contrib-group>
            <contrib contrib-type="author"><name><surname>Smith</surname><given-names>Anna</given-names></name></contrib>
            <contrib contrib-type="editor"><name><surname>Editor</surname><given-names>E</given-names></name></contrib>
            <contrib contrib-type="author"><collab>The Group</collab></contrib>
          </contrib-group>
          <pub-date pub-type="epub"><day>5</day><month>6</month><year>2019</year></pub-date>
          <abstract>
            <sec><title>Background</title><p>Why.</p></sec>
            <sec><title>Methods</title><p>How.</p></sec>
          </abstract>
          <abstract abstract-type="graphical"><p>Graphical.</p></abstract>
          <kwd-group><kwd>screening</kwd><kwd>automation</kwd></kwd-group>
        </article-meta>
      </front>
      <body>
        <sec sec-type="intro"><label>1</label><title>Introduction</title>
          <p>Intro text with a citation <xref ref-type="bibr" rid="B1">[1]</xref>.</p>
          <fig id="F1"><label>Figure 1</label><caption><p>Excluded caption.</p></caption></fig>
          <sec><title>Nested section</title><p>Nested text.</p>
            <list list-type="bullet"><list-item><p>Item one.</p></list-item></list>
          </sec>
        </sec>
        <sec sec-type="results"><title>Results</title>
          <table-wrap id="T1"><caption><p>Excluded table.</p></caption><table><tr><td>1</td></tr></table></table-wrap>
          <p>Result <inline-formula>x</inline-formula> text.</p>
          <disp-formula>E = mc2</disp-formula>
        </sec>
      </body>
      <back><ack><p>Thanks.</p></ack><ref-list><ref><mixed-citation>Ref.</mixed-citation></ref></ref-list></back>
    </article></pmc-articleset>
    """

  @Test("GROBID TEI: body heads and paragraphs only, header title/abstract/metadata")
  func teiDocument() throws {
    let document = try FullTextReader.parse(Data(Self.tei.utf8), file: "doc.tei.xml")
    #expect(document.format == .tei)
    #expect(document.title == "Screening with BERT")
    #expect(document.abstract == "Background: Screening is slow.\nSecond abstract paragraph.")
    #expect(
      document.mainText
        == "Introduction\n\nSystematic reviews are costly [1].\n\nSecond paragraph over two lines.\n\nMethods\n\nWe trained a model.\n\nfirst item\n\nsecond item"
    )
    #expect(document.doi == "10.1000/tei.1")
    #expect(document.year == 2021)
    #expect(document.authors == ["Smith Anna M", "Li Bo"])
    #expect(document.venue == "Journal of Reviews")
    #expect(document.keywords == ["screening", "BERT"])
    let record = document.record
    #expect(record.title == document.title && record.doi == "10.1000/tei.1" && record.line == 1)
  }

  @Test("PMC JATS: body sections and paragraphs, no figures, tables or back matter")
  func jatsDocument() throws {
    let document = try FullTextReader.parse(Data(Self.jats.utf8), file: "PMC123.nxml")
    #expect(document.format == .jats)
    #expect(document.title == "Screening at scale")
    #expect(document.abstract == "Background: Why.\nMethods: How.")
    #expect(
      document.mainText
        == "Introduction\n\nIntro text with a citation [1].\n\nNested section\n\nNested text.\n\nItem one.\n\nResults\n\nResult x text."
    )
    #expect(document.pmid == "31234567")
    #expect(document.doi == "10.1186/s12916-019-0001-1")
    #expect(document.year == 2019)
    #expect(document.authors == ["Smith Anna", "The Group"])
    #expect(document.venue == "BMC Medicine")
    #expect(document.keywords == ["screening", "automation"])
    #expect(document.record.sourceID == "31234567")
  }

  @Test("JATS without a body has empty main text")
  func metadataOnly() throws {
    let xml =
      "<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front><!-- no body: publisher does not allow --></article>"
    let document = try FullTextReader.parse(Data(xml.utf8), file: "m.nxml")
    #expect(document.title == "T")
    #expect(document.mainText == "")
  }

  @Test("malformed XML, an unknown root, empty input and a missing file are clear errors")
  func errors() throws {
    let broken = "<TEI>\n<text>\n<body><p>unclosed\n</body></text></TEI>"
    guard
      case .malformed("b.xml", 4, "well-formed XML", _)? = ingestError({
        _ = try FullTextReader.parse(Data(broken.utf8), file: "b.xml")
      })
    else {
      Issue.record("expected malformed at line 4")
      return
    }
    #expect(
      ingestError { _ = try FullTextReader.parse(Data("<html><body/></html>".utf8), file: "h.xml") }
        == .malformed(
          file: "h.xml", line: 1, expected: "a <TEI> (GROBID) or <article> (JATS) root element",
          found: "<html>"))
    guard
      case .malformed("e.xml", 1, "well-formed XML", _)? = ingestError({
        _ = try FullTextReader.parse(Data(), file: "e.xml")
      })
    else {
      Issue.record("expected malformed for empty input")
      return
    }
    let missing = URL(fileURLWithPath: "/nonexistent/doc.xml")
    #expect(ingestError { _ = try FullTextReader.read(contentsOf: missing) } == .fileNotFound(path: missing.path))
    let url = try fixtureFile(Self.tei, name: "doc.tei.xml")
    #expect(try FullTextReader.read(contentsOf: url) == FullTextReader.parse(Data(Self.tei.utf8), file: "x"))
  }
}

@Suite struct XMLLeniencyTests {
  @Test("undeclared namespace prefixes and entities from an unloaded DTD are not fatal")
  func recoverableErrors() throws {
    let xml = """
      <?xml version="1.0"?>
      <!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" "JATS-journalpublishing1.dtd">
      <article><front><article-meta><title-group><article-title>A&nbsp;title</article-title></title-group></article-meta></front>
      <body><p>Formula <mml:math><mml:mi>x</mml:mi></mml:math> here.</p></body></article>
      """
    let document = try FullTextReader.parse(Data(xml.utf8), file: "ns.nxml")
    #expect(document.mainText == "Formula x here.")
    #expect(document.title == "A title")
  }
}
