import Foundation

/// TF-IDF features of documents, identical to scikit-learn's `TfidfVectorizer`
/// (`sklearn/feature_extraction/text.py`: `CountVectorizer._count_vocab`, `_limit_features`,
/// `_sort_features`, then `TfidfTransformer`).
///
/// Fitting learns the vocabulary and the inverse document frequencies of a corpus; transforming
/// turns documents into L2-normalized rows of a `SparseMatrix` whose columns are the vocabulary in
/// code-point order of the terms (scikit-learn's `get_feature_names_out()` order). Per entry:
///
/// - term frequency `tf` = the term's count in the document, or `1 + ln(tf)` with `sublinearTF`;
/// - `idf = ln((1 + n) / (1 + df)) + 1` with `smoothIDF` (scikit-learn's default), else
///   `ln(n / df) + 1`, for `n` documents of which `df` contain the term;
/// - the row `tf · idf`, divided by its Euclidean norm (rows without known terms stay empty).
///
/// Terms unseen at fit time are ignored by `transform`. The fitted state (configuration,
/// vocabulary, idf) is `Codable` for checkpoints; decoding validates it.
public struct TFIDFVectorizer: Sendable, Codable {
  /// A document-frequency bound: an absolute document count or a fraction of the corpus
  /// (scikit-learn's `int` versus `float` `min_df`/`max_df`).
  public enum DocumentFrequency: Sendable, Hashable, Codable {
    /// At least or at most this many documents.
    case count(Int)
    /// At least or at most this fraction (in `0...1`) of the documents.
    case fraction(Double)

    func documentCount(corpusSize: Int) -> Double {
      switch self {
      case .count(let count): return Double(count)
      case .fraction(let fraction): return fraction * Double(corpusSize)
      }
    }

    private enum CodingKeys: String, CodingKey { case count, fraction }

    /// Decodes `{"count": n}` or `{"fraction": f}`.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      if let count = try container.decodeIfPresent(Int.self, forKey: .count) {
        self = .count(count)
      } else {
        self = .fraction(try container.decode(Double.self, forKey: .fraction))
      }
    }

    /// Encodes `{"count": n}` or `{"fraction": f}`.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      switch self {
      case .count(let count): try container.encode(count, forKey: .count)
      case .fraction(let fraction): try container.encode(fraction, forKey: .fraction)
      }
    }
  }

  /// How rows are normalized.
  public enum Normalization: String, Sendable, Hashable, Codable {
    /// Divide each row by its Euclidean norm (scikit-learn's `norm="l2"`).
    case l2
    /// Leave rows as `tf · idf`.
    case none
  }

  /// The settings of a vectorizer.
  ///
  /// The defaults are those of csmed's `tfidf-*` screeners and of ASReview's default model
  /// `elas_u4` without its `max_df`: word uni- and bigrams with sublinear tf. They differ from
  /// scikit-learn's defaults only in `ngram_range=(1, 2)` and `sublinear_tf=True`.
  public struct Configuration: Sendable, Hashable, Codable {
    /// Lower-casing, tokenization, stop words and n-gram lengths.
    public var analyzer: TextAnalyzer
    /// Use `1 + ln(tf)` instead of the raw count (scikit-learn's `sublinear_tf`).
    public var sublinearTF: Bool
    /// Add one to document frequencies and to the corpus size (scikit-learn's `smooth_idf`).
    public var smoothIDF: Bool
    /// Multiply by idf (scikit-learn's `use_idf`); when `false` every idf is 1.
    public var useIDF: Bool
    /// Row normalization (scikit-learn's `norm`).
    public var normalization: Normalization
    /// Keep terms in at least this many documents (scikit-learn's `min_df`, default `.count(1)`).
    public var minimumDocumentFrequency: DocumentFrequency
    /// Keep terms in at most this many documents (scikit-learn's `max_df`, default `.fraction(1)`).
    public var maximumDocumentFrequency: DocumentFrequency
    /// Keep only the most frequent terms by corpus count (scikit-learn's `max_features`); ties are
    /// broken by term order, where scikit-learn's unstable sort leaves them unspecified.
    public var maximumFeatureCount: Int?

    /// Creates a configuration; see the properties for the meaning of each setting.
    public init(
      analyzer: TextAnalyzer = Self.bigramAnalyzer, sublinearTF: Bool = true, smoothIDF: Bool = true,
      useIDF: Bool = true, normalization: Normalization = .l2,
      minimumDocumentFrequency: DocumentFrequency = .count(1),
      maximumDocumentFrequency: DocumentFrequency = .fraction(1), maximumFeatureCount: Int? = nil
    ) {
      self.analyzer = analyzer
      self.sublinearTF = sublinearTF
      self.smoothIDF = smoothIDF
      self.useIDF = useIDF
      self.normalization = normalization
      self.minimumDocumentFrequency = minimumDocumentFrequency
      self.maximumDocumentFrequency = maximumDocumentFrequency
      self.maximumFeatureCount = maximumFeatureCount
    }

    /// Lower-cased word uni- and bigrams without stop-word removal.
    public static var bigramAnalyzer: TextAnalyzer {
      // A literal 1...2 range is valid, so the throwing initializer cannot fail here.
      (try? TextAnalyzer(ngramRange: 1...2)) ?? TextAnalyzer()
    }

    /// scikit-learn's `TfidfVectorizer()` defaults: unigrams, raw tf.
    public static var scikitLearnDefaults: Configuration {
      Configuration(analyzer: TextAnalyzer(), sublinearTF: false)
    }

    /// ASReview's default model `elas_u4`: `ngram_range=(1, 2)`, `sublinear_tf=True`,
    /// `min_df=1`, `max_df=0.95`.
    public static var asreviewELASU4: Configuration {
      Configuration(maximumDocumentFrequency: .fraction(0.95))
    }

    /// ASReview's `elas_u3` (Naive Bayes): `stop_words="english"`, unigrams, raw tf.
    public static var asreviewELASU3: Configuration {
      Configuration(analyzer: (try? TextAnalyzer(stopWords: .english)) ?? TextAnalyzer(), sublinearTF: false)
    }

    func validate() throws {
      for (name, bound) in [("min_df", minimumDocumentFrequency), ("max_df", maximumDocumentFrequency)] {
        switch bound {
        case .count(let count) where count < 0:
          throw VectorizerError.invalidParameter(name: name, expected: "a count >= 0", found: "\(count)")
        case .fraction(let fraction) where !(fraction >= 0 && fraction <= 1):
          throw VectorizerError.invalidParameter(name: name, expected: "a fraction in [0, 1]", found: "\(fraction)")
        default: break
        }
      }
      if let limit = maximumFeatureCount, limit <= 0 {
        throw VectorizerError.invalidParameter(name: "max_features", expected: "a count > 0", found: "\(limit)")
      }
    }

    private enum CodingKeys: String, CodingKey {
      case analyzer
      case sublinearTF = "sublinear_tf"
      case smoothIDF = "smooth_idf"
      case useIDF = "use_idf"
      case normalization = "norm"
      case minimumDocumentFrequency = "min_df"
      case maximumDocumentFrequency = "max_df"
      case maximumFeatureCount = "max_features"
    }
  }

  /// The settings the vectorizer was fitted with.
  public let configuration: Configuration
  /// The terms, one per column, in code-point order.
  public let vocabulary: [String]
  /// The inverse document frequency of every column.
  public let idf: [Double]
  /// Term → column.
  private let columnByTerm: [String: Int32]

  /// The number of columns of the matrices `transform` returns.
  public var featureCount: Int { vocabulary.count }

  /// The column of `term`, if it is in the vocabulary.
  public func column(of term: String) -> Int? { columnByTerm[term].map(Int.init) }

  // MARK: - Fitting

  /// Learns the vocabulary and idf of `documents`.
  ///
  /// - Throws: `VectorizerError.emptyCorpus` for no documents, `.emptyVocabulary` when no term
  ///   survives analysis and pruning, `.invalidParameter` for bounds outside their domain or a
  ///   `max_df` below `min_df`.
  public init(fitting documents: [String], configuration: Configuration = Configuration()) throws {
    self = try Self.fitTransform(documents, configuration: configuration).vectorizer
  }

  /// Learns the vocabulary and idf of `documents` and returns their TF-IDF matrix, as
  /// scikit-learn's `fit_transform` (one analysis pass).
  ///
  /// - Throws: As `init(fitting:configuration:)`.
  /// - Complexity: O(total terms · log) for the vocabulary sort and row sorts.
  public static func fitTransform(_ documents: [String], configuration: Configuration = Configuration()) throws
    -> (vectorizer: TFIDFVectorizer, matrix: SparseMatrix)
  {
    try configuration.validate()
    guard !documents.isEmpty else { throw VectorizerError.emptyCorpus }
    let analyzer = configuration.analyzer

    // Count terms per document under provisional ids (first occurrence order).
    var bag = TermCounts()
    for document in documents { bag.add(analyzer.terms(in: document)) }
    let (terms, rowOffsets, rowTerms, rowCounts) = (bag.terms, bag.offsets, bag.termIDs, bag.counts)
    guard !terms.isEmpty else {
      throw VectorizerError.emptyVocabulary(
        reason: "expected at least one term of two or more word characters, found none in \(documents.count) "
          + "documents (perhaps they hold only stop words)")
    }

    // Document and corpus frequencies.
    var documentFrequency = [Int](repeating: 0, count: terms.count)
    var corpusFrequency = [Int](repeating: 0, count: terms.count)
    for (id, count) in zip(rowTerms, rowCounts) {
      documentFrequency[Int(id)] += 1
      corpusFrequency[Int(id)] += Int(count)
    }

    // Pruning (scikit-learn's `_limit_features`).
    let n = documents.count
    let high = configuration.maximumDocumentFrequency.documentCount(corpusSize: n)
    let low = configuration.minimumDocumentFrequency.documentCount(corpusSize: n)
    guard high >= low else {
      throw VectorizerError.invalidParameter(
        name: "max_df", expected: "at least as many documents as min_df (\(low))", found: "\(high) documents")
    }
    var kept = (0..<terms.count).filter {
      let df = Double(documentFrequency[$0])
      return df <= high && df >= low
    }
    // Column order: code-point order of the terms (scikit-learn's `_sort_features`).
    kept.sort { terms[$0].unicodeScalars.lexicographicallyPrecedes(terms[$1].unicodeScalars) }
    if let limit = configuration.maximumFeatureCount, kept.count > limit {
      let byFrequency = kept.enumerated().sorted {
        corpusFrequency[$0.element] != corpusFrequency[$1.element]
          ? corpusFrequency[$0.element] > corpusFrequency[$1.element] : $0.offset < $1.offset
      }
      kept = byFrequency.prefix(limit).map(\.offset).sorted().map { kept[$0] }
    }
    guard !kept.isEmpty else {
      throw VectorizerError.emptyVocabulary(
        reason: "after pruning with min_df=\(low) and max_df=\(high) documents, no terms remain; expected a "
          + "lower min_df or a higher max_df")
    }

    var column = [Int32](repeating: -1, count: terms.count)
    for (newColumn, id) in kept.enumerated() { column[id] = Int32(newColumn) }
    let vocabulary = kept.map { terms[$0] }
    let idf = kept.map { id in
      idfValue(documentFrequency: documentFrequency[id], documentCount: n, configuration: configuration)
    }
    let vectorizer = TFIDFVectorizer(configuration: configuration, vocabulary: vocabulary, idf: idf)

    // Rows under the final columns.
    var entries: [(Int32, Int32)] = []
    var offsets = [0]
    offsets.reserveCapacity(n + 1)
    var columns: [Int32] = []
    var counts: [Int32] = []
    columns.reserveCapacity(rowTerms.count)
    counts.reserveCapacity(rowTerms.count)
    for row in 0..<n {
      entries.removeAll(keepingCapacity: true)
      for k in rowOffsets[row]..<rowOffsets[row + 1] {
        let newColumn = column[Int(rowTerms[k])]
        if newColumn >= 0 { entries.append((newColumn, rowCounts[k])) }
      }
      entries.sort { $0.0 < $1.0 }
      for (c, count) in entries {
        columns.append(c)
        counts.append(count)
      }
      offsets.append(columns.count)
    }
    let matrix = vectorizer.weightedMatrix(rowOffsets: offsets, columns: columns, counts: counts)
    return (vectorizer, matrix)
  }

  private static func idfValue(documentFrequency: Int, documentCount: Int, configuration: Configuration) -> Double {
    guard configuration.useIDF else { return 1 }
    let smoothing = configuration.smoothIDF ? 1.0 : 0.0
    return Foundation.log((Double(documentCount) + smoothing) / (Double(documentFrequency) + smoothing)) + 1
  }

  private init(configuration: Configuration, vocabulary: [String], idf: [Double]) {
    self.configuration = configuration
    self.vocabulary = vocabulary
    self.idf = idf
    var index: [String: Int32] = [:]
    index.reserveCapacity(vocabulary.count)
    for (column, term) in vocabulary.enumerated() { index[term] = Int32(column) }
    self.columnByTerm = index
  }

  // MARK: - Transforming

  /// The TF-IDF matrix of `documents` under the fitted vocabulary: one row per document.
  ///
  /// - Complexity: O(total terms).
  public func transform(_ documents: [String]) -> SparseMatrix {
    var offsets = [0]
    offsets.reserveCapacity(documents.count + 1)
    var columns: [Int32] = []
    var counts: [Int32] = []
    var scratch = [Int32](repeating: 0, count: vocabulary.count)
    var touched: [Int32] = []
    for document in documents {
      for term in configuration.analyzer.terms(in: document) {
        guard let id = columnByTerm[term] else { continue }
        if scratch[Int(id)] == 0 { touched.append(id) }
        scratch[Int(id)] += 1
      }
      touched.sort()
      for id in touched {
        columns.append(id)
        counts.append(scratch[Int(id)])
        scratch[Int(id)] = 0
      }
      touched.removeAll(keepingCapacity: true)
      offsets.append(columns.count)
    }
    return weightedMatrix(rowOffsets: offsets, columns: columns, counts: counts)
  }

  /// The TF-IDF row of one document.
  public func transform(_ document: String) -> SparseVector {
    transform([document]).row(0)
  }

  /// Applies tf weighting, idf and normalization to sorted term counts.
  private func weightedMatrix(rowOffsets: [Int], columns: [Int32], counts: [Int32]) -> SparseMatrix {
    var values = [Double](repeating: 0, count: counts.count)
    let sublinear = configuration.sublinearTF
    let normalize = configuration.normalization == .l2
    idf.withUnsafeBufferPointer { idf in
      values.withUnsafeMutableBufferPointer { out in
        for row in 0..<(rowOffsets.count - 1) {
          var squaredNorm = 0.0
          for k in rowOffsets[row]..<rowOffsets[row + 1] {
            let count = Double(counts[k])
            let tf = sublinear ? Foundation.log(count) + 1 : count
            let value = tf * idf[Int(columns[k])]
            out[k] = value
            squaredNorm += value * value
          }
          if normalize && squaredNorm > 0 {
            let norm = squaredNorm.squareRoot()
            for k in rowOffsets[row]..<rowOffsets[row + 1] { out[k] /= norm }
          }
        }
      }
    }
    return SparseMatrix(
      uncheckedRowCount: rowOffsets.count - 1, columnCount: vocabulary.count, rowOffsets: rowOffsets,
      columnIndices: columns, values: values)
  }

  // MARK: - Codable

  private enum CodingKeys: String, CodingKey {
    case formatVersion = "format_version"
    case configuration
    case vocabulary
    case idf
  }

  /// Decodes a fitted vectorizer, checking that the vocabulary is sorted, without duplicates, and
  /// has one finite positive idf per term.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let version = try container.decode(Int.self, forKey: .formatVersion)
    guard version == 1 else {
      throw DecodingError.dataCorruptedError(
        forKey: .formatVersion, in: container, debugDescription: "expected format_version 1, found \(version)")
    }
    let configuration = try container.decode(Configuration.self, forKey: .configuration)
    do {
      try configuration.validate()
    } catch {
      throw DecodingError.dataCorruptedError(
        forKey: .configuration, in: container, debugDescription: String(describing: error))
    }
    let vocabulary = try container.decode([String].self, forKey: .vocabulary)
    let idf = try container.decode([Double].self, forKey: .idf)
    guard idf.count == vocabulary.count else {
      throw DecodingError.dataCorruptedError(
        forKey: .idf, in: container,
        debugDescription: "expected one idf per term (\(vocabulary.count)), found \(idf.count)")
    }
    if let bad = idf.firstIndex(where: { !$0.isFinite || $0 <= 0 }) {
      throw DecodingError.dataCorruptedError(
        forKey: .idf, in: container,
        debugDescription: "expected finite positive idf values, found \(idf[bad]) "
          + "for term '\(vocabulary[bad])'")
    }
    for position in vocabulary.indices.dropFirst()
    where !vocabulary[position - 1].unicodeScalars.lexicographicallyPrecedes(vocabulary[position].unicodeScalars) {
      throw DecodingError.dataCorruptedError(
        forKey: .vocabulary, in: container,
        debugDescription: "expected strictly increasing terms, found '\(vocabulary[position])' after "
          + "'\(vocabulary[position - 1])' at position \(position)")
    }
    self.init(configuration: configuration, vocabulary: vocabulary, idf: idf)
  }

  /// Encodes the configuration, vocabulary (column order) and idf with snake_case keys.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(1, forKey: .formatVersion)
    try container.encode(configuration, forKey: .configuration)
    try container.encode(vocabulary, forKey: .vocabulary)
    try container.encode(idf, forKey: .idf)
  }
}
