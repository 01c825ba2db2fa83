import Corpus
import Foundation

/// The meta-dataset in SQLite: the only place that writes SQL.
public final class DatasetStore {
  public let connection: Connection

  private init(connection: Connection) {
    self.connection = connection
  }

  /// Creates the schema in a new, empty database file.
  public static func create(at path: String) throws -> DatasetStore {
    try StoreError.wrap {
      let connection = try Connection(path: path)
      try connection.execute("PRAGMA journal_mode = DELETE")
      try connection.transaction {
        try connection.execute(Schema.statements)
        try connection.prepare("INSERT INTO meta(key, value) VALUES ('schema_version', ?)").run([.text(Schema.version)])
      }
      return DatasetStore(connection: connection)
    }
  }

  /// Opens an existing meta-dataset and checks its schema version.
  public static func open(at path: String, readOnly: Bool = true) throws -> DatasetStore {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError.notFound("database \(path) (build it with `csmed build`)")
    }
    return try StoreError.wrap {
      let connection = try Connection(path: path, readOnly: readOnly)
      let store = DatasetStore(connection: connection)
      let version: String
      do {
        version = try store.meta("schema_version") ?? "none"
      } catch let error as SQLiteError where error.code == 1 || error.code == 26 {
        throw StoreError.schemaMismatch(path: path, found: "none (not a csmed database)", expected: Schema.version)
      }
      guard version == Schema.version else {
        throw StoreError.schemaMismatch(path: path, found: version, expected: Schema.version)
      }
      return store
    }
  }

  // MARK: - Meta

  public func meta(_ key: String) throws -> String? {
    try connection.prepare("SELECT value FROM meta WHERE key = ?").map([.text(key)]) { $0.string(0) }.first
  }

  public func setMeta(_ key: String, _ value: String) throws {
    try StoreError.wrap {
      try connection.prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .run([.text(key), .text(value)])
    }
  }

  // MARK: - Writing collections

  /// What storing one collection did.
  public struct WriteSummary: Sendable, Equatable {
    public var reviews = 0
    public var candidates = 0
    public var newDocuments = 0
    public var sharedDocuments = 0
    public var fullTexts = 0
  }

  /// Replaces a collection (its reviews, candidates, splits) in one transaction.
  public func replace(_ loaded: LoadedCollection) throws -> WriteSummary {
    try StoreError.wrap {
      try connection.transaction {
        try deleteCollection(loaded.info.id)
        try insertCollection(loaded.info, status: "built", note: nil)
        var summary = WriteSummary()
        let writer = try DocumentWriter(connection: connection)
        let insertReview = try connection.prepare("""
          INSERT INTO review(collection_id, source_review_id, cochrane_id, title, abstract, criteria_json,
                             search_query, review_type, candidate_set)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
        let insertCandidate = try connection.prepare("""
          INSERT INTO candidate(review_id, document_id, position, label_ta, label_ft, raw_label, exclusion_reason)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(review_id, document_id) DO NOTHING
          """)
        let insertFullText = try connection.prepare("""
          INSERT INTO full_text(document_id, format, body, n_chars) VALUES (?, ?, ?, ?)
          ON CONFLICT(document_id) DO UPDATE SET format = excluded.format, body = excluded.body, n_chars = excluded.n_chars
          """)
        var reviewIDs: [String: Int64] = [:]
        for review in loaded.reviews {
          try insertReview.run([
            .text(loaded.info.id), .text(review.sourceReviewID), .optional(review.cochraneID), .text(review.title),
            .optional(review.abstract), .optional(try Self.criteriaJSON(review.criteria)), .optional(review.searchQuery),
            .optional(review.reviewType), .text(review.candidateSet.rawValue),
          ])
          let reviewID = connection.lastInsertedRowID
          reviewIDs[review.sourceReviewID] = reviewID
          summary.reviews += 1
          for (position, candidate) in review.candidates.enumerated() {
            let (documentID, isNew) = try writer.upsert(candidate.record, scope: "\(loaded.info.id)/\(review.sourceReviewID)")
            if isNew { summary.newDocuments += 1 } else { summary.sharedDocuments += 1 }
            try insertCandidate.run([
              .integer(reviewID), .integer(documentID), .integer(Int64(position)), .optional(candidate.labelTA),
              .optional(candidate.labelFT), .optional(candidate.rawLabel), .optional(candidate.exclusionReason),
            ])
            summary.candidates += 1
            if let fullText = candidate.fullText {
              try insertFullText.run([
                .integer(documentID), .text(fullText.format), .blob(Zstd.compress(fullText.body)),
                .integer(Int64(fullText.body.count)),
              ])
              summary.fullTexts += 1
            }
          }
        }
        let insertSplit = try connection.prepare("INSERT OR IGNORE INTO split(name, review_id) VALUES (?, ?)")
        for split in loaded.splits {
          for id in split.sourceReviewIDs {
            if let reviewID = reviewIDs[id] { try insertSplit.run([.text(split.name), .integer(reviewID)]) }
          }
        }
        return summary
      }
    }
  }

  /// Records a collection that could not be built here, removing any older copy of it.
  public func markUnavailable(_ info: CollectionInfo, note: String) throws {
    try StoreError.wrap {
      try connection.transaction {
        try deleteCollection(info.id)
        try insertCollection(info, status: "unavailable", note: note)
      }
    }
  }

  /// The ids of the collections in the database.
  public func collectionIDs() throws -> [String] {
    try StoreError.wrap { try connection.prepare("SELECT id FROM collection ORDER BY id").map { $0.string(0) } }
  }

  private func insertCollection(_ info: CollectionInfo, status: String, note: String?) throws {
    try connection.prepare("""
      INSERT INTO collection(id, name, citation, doi, license, source_url, domain, status, note)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """).run([
        .text(info.id), .text(info.name), .text(info.citation), .optional(info.doi), .text(info.license),
        .text(info.sourceURL), .text(info.domain), .text(status), .optional(note),
      ])
  }

  private func deleteCollection(_ id: String) throws {
    try connection.prepare("DELETE FROM collection WHERE id = ?").run([.text(id)])
    // Documents no review refers to any more go too.
    try connection.execute("""
      DELETE FROM full_text WHERE document_id NOT IN (SELECT document_id FROM candidate);
      DELETE FROM document WHERE id NOT IN (SELECT document_id FROM candidate);
      """)
  }

  /// Rebuilds the full-text index from the document table (once, after all collections).
  public func rebuildSearchIndex() throws {
    try StoreError.wrap { try connection.execute("INSERT INTO document_fts(document_fts) VALUES ('rebuild')") }
  }

  /// Fills title, abstract and other empty fields of stored documents from PubMed records,
  /// matched by PMID. Returns how many documents gained text.
  public func fill(from records: [Record]) throws -> Int {
    try StoreError.wrap {
      try connection.transaction {
        let update = try connection.prepare("""
          UPDATE document SET
            title = CASE WHEN title = '' THEN ?2 ELSE title END,
            abstract = CASE WHEN abstract = '' THEN ?3 ELSE abstract END,
            doi = COALESCE(doi, ?4), year = COALESCE(year, ?5), authors = COALESCE(authors, ?6),
            venue = COALESCE(venue, ?7), keywords = COALESCE(keywords, ?8)
          WHERE pmid = ?1 AND (title = '' OR abstract = '')
          """)
        let status = try connection.prepare("UPDATE document SET text_status = \(TextStatusSQL.expression) WHERE pmid = ?")
        var filled = 0
        for record in records {
          guard let pmid = record.pmid else { continue }
          try update.run([
            .text(pmid), .text(record.title), .text(record.abstract), .optional(record.doi),
            .optional(record.year), .optional(DocumentWriter.join(record.authors)), .optional(record.venue),
            .optional(DocumentWriter.join(record.keywords)),
          ])
          let changed = Int(sqlite3Changes(connection))
          try status.run([.text(pmid)])
          filled += changed
        }
        return filled
      }
    }
  }

  static func criteriaJSON(_ criteria: [Criterion]) throws -> String? {
    guard !criteria.isEmpty else { return nil }
    let data = try JSONEncoder().encode(criteria)
    return String(decoding: data, as: UTF8.self)
  }
}

@available(*, unavailable)
extension DatasetStore: Sendable {}

extension SQLValue {
  static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
  static func optional(_ number: Int?) -> SQLValue { number.map { .integer(Int64($0)) } ?? .null }
}
