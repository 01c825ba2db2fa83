import Corpus
import Foundation

/// One row of `csmed stats`: CSMeD's statistics table columns for a group of reviews.
public struct StatisticsRow: Sendable, Equatable, Codable {
  public var group: String
  public var collection: String
  public var reviews: Int
  public var documents: Int
  public var withText: Int
  public var idsOnly: Int
  public var includedTA: Int
  public var includedFT: Int
  public var averageDocumentsPerReview: Double
  /// Mean over reviews of the per-review share included at title/abstract (CSMeD's "Avg %incl").
  public var averagePercentIncludedTA: Double?
  public var averageWordsPerDocument: Double
}

/// One search hit.
public struct SearchHit: Sendable, Equatable, Codable {
  public var documentID: Int
  public var pmid: String?
  public var title: String
  public var snippet: String
  public var score: Double
}

/// One candidate of a review, as exported.
public struct ExportRow: Sendable, Equatable {
  public var documentID: Int
  public var record: Record
  public var label: Int?
  public var labelTA: Int?
  public var labelFT: Int?
}

/// A stored review's identity.
public struct ReviewRef: Sendable, Equatable, Codable {
  public var id: Int
  public var collection: String
  public var sourceReviewID: String
  public var cochraneID: String?
  public var title: String
}

extension DatasetStore {
  public enum Grouping: String, Sendable, CaseIterable { case collection, review }

  /// Per collection or per review: reviews, documents, included (both stages), averages.
  public func statistics(by grouping: Grouping) throws -> [StatisticsRow] {
    let group = grouping == .collection ? "r.collection_id" : "r.collection_id || '/' || r.source_review_id"
    let sql = """
      WITH per_review AS (
        SELECT r.id, r.collection_id, \(group) AS grp,
               COUNT(c.document_id) AS n,
               SUM(CASE WHEN d.text_status <> 'ids_only' THEN 1 ELSE 0 END) AS with_text,
               SUM(CASE WHEN d.text_status = 'ids_only' THEN 1 ELSE 0 END) AS ids_only,
               SUM(COALESCE(c.label_ta, 0)) AS inc_ta,
               SUM(COALESCE(c.label_ft, 0)) AS inc_ft,
               SUM(CASE WHEN c.label_ta IS NOT NULL THEN 1 ELSE 0 END) AS judged_ta,
               SUM(CASE WHEN d.text_status <> 'ids_only'
                   THEN (LENGTH(TRIM(d.title || ' ' || d.abstract)) - LENGTH(REPLACE(TRIM(d.title || ' ' || d.abstract), ' ', '')) + 1)
                   ELSE 0 END) AS words
        FROM review r
        JOIN candidate c ON c.review_id = r.id
        JOIN document d ON d.id = c.document_id
        GROUP BY r.id
      )
      SELECT grp, collection_id, COUNT(*), SUM(n), SUM(with_text), SUM(ids_only), SUM(inc_ta), SUM(inc_ft),
             AVG(n), AVG(CASE WHEN judged_ta > 0 THEN 100.0 * inc_ta / judged_ta END),
             CASE WHEN SUM(with_text) > 0 THEN 1.0 * SUM(words) / SUM(with_text) ELSE 0 END
      FROM per_review GROUP BY grp ORDER BY collection_id, grp
      """
    return try StoreError.wrap {
      try connection.prepare(sql).map { row in
        StatisticsRow(
          group: row.string(0), collection: row.string(1), reviews: row.int(2), documents: row.int(3),
          withText: row.int(4), idsOnly: row.int(5), includedTA: row.int(6), includedFT: row.int(7),
          averageDocumentsPerReview: row.double(8), averagePercentIncludedTA: row.isNull(9) ? nil : row.double(9),
          averageWordsPerDocument: row.double(10))
      }
    }
  }

  /// Collections recorded as unavailable, with the reason.
  public func unavailableCollections() throws -> [(id: String, note: String)] {
    try StoreError.wrap {
      try connection.prepare("SELECT id, COALESCE(note, '') FROM collection WHERE status = 'unavailable' ORDER BY id")
        .map { ($0.string(0), $0.string(1)) }
    }
  }

  /// FTS5 search over titles and abstracts, ranked by bm25, with highlighted snippets.
  public func search(_ query: String, review: Int? = nil, limit: Int = 10) throws -> [SearchHit] {
    var sql = """
      SELECT d.id, d.pmid, d.title,
             snippet(document_fts, -1, '[', ']', '…', 16), bm25(document_fts)
      FROM document_fts JOIN document d ON d.id = document_fts.rowid
      """
    var values: [SQLValue] = [.text(query)]
    if let review {
      sql += " JOIN candidate c ON c.document_id = d.id AND c.review_id = ?"
      values.insert(.integer(Int64(review)), at: 0)
    }
    sql += " WHERE document_fts MATCH ? ORDER BY bm25(document_fts) LIMIT ?"
    values.append(.integer(Int64(limit)))
    return try StoreError.wrap {
      try connection.prepare(sql).map(values) { row in
        SearchHit(
          documentID: row.int(0), pmid: row.optionalString(1), title: row.string(2), snippet: row.string(3),
          score: -row.double(4))
      }
    }
  }

  /// Completions for a prefix from the indexed vocabulary (by document frequency), then from
  /// review titles and collection ids, as query auto-complete.
  public func suggest(_ prefix: String, limit: Int = 10) throws -> [String] {
    let lowered = prefix.lowercased()
    guard !lowered.isEmpty else { return [] }
    return try StoreError.wrap {
      var results = try connection.prepare("""
        SELECT term FROM document_vocab WHERE term >= ? AND term < ? || char(1114111)
        ORDER BY doc DESC, term LIMIT ?
        """).map([.text(lowered), .text(lowered), .integer(Int64(limit))]) { $0.string(0) }
      if results.count < limit {
        let more = try connection.prepare("""
          SELECT value FROM (
            SELECT title AS value FROM review WHERE lower(title) LIKE ? || '%' ESCAPE '\\'
            UNION SELECT id FROM collection WHERE id LIKE ? || '%' ESCAPE '\\')
          ORDER BY value LIMIT ?
          """).map([.text(Self.likeEscaped(lowered)), .text(Self.likeEscaped(lowered)), .integer(Int64(limit - results.count))]) {
          $0.string(0)
        }
        results += more.filter { !results.contains($0) }
      }
      return results
    }
  }

  static func likeEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
      .replacingOccurrences(of: "_", with: "\\_")
  }

  /// Finds a review by numeric id, `collection/source_id`, or a source or Cochrane id that is unique.
  public func review(matching key: String) throws -> ReviewRef {
    let select = "SELECT id, collection_id, source_review_id, cochrane_id, title FROM review"
    func refs(_ sql: String, _ values: [SQLValue]) throws -> [ReviewRef] {
      try connection.prepare(select + " WHERE " + sql + " ORDER BY id").map(values) { row in
        ReviewRef(
          id: row.int(0), collection: row.string(1), sourceReviewID: row.string(2), cochraneID: row.optionalString(3),
          title: row.string(4))
      }
    }
    return try StoreError.wrap {
      var found: [ReviewRef] = []
      if let id = Int(key) { found = try refs("id = ?", [.integer(Int64(id))]) }
      if found.isEmpty, let slash = key.firstIndex(of: "/") {
        found = try refs(
          "collection_id = ? AND source_review_id = ?",
          [.text(String(key[..<slash])), .text(String(key[key.index(after: slash)...]))])
      }
      if found.isEmpty { found = try refs("source_review_id = ? OR cochrane_id = ?", [.text(key), .text(key)]) }
      guard let first = found.first else { throw StoreError.notFound("review '\(key)'") }
      guard found.count == 1 else {
        let options = found.map { "\($0.collection)/\($0.sourceReviewID)" }.joined(separator: ", ")
        throw StoreError.notFound("a unique review '\(key)' (it matches \(options); name one as collection/id)")
      }
      return first
    }
  }

  /// A review's candidates in source order with the label of a stage.
  public func candidates(ofReview review: Int, stage: Stage) throws -> [ExportRow] {
    try StoreError.wrap {
      try connection.prepare("""
        SELECT d.id, d.source_id, d.pmid, d.doi, d.title, d.abstract, d.year, d.authors, d.venue, d.keywords,
               c.label_ta, c.label_ft
        FROM candidate c JOIN document d ON d.id = c.document_id
        WHERE c.review_id = ? ORDER BY c.position
        """).map([.integer(Int64(review))]) { row in
          let labelTA = row.optionalInt(10), labelFT = row.optionalInt(11)
          let record = Record(
            sourceID: row.optionalString(1), pmid: row.optionalString(2), doi: row.optionalString(3),
            title: row.string(4), abstract: row.string(5), year: row.optionalInt(6),
            authors: Self.split(row.optionalString(7)), venue: row.optionalString(8),
            keywords: Self.split(row.optionalString(9)), label: stage == .titleAbstract ? labelTA : labelFT)
          return ExportRow(
            documentID: row.int(0), record: record, label: record.label, labelTA: labelTA, labelFT: labelFT)
        }
    }
  }

  /// The main text of a document, if the meta-dataset has one.
  public func fullText(ofDocument document: Int) throws -> FullText? {
    let rows = try StoreError.wrap {
      try connection.prepare("SELECT format, body FROM full_text WHERE document_id = ?")
        .map([.integer(Int64(document))]) { ($0.string(0), $0.blob(1)) }
    }
    guard let (format, body) = rows.first else { return nil }
    return FullText(format: format, body: try Zstd.decompress(body))
  }

  /// Reviews in a named split.
  public func reviews(inSplit name: String) throws -> [ReviewRef] {
    try StoreError.wrap {
      try connection.prepare("""
        SELECT r.id, r.collection_id, r.source_review_id, r.cochrane_id, r.title
        FROM split s JOIN review r ON r.id = s.review_id WHERE s.name = ? ORDER BY r.id
        """).map([.text(name)]) {
          ReviewRef(
            id: $0.int(0), collection: $0.string(1), sourceReviewID: $0.string(2), cochraneID: $0.optionalString(3),
            title: $0.string(4))
        }
    }
  }

  /// Reviews of a collection, in id order.
  public func reviews(inCollection collection: String) throws -> [ReviewRef] {
    try StoreError.wrap {
      try connection.prepare("""
        SELECT id, collection_id, source_review_id, cochrane_id, title FROM review WHERE collection_id = ? ORDER BY id
        """).map([.text(collection)]) {
          ReviewRef(
            id: $0.int(0), collection: $0.string(1), sourceReviewID: $0.string(2), cochraneID: $0.optionalString(3),
            title: $0.string(4))
        }
    }
  }

  /// Split names with their review counts.
  public func splitSizes() throws -> [(name: String, reviews: Int)] {
    try StoreError.wrap {
      try connection.prepare("SELECT name, COUNT(*) FROM split GROUP BY name ORDER BY name").map { ($0.string(0), $0.int(1)) }
    }
  }

  static func split(_ text: String?) -> [String] {
    guard let text else { return [] }
    return text.components(separatedBy: "; ").filter { !$0.isEmpty }
  }
}

extension DatasetStore {
  /// A review's eligibility criteria as one text ("heading: text" per line), if it has any.
  public func criteriaText(ofReview review: Int) throws -> String? {
    let json = try StoreError.wrap {
      try connection.prepare("SELECT criteria_json FROM review WHERE id = ?").map([.integer(Int64(review))]) {
        $0.optionalString(0)
      }
    }.first ?? nil
    guard let json, let criteria = try? JSONDecoder().decode([Criterion].self, from: Data(json.utf8)) else { return nil }
    return criteria.map { "\($0.heading): \($0.text)" }.joined(separator: "\n")
  }
}
