/// The meta-dataset schema (STRICT tables, foreign keys, indexes, FTS5).
///
/// Labels are per stage: 1 include, 0 exclude, NULL unknown. A document shared by several reviews
/// is stored once (matched by PMID, then DOI); each collection keeps its own ids in `source_id`.
public enum Schema {
  public static let version = "1"

  static let statements = """
    CREATE TABLE meta(
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE collection(
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      citation TEXT NOT NULL,
      doi TEXT,
      license TEXT NOT NULL,
      source_url TEXT NOT NULL,
      domain TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('built', 'unavailable')),
      note TEXT
    ) STRICT;
    CREATE TABLE review(
      id INTEGER PRIMARY KEY,
      collection_id TEXT NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
      source_review_id TEXT NOT NULL,
      cochrane_id TEXT,
      title TEXT NOT NULL,
      abstract TEXT,
      criteria_json TEXT CHECK (criteria_json IS NULL OR json_valid(criteria_json)),
      search_query TEXT,
      review_type TEXT,
      candidate_set TEXT NOT NULL CHECK (candidate_set IN ('complete', 'judged_only', 'included_only')),
      UNIQUE (collection_id, source_review_id)
    ) STRICT;
    CREATE INDEX review_cochrane ON review(cochrane_id);
    CREATE TABLE document(
      id INTEGER PRIMARY KEY,
      pmid TEXT,
      doi TEXT,
      source_id TEXT,
      title TEXT NOT NULL DEFAULT '',
      abstract TEXT NOT NULL DEFAULT '',
      year INTEGER,
      authors TEXT,
      venue TEXT,
      keywords TEXT,
      text_status TEXT NOT NULL CHECK (text_status IN ('title_abstract', 'title_only', 'ids_only'))
    ) STRICT;
    CREATE INDEX document_pmid ON document(pmid);
    CREATE INDEX document_doi ON document(doi);
    CREATE TABLE candidate(
      review_id INTEGER NOT NULL REFERENCES review(id) ON DELETE CASCADE,
      document_id INTEGER NOT NULL REFERENCES document(id),
      position INTEGER NOT NULL,
      label_ta INTEGER CHECK (label_ta IN (0, 1)),
      label_ft INTEGER CHECK (label_ft IN (0, 1)),
      raw_label TEXT,
      exclusion_reason TEXT,
      PRIMARY KEY (review_id, document_id)
    ) STRICT;
    CREATE INDEX candidate_document ON candidate(document_id);
    CREATE TABLE full_text(
      document_id INTEGER PRIMARY KEY REFERENCES document(id),
      format TEXT NOT NULL,
      body BLOB NOT NULL,
      n_chars INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE split(
      name TEXT NOT NULL,
      review_id INTEGER NOT NULL REFERENCES review(id) ON DELETE CASCADE,
      PRIMARY KEY (name, review_id)
    ) STRICT;
    CREATE VIRTUAL TABLE document_fts USING fts5(
      title, abstract, content='document', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE document_vocab USING fts5vocab(document_fts, 'row');
    """
}
