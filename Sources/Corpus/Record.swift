/// One bibliographic record as read from a source file, before normalization.
public struct Record: Sendable, Equatable, Hashable, Codable {
  public var sourceID: String?
  public var pmid: String?
  public var doi: String?
  public var title: String
  public var abstract: String
  public var year: Int?
  public var authors: [String]
  public var venue: String?
  public var keywords: [String]
  /// An inclusion label carried by the file itself (1 include, 0 exclude), if any.
  public var label: Int?
  /// 1-based line where the record starts in its file, for messages.
  public var line: Int
  public init(sourceID: String? = nil, pmid: String? = nil, doi: String? = nil, title: String = "",
              abstract: String = "", year: Int? = nil, authors: [String] = [], venue: String? = nil,
              keywords: [String] = [], label: Int? = nil, line: Int = 0) {
    self.sourceID = sourceID; self.pmid = pmid; self.doi = doi; self.title = title
    self.abstract = abstract; self.year = year; self.authors = authors; self.venue = venue
    self.keywords = keywords; self.label = label; self.line = line
  }
}
