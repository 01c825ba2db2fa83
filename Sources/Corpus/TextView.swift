import Foundation

/// Which parts of a record a ranker reads. One place decides it, so that `simulate`, `screen`,
/// `train` and the experiments feed a model the same text.
public enum TextView: String, Sendable, Codable, CaseIterable {
  /// Title and abstract, as ASReview's feature extractors read them. csmed's TF-IDF and BM25
  /// rankers read this, so that their runs stay comparable with `asreview simulate`.
  case titleAbstract = "title-abstract"
  /// Title and abstract, then the record's keywords: MeSH terms and author keywords from PubMed
  /// XML, MEDLINE, RIS and BibTeX exports. csmed's sentence-embedding rankers read this.
  case titleAbstractKeywords = "title-abstract-keywords"

  /// The text of `record` in this view. A record with neither title nor abstract stays empty
  /// whatever its keywords: they alone are too little to place it, so rankers treat it as
  /// carrying no text.
  public func text(of record: Record) -> String {
    let head =
      record.abstract.isEmpty ? record.title : record.title.isEmpty ? record.abstract : record.title + " " + record.abstract
    guard self == .titleAbstractKeywords, !head.isEmpty else { return head }
    let keywords = record.keywords.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    return keywords.isEmpty ? head : head + " " + keywords.joined(separator: "; ")
  }

  /// The full-text stage's text: this view of the record, then the main text where there is one.
  public func text(of record: Record, mainText: String?) -> String {
    let head = text(of: record)
    guard let body = mainText, !body.isEmpty else { return head }
    return head.isEmpty ? body : head + "\n" + body
  }
}
