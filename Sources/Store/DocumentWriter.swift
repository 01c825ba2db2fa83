import CSQLite
import Corpus

/// Inserts documents once: a record whose PMID (or else DOI) is already stored reuses that row and
/// fills the fields it lacked; a record with neither is unique within its review.
final class DocumentWriter {
  private let connection: Connection
  private let findByPMID: Statement
  private let findByDOI: Statement
  private let insert: Statement
  private let merge: Statement
  private let refreshStatus: Statement
  private var scoped: [String: Int64] = [:]

  init(connection: Connection) throws {
    self.connection = connection
    findByPMID = try connection.prepare("SELECT id FROM document WHERE pmid = ? LIMIT 1")
    findByDOI = try connection.prepare("SELECT id FROM document WHERE doi = ? LIMIT 1")
    insert = try connection.prepare("""
      INSERT INTO document(pmid, doi, source_id, title, abstract, year, authors, venue, keywords, text_status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """)
    merge = try connection.prepare("""
      UPDATE document SET
        pmid = COALESCE(pmid, ?2), doi = COALESCE(doi, ?3),
        title = CASE WHEN title = '' THEN ?4 ELSE title END,
        abstract = CASE WHEN abstract = '' THEN ?5 ELSE abstract END,
        year = COALESCE(year, ?6), authors = COALESCE(authors, ?7), venue = COALESCE(venue, ?8),
        keywords = COALESCE(keywords, ?9)
      WHERE id = ?1
      """)
    refreshStatus = try connection.prepare("UPDATE document SET text_status = \(TextStatusSQL.expression) WHERE id = ?")
  }

  /// Returns the document's row id and whether it was new.
  func upsert(_ record: Record, scope: String) throws -> (Int64, Bool) {
    var existing: Int64?
    if let pmid = record.pmid {
      existing = try findByPMID.map([.text(pmid)]) { Int64($0.int(0)) }.first
    }
    if existing == nil, let doi = record.doi {
      existing = try findByDOI.map([.text(doi)]) { Int64($0.int(0)) }.first
    }
    let scopeKey = record.pmid == nil && record.doi == nil ? record.sourceID.map { "\(scope)#\($0)" } : nil
    if existing == nil, let scopeKey { existing = scoped[scopeKey] }
    if let existing {
      try merge.run([
        .integer(existing), .optional(record.pmid), .optional(record.doi), .text(record.title), .text(record.abstract),
        .optional(record.year), .optional(Self.join(record.authors)), .optional(record.venue),
        .optional(Self.join(record.keywords)),
      ])
      if !record.title.isEmpty || !record.abstract.isEmpty {
        try refreshStatus.run([.integer(existing)])
      }
      return (existing, false)
    }
    try insert.run([
      .optional(record.pmid), .optional(record.doi), .optional(record.sourceID), .text(record.title),
      .text(record.abstract), .optional(record.year), .optional(Self.join(record.authors)), .optional(record.venue),
      .optional(Self.join(record.keywords)), .text(TextStatus(title: record.title, abstract: record.abstract).rawValue),
    ])
    let id = connection.lastInsertedRowID
    if let scopeKey { scoped[scopeKey] = id }
    return (id, true)
  }

  static func join(_ list: [String]) -> String? { list.isEmpty ? nil : list.joined(separator: "; ") }
}

/// The SQL twin of `TextStatus.init(title:abstract:)`, for rows whose text changed in place.
enum TextStatusSQL {
  static let expression = """
    CASE WHEN title <> '' AND abstract <> '' THEN 'title_abstract'
         WHEN title <> '' OR abstract <> '' THEN 'title_only' ELSE 'ids_only' END
    """
}

/// Rows changed by the last statement.
func sqlite3Changes(_ connection: Connection) -> Int32 { sqlite3_changes(connection.handle) }
