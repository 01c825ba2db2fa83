import Foundation

/// Okapi BM25 ranking of a fixed document set against free-text queries (Robertson & Zaragoza,
/// "The Probabilistic Relevance Framework: BM25 and Beyond", 2009).
///
/// For a query with terms `q₁…qₘ` (analysed like the documents; a repeated query term counts once
/// per occurrence) the score of document `d` is
///
///     Σᵢ idf(qᵢ) · tf(qᵢ, d) · (k1 + 1) / (tf(qᵢ, d) + k1 · (1 − b + b · |d| / avgdl))
///
/// where `tf` is the term's count in `d`, `|d|` the number of terms of `d` and `avgdl` their mean
/// over the set. This is the form of `rank_bm25.BM25Okapi.get_scores` and of SQLite FTS5's `bm25()`
/// (up to FTS5's sign); Lucene ≥ 8 drops the constant factor `(k1 + 1)`, which does not change the
/// ranking. The idf is chosen with `IDFVariant`; the default is Lucene's `BM25Similarity` idf,
/// which is never negative. Terms absent from the set contribute 0.
public struct BM25: Sendable {
  /// The inverse document frequency of a term in `df` of `N` documents.
  public enum IDFVariant: Sendable, Hashable {
    /// Lucene's `BM25Similarity.idf`: `ln(1 + (N − df + 0.5) / (df + 0.5))` (always > 0).
    case lucene
    /// `rank_bm25.BM25Okapi`: `ln((N − df + 0.5) / (df + 0.5))`, where negative values (terms in
    /// more than half of the documents) are replaced by `epsilon ×` the mean idf over the vocabulary
    /// (rank_bm25's default `epsilon` is 0.25).
    case okapi(epsilon: Double)
    /// SQLite FTS5's `bm25()`: `ln((N − df + 0.5) / (df + 0.5))`, floored at 1e-6.
    case fts5
  }

  /// The free parameters of BM25.
  public struct Parameters: Sendable, Hashable {
    /// Term-frequency saturation (default 1.2, as Lucene, rank_bm25 uses 1.5).
    public var k1: Double
    /// Length normalization in `0...1` (default 0.75).
    public var b: Double
    /// The idf formula (default Lucene's).
    public var idf: IDFVariant

    /// Creates parameters; the defaults are Lucene's.
    public init(k1: Double = 1.2, b: Double = 0.75, idf: IDFVariant = .lucene) {
      self.k1 = k1
      self.b = b
      self.idf = idf
    }
  }

  /// The BM25 parameters.
  public let parameters: Parameters
  /// The analyzer applied to documents and queries.
  public let analyzer: TextAnalyzer
  /// The number of documents scored.
  public let documentCount: Int
  /// The mean number of terms per document.
  public let averageDocumentLength: Double

  private let termIndex: [String: Int32]
  private let idfs: [Double]
  private let postingOffsets: [Int]
  private let postingDocuments: [Int32]
  private let postingFrequencies: [Double]
  /// `k1 · (1 − b + b · |d| / avgdl)` per document.
  private let lengthNorms: [Double]

  /// Indexes `documents` after analysing them with `analyzer` (default: lower-cased unigrams as
  /// scikit-learn's tokenizer produces them, no stop-word removal).
  ///
  /// - Throws: `VectorizerError.emptyCorpus` for no documents, `.invalidParameter` for `k1 < 0`,
  ///   `b` outside `0...1`, or a negative `epsilon`.
  public init(documents: [String], analyzer: TextAnalyzer = TextAnalyzer(), parameters: Parameters = Parameters())
    throws
  {
    try self.init(
      analyzedDocuments: documents.map { analyzer.terms(in: $0) }, analyzer: analyzer, parameters: parameters)
  }

  /// Indexes documents that are already split into terms; queries given as text are analysed with
  /// `analyzer`.
  ///
  /// - Throws: As `init(documents:analyzer:parameters:)`.
  public init(
    analyzedDocuments: [[String]], analyzer: TextAnalyzer = TextAnalyzer(), parameters: Parameters = Parameters()
  )
    throws
  {
    guard !analyzedDocuments.isEmpty else { throw VectorizerError.emptyCorpus }
    try Self.validate(parameters)
    self.parameters = parameters
    self.analyzer = analyzer
    let n = analyzedDocuments.count
    documentCount = n

    // Per-document counts under term ids.
    var bag = TermCounts()
    var lengths = [Double](repeating: 0, count: n)
    for (number, terms) in analyzedDocuments.enumerated() {
      lengths[number] = Double(terms.count)
      bag.add(terms)
    }
    let index = bag.ids
    let (documentTerms, documentCounts, documentOffsets) = (bag.termIDs, bag.counts, bag.offsets)

    // Postings by term (counting sort keeps documents in increasing order).
    let termCount = index.count
    var offsets = [Int](repeating: 0, count: termCount + 1)
    for id in documentTerms { offsets[Int(id) + 1] += 1 }
    for t in 0..<termCount { offsets[t + 1] += offsets[t] }
    var fill = offsets
    var postingDocuments = [Int32](repeating: 0, count: documentTerms.count)
    var postingFrequencies = [Double](repeating: 0, count: documentTerms.count)
    for document in 0..<n {
      for k in documentOffsets[document]..<documentOffsets[document + 1] {
        let id = Int(documentTerms[k])
        postingDocuments[fill[id]] = Int32(document)
        postingFrequencies[fill[id]] = Double(documentCounts[k])
        fill[id] += 1
      }
    }

    // idf per term.
    let documentTotal = Double(n)
    let frequencies = (0..<termCount).map { offsets[$0 + 1] - offsets[$0] }
    let idfs = Self.idfs(frequencies, documentCount: documentTotal, variant: parameters.idf, vocabulary: frequencies)

    (averageDocumentLength, lengthNorms) = Self.lengthNorms(lengths, parameters: parameters)
    termIndex = index
    self.idfs = idfs
    self.postingOffsets = offsets
    self.postingDocuments = postingDocuments
    self.postingFrequencies = postingFrequencies
  }

  static func validate(_ parameters: Parameters) throws {
    guard parameters.k1 >= 0, parameters.k1.isFinite else {
      throw VectorizerError.invalidParameter(name: "k1", expected: "a finite value >= 0", found: "\(parameters.k1)")
    }
    guard parameters.b >= 0, parameters.b <= 1 else {
      throw VectorizerError.invalidParameter(name: "b", expected: "a value in [0, 1]", found: "\(parameters.b)")
    }
    if case .okapi(let epsilon) = parameters.idf, !(epsilon >= 0) {
      throw VectorizerError.invalidParameter(name: "epsilon", expected: "a value >= 0", found: "\(epsilon)")
    }
  }

  /// The idf of terms in `frequencies` of `n` documents each; with `.okapi`, negative values
  /// become epsilon × the mean idf over `vocabulary` (the document frequency of every term).
  static func idfs(_ frequencies: [Int], documentCount n: Double, variant: IDFVariant, vocabulary: [Int]) -> [Double] {
    func idf(_ frequency: Int) -> Double {
      let df = Double(frequency)
      return switch variant {
      case .lucene: Foundation.log(1 + (n - df + 0.5) / (df + 0.5))
      case .okapi: Foundation.log(n - df + 0.5) - Foundation.log(df + 0.5)
      case .fts5: max(1e-6, Foundation.log((n - df + 0.5) / (df + 0.5)))
      }
    }
    let values = frequencies.map(idf)
    guard case .okapi(let epsilon) = variant, !vocabulary.isEmpty else { return values }
    let floor = epsilon * vocabulary.map(idf).reduce(0, +) / Double(vocabulary.count)
    return values.map { $0 < 0 ? floor : $0 }
  }

  /// The mean document length and `k1 · (1 − b + b · |d| / avgdl)` per document.
  static func lengthNorms(_ lengths: [Double], parameters: Parameters) -> (average: Double, norms: [Double]) {
    let average = lengths.reduce(0, +) / Double(lengths.count)
    return (
      average,
      lengths.map { length in
        parameters.k1 * (1 - parameters.b + (average > 0 ? parameters.b * length / average : parameters.b))
      }
    )
  }

  /// The idf of `term` (already analysed), or `nil` when no document contains it.
  public func idf(of term: String) -> Double? {
    termIndex[term].map { idfs[Int($0)] }
  }

  /// The number of documents containing `term` (already analysed).
  public func documentFrequency(of term: String) -> Int {
    guard let id = termIndex[term].map(Int.init) else { return 0 }
    return postingOffsets[id + 1] - postingOffsets[id]
  }

  /// The BM25 score of every document (in input order) for a query text, analysed with `analyzer`.
  ///
  /// - Complexity: O(query terms + their postings + documents).
  public func scores(for query: String) -> [Double] {
    scores(forTerms: analyzer.terms(in: query))
  }

  /// The BM25 score of every document for already analysed query terms.
  public func scores(forTerms queryTerms: [String]) -> [Double] {
    var result = [Double](repeating: 0, count: documentCount)
    let k1PlusOne = parameters.k1 + 1
    result.withUnsafeMutableBufferPointer { out in
      postingDocuments.withUnsafeBufferPointer { documents in
        postingFrequencies.withUnsafeBufferPointer { frequencies in
          lengthNorms.withUnsafeBufferPointer { norms in
            for term in queryTerms {
              guard let id = termIndex[term].map(Int.init) else { continue }
              let idf = idfs[id]
              for k in postingOffsets[id]..<postingOffsets[id + 1] {
                let document = Int(documents[k])
                let tf = frequencies[k]
                out[document] += idf * tf * k1PlusOne / (tf + norms[document])
              }
            }
          }
        }
      }
    }
    return result
  }
}

extension BM25 {
  /// BM25 scores of one query over documents seen one at a time, for candidate lists too long
  /// to index whole: it keeps each document's length and its counts of the query's terms, and
  /// nothing else (with `.okapi`, whose floor needs every term's idf, also the document
  /// frequency of every term). `scores()` equals `BM25(documents:).scores(for:)` to the last bit.
  public struct QueryScorer: Sendable {
    public let parameters: Parameters
    public let analyzer: TextAnalyzer
    /// The analysed query, repeats kept (each occurrence counts).
    private let queryTerms: [String]
    /// Slot of each distinct query term.
    private let slots: [String: Int]
    private var documentFrequencies: [Int]
    private var lengths: [Double] = []
    /// Per document, the (slot, count) of the query terms it contains.
    private var offsets = [0]
    private var entrySlots: [Int32] = []
    private var entryCounts: [Double] = []
    /// Every term's id (in order of first occurrence, as `BM25.init` numbers them), document
    /// frequency and last document seen in; kept only for `.okapi`.
    private var vocabulary: [String: Int] = [:]
    private var vocabularyFrequencies: [Int] = []
    private var lastDocument: [Int] = []

    /// - Throws: `VectorizerError.invalidParameter` as `BM25.init`.
    public init(query: String, analyzer: TextAnalyzer = TextAnalyzer(), parameters: Parameters = Parameters()) throws {
      try BM25.validate(parameters)
      self.parameters = parameters
      self.analyzer = analyzer
      queryTerms = analyzer.terms(in: query)
      var slots: [String: Int] = [:]
      for term in queryTerms where slots[term] == nil { slots[term] = slots.count }
      self.slots = slots
      documentFrequencies = [Int](repeating: 0, count: slots.count)
    }

    /// The number of documents added.
    public var documentCount: Int { lengths.count }

    /// Adds the next document.
    public mutating func add(_ document: String) {
      let terms = analyzer.terms(in: document)
      lengths.append(Double(terms.count))
      var counts: [Int: Double] = [:]
      for term in terms { if let slot = slots[term] { counts[slot, default: 0] += 1 } }
      for (slot, count) in counts.sorted(by: { $0.key < $1.key }) {
        entrySlots.append(Int32(slot))
        entryCounts.append(count)
        documentFrequencies[slot] += 1
      }
      offsets.append(entrySlots.count)
      if case .okapi = parameters.idf {
        let document = lengths.count - 1
        for term in terms {
          if let id = vocabulary[term] {
            if lastDocument[id] != document { (vocabularyFrequencies[id], lastDocument[id]) = (vocabularyFrequencies[id] + 1, document) }
          } else {
            vocabulary[term] = vocabularyFrequencies.count
            vocabularyFrequencies.append(1)
            lastDocument.append(document)
          }
        }
      }
    }

    /// The score of every document added, in order.
    /// - Throws: `VectorizerError.emptyCorpus` when no document was added.
    public func scores() throws -> [Double] {
      guard !lengths.isEmpty else { throw VectorizerError.emptyCorpus }
      // The floor for negative okapi idfs is a mean over the whole vocabulary, as in `BM25.init`.
      let idfs = BM25.idfs(
        documentFrequencies, documentCount: Double(lengths.count), variant: parameters.idf, vocabulary: vocabularyFrequencies)
      let norms = BM25.lengthNorms(lengths, parameters: parameters).norms
      let k1PlusOne = parameters.k1 + 1
      var result = [Double](repeating: 0, count: lengths.count)
      for document in lengths.indices {
        let norm = norms[document]
        let entries = offsets[document]..<offsets[document + 1]
        // Query terms in query order, repeats included, as `scores(forTerms:)` adds them.
        for term in queryTerms {
          guard let slot = slots[term], let k = entries.first(where: { entrySlots[$0] == Int32(slot) }) else { continue }
          let tf = entryCounts[k]
          result[document] += idfs[slot] * tf * k1PlusOne / (tf + norm)
        }
      }
      return result
    }
  }
}
