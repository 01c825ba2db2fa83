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
    guard parameters.k1 >= 0, parameters.k1.isFinite else {
      throw VectorizerError.invalidParameter(name: "k1", expected: "a finite value >= 0", found: "\(parameters.k1)")
    }
    guard parameters.b >= 0, parameters.b <= 1 else {
      throw VectorizerError.invalidParameter(name: "b", expected: "a value in [0, 1]", found: "\(parameters.b)")
    }
    if case .okapi(let epsilon) = parameters.idf, !(epsilon >= 0) {
      throw VectorizerError.invalidParameter(name: "epsilon", expected: "a value >= 0", found: "\(epsilon)")
    }
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
    var idfs = (0..<termCount).map { t -> Double in
      let df = Double(offsets[t + 1] - offsets[t])
      switch parameters.idf {
      case .lucene: return Foundation.log(1 + (documentTotal - df + 0.5) / (df + 0.5))
      case .okapi: return Foundation.log(documentTotal - df + 0.5) - Foundation.log(df + 0.5)
      case .fts5: return max(1e-6, Foundation.log((documentTotal - df + 0.5) / (df + 0.5)))
      }
    }
    if case .okapi(let epsilon) = parameters.idf, termCount > 0 {
      let floor = epsilon * idfs.reduce(0, +) / Double(termCount)
      for t in 0..<termCount where idfs[t] < 0 { idfs[t] = floor }
    }

    let average = lengths.reduce(0, +) / documentTotal
    averageDocumentLength = average
    lengthNorms = lengths.map { length in
      parameters.k1 * (1 - parameters.b + (average > 0 ? parameters.b * length / average : parameters.b))
    }
    termIndex = index
    self.idfs = idfs
    self.postingOffsets = offsets
    self.postingDocuments = postingDocuments
    self.postingFrequencies = postingFrequencies
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
