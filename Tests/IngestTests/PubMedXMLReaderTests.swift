import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct PubMedXMLReaderTests {
  static let sample = """
    <?xml version="1.0" ?>
    <!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">
    <PubmedArticleSet>
    <PubmedArticle>
      <MedlineCitation Status="MEDLINE" Owner="NLM">
        <PMID Version="1">31167038</PMID>
        <Article PubModel="Print-Electronic">
          <Journal>
            <JournalIssue CitedMedium="Internet">
              <Volume>12</Volume>
              <PubDate><Year>2019</Year><Month>Jun</Month></PubDate>
            </JournalIssue>
            <Title>Nature medicine</Title>
            <ISOAbbreviation>Nat Med</ISOAbbreviation>
          </Journal>
          <ArticleTitle>Base editing of <i>PCSK9</i> lowers LDL &amp; 10<sup>5</sup> copies &#x2265; 2.</ArticleTitle>
          <ELocationID EIdType="pii" ValidYN="Y">S1234</ELocationID>
          <ELocationID EIdType="doi" ValidYN="Y">10.1038/s41591-019-0001-1</ELocationID>
          <Abstract>
            <AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Hyper-
              cholesterolemia is <b>common</b>.</AbstractText>
            <AbstractText Label="METHODS" NlmCategory="METHODS"><![CDATA[We used <CRISPR> base editors.]]></AbstractText>
            <AbstractText NlmCategory="RESULTS">It worked.</AbstractText>
            <AbstractText NlmCategory="UNASSIGNED">Unassigned text.</AbstractText>
            <CopyrightInformation>© 2019 Someone.</CopyrightInformation>
          </Abstract>
          <AuthorList CompleteYN="Y">
            <Author ValidYN="Y"><LastName>Rothgangl</LastName><ForeName>Tanja</ForeName><Initials>T</Initials>
              <AffiliationInfo><Affiliation>ETH Zurich</Affiliation></AffiliationInfo></Author>
            <Author ValidYN="Y"><LastName>Dennis</LastName><Initials>MK</Initials></Author>
            <Author ValidYN="Y"><CollectiveName>The CONSORT Group</CollectiveName></Author>
          </AuthorList>
        </Article>
        <MeshHeadingList>
          <MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>
          <MeshHeading><DescriptorName UI="D000001" MajorTopicYN="Y">Gene Editing</DescriptorName>
            <QualifierName UI="Q000379" MajorTopicYN="N">methods</QualifierName></MeshHeading>
        </MeshHeadingList>
        <KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">base editing</Keyword><Keyword>Humans</Keyword></KeywordList>
        <OtherAbstract Type="Publisher" Language="ger"><AbstractText>Übersetzung.</AbstractText></OtherAbstract>
      </MedlineCitation>
      <PubmedData>
        <ArticleIdList><ArticleId IdType="pubmed">31167038</ArticleId><ArticleId IdType="doi">10.9999/ignored</ArticleId></ArticleIdList>
      </PubmedData>
    </PubmedArticle><PubmedArticle>
      <MedlineCitation><PMID>2</PMID>
        <Article>
          <Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue></Journal>
          <ArticleTitle>[A translated title].</ArticleTitle>
          <Abstract><AbstractText>Plain abstract.</AbstractText></Abstract>
        </Article>
        <MedlineJournalInfo><MedlineTA>Short TA</MedlineTA></MedlineJournalInfo>
      </MedlineCitation>
      <PubmedData><ArticleIdList><ArticleId IdType="doi">10.1000/from-id-list</ArticleId></ArticleIdList></PubmedData>
    </PubmedArticle>
    <PubmedBookArticle>
      <BookDocument>
        <PMID Version="1">20301295</PMID>
        <ArticleIdList><ArticleId IdType="bookaccession">NBK1116</ArticleId></ArticleIdList>
        <Book>
          <BookTitle book="gene">GeneReviews®</BookTitle>
          <PubDate><Year>1993</Year></PubDate>
        </Book>
        <ArticleTitle>Cystic Fibrosis</ArticleTitle>
        <AuthorList Type="authors"><Author><LastName>Ong</LastName><ForeName>Thida</ForeName></Author></AuthorList>
        <Abstract><AbstractText Label="CLINICAL CHARACTERISTICS">CF affects the lungs.</AbstractText></Abstract>
      </BookDocument>
    </PubmedBookArticle>
    <DeleteCitation><PMID Version="1">999</PMID></DeleteCitation>
    </PubmedArticleSet>
    """

  @Test("maps an article: flattened title, labelled abstract sections, DOI, year, authors, MeSH")
  func article() throws {
    let records = try PubMedXMLReader.parse(Data(Self.sample.utf8), file: "pubmed.xml")
    #expect(records.count == 3)
    let first = try #require(records.first)
    #expect(first.pmid == "31167038")
    #expect(first.sourceID == "31167038")
    #expect(first.title == "Base editing of PCSK9 lowers LDL & 105 copies ≥ 2.")
    #expect(
      first.abstract
        == "BACKGROUND: Hyper- cholesterolemia is common.\nMETHODS: We used <CRISPR> base editors.\nRESULTS: It worked.\nUnassigned text."
    )
    #expect(first.doi == "10.1038/s41591-019-0001-1")
    #expect(first.year == 2019)
    #expect(first.authors == ["Rothgangl Tanja", "Dennis MK", "The CONSORT Group"])
    #expect(first.venue == "Nature medicine")
    #expect(first.keywords == ["Humans", "Gene Editing", "base editing"])
    #expect(first.line == 4)
  }

  @Test("MedlineDate years, DOI from ArticleIdList, MedlineTA venue, adjacent articles")
  func secondArticle() throws {
    let records = try PubMedXMLReader.parse(Data(Self.sample.utf8), file: "pubmed.xml")
    let second = records[1]
    #expect(second.pmid == "2")
    #expect(second.year == 1998)
    #expect(second.doi == "10.1000/from-id-list")
    #expect(second.venue == "Short TA")
    #expect(second.title == "[A translated title].")
    #expect(second.abstract == "Plain abstract.")
  }

  @Test("a PubmedBookArticle is read; DeleteCitation is skipped")
  func bookArticle() throws {
    let records = try PubMedXMLReader.parse(Data(Self.sample.utf8), file: "pubmed.xml")
    let book = records[2]
    #expect(book.pmid == "20301295")
    #expect(book.title == "Cystic Fibrosis")
    #expect(book.venue == "GeneReviews®")
    #expect(book.year == 1993)
    #expect(book.authors == ["Ong Thida"])
    #expect(book.abstract == "CLINICAL CHARACTERISTICS: CF affects the lungs.")
  }

  @Test("malformed XML reports the line libxml2 gives")
  func malformed() {
    let text =
      "<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation><PMID>1</PMID>\n</PubmedArticle>\n</PubmedArticleSet>\n"
    let error = ingestError { _ = try PubMedXMLReader.parse(Data(text.utf8), file: "bad.xml") }
    guard case .malformed(let file, let line, let expected, let found)? = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(file == "bad.xml")
    #expect(line == 4)
    #expect(expected == "well-formed XML")
    #expect(found.contains("mismatch"))
  }

  @Test("a truncated file, a wrong root element, and a missing file are clear errors")
  func otherErrors() throws {
    let truncated = String(Self.sample.prefix(1200))
    let error = ingestError { _ = try PubMedXMLReader.parse(Data(truncated.utf8), file: "cut.xml") }
    guard case .malformed(_, let line, "well-formed XML", _)? = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(line > 1)
    #expect(
      ingestError { _ = try PubMedXMLReader.parse(Data("<article/>".utf8), file: "j.xml") }
        == .malformed(
          file: "j.xml", line: 1, expected: "a PubMed XML root element <PubmedArticleSet>",
          found: "<article>"))
    let missing = URL(fileURLWithPath: "/nonexistent/pubmed.xml")
    #expect(ingestError { _ = try PubMedXMLReader.read(contentsOf: missing) } == .fileNotFound(path: missing.path))
  }

  @Test("empty input gives no records; an empty article set gives none either")
  func empty() throws {
    #expect(try PubMedXMLReader.parse(Data(), file: "e.xml").isEmpty)
    #expect(try PubMedXMLReader.parse(Data(" \n".utf8), file: "e.xml").isEmpty)
    #expect(try PubMedXMLReader.parse(Data("<PubmedArticleSet/>".utf8), file: "e.xml").isEmpty)
    let url = try fixtureFile("", name: "empty.xml")
    #expect(try PubMedXMLReader.read(contentsOf: url).isEmpty)
  }

  @Test("streams a large file from disk with many articles")
  func largeFile() throws {
    var text = "<PubmedArticleSet>\n"
    for index in 1...5_000 {
      text += """
        <PubmedArticle><MedlineCitation><PMID>\(index)</PMID><Article><ArticleTitle>Title \(index)</ArticleTitle>\
        <Abstract><AbstractText>Abstract \(index)</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>

        """
    }
    text += "</PubmedArticleSet>\n"
    let url = try fixtureFile(text, name: "big.xml")
    let records = try PubMedXMLReader.read(contentsOf: url)
    #expect(records.count == 5_000)
    #expect(records.last?.title == "Title 5000")
    #expect(records.last?.line == 5_001)
  }
}
