import Corpus
import Encoder
import Foundation
import Text

/// `csmed screen` with a zero-shot ranker, `csmed embed` and `csmed tokenize`.
public enum ScreenWorkflow {
  /// Rankers that need no labels.
  public enum ZeroShot: String, Sendable, CaseIterable {
    /// Okapi BM25 of the review query against each candidate's title and abstract.
    case bm25
    /// Cosine between the sentence embeddings of the review query and of each candidate
    /// (all-MiniLM-L6-v2: mean pooling, L2 normalization, 256 tokens), as sentence-transformers.
    case embed
  }

  /// What ranks the candidates.
  public enum Ranker: Sendable {
    case zeroShot(ZeroShot)
    /// A directory written by `csmed train`.
    case trained(URL)
  }

  public struct Options: Sendable {
    public var source: ReviewSource
    public var ranker: Ranker
    /// The encoder directory (`model.safetensors`, `vocab.txt`, `config.json`).
    public var base: URL
    /// Review query override; default: the review's title, then its criteria.
    public var query: String?
    /// Screen only this contiguous slice of the candidates (for job arrays); `csmed merge` joins them.
    public var shard: Shard?
    /// Tokens per candidate for the zero-shot embedding (a trained screener keeps its own).
    public var maxLength = 256

    public init(source: ReviewSource, ranker: Ranker, base: URL, query: String? = nil, shard: Shard? = nil) {
      self.source = source
      self.ranker = ranker
      self.base = base
      self.query = query
      self.shard = shard
    }
  }

  /// Shard `index` of `count` (1-based), parsed from `i/N`.
  public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(parsing text: String) throws {
      let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
        throw WorkflowError.usage("--shard expects i/N (e.g. 2/8), got '\(text)'")
      }
      guard n >= 1, (1...n).contains(i) else {
        throw WorkflowError.usage("--shard \(text): i must be in 1...N and N at least 1")
      }
      (index, count) = (i, n)
    }

    /// The candidates of this shard among `total`: contiguous, sizes differing by at most one.
    public func range(of total: Int) -> Range<Int> {
      (index - 1) * total / count..<index * total / count
    }
  }

  /// Every candidate with its score and rank (1 = screen first).
  public struct Ranked: Sendable {
    public var reviewID: String
    public var query: String
    public var documentIDs: [String]
    public var scores: [Double]
    public var titles: [String]
    public var labels: [Int?]
    /// Candidate indices in rank order.
    public var order: [Int]
    /// Candidates with neither title nor abstract: kept, ranked last (score −∞).
    public var emptyRecords: Int
  }

  /// Where to stop screening for a target recall, estimated on the screener's validation reviews.
  public struct Cutoff: Sendable {
    public var targetRecall: Double
    /// Screen the top `rank` candidates.
    public var rank: Int
    /// The share of candidates not screened.
    public var workSaved: Double
    /// Validation reviews the estimate rests on, and the share of them that reached the target
    /// within this cut-off.
    public var validationReviews: Int
  }

  public static func screen(_ options: Options, progress: ProgressHandler = { _ in }) throws -> Ranked {
    var review = try options.source.load()
    guard !review.records.isEmpty else { throw WorkflowError.usage("the review has no candidates to screen") }
    if let shard = options.shard {
      if case .zeroShot(.bm25) = options.ranker, shard.count > 1 {
        throw WorkflowError.usage("BM25 scores depend on the whole candidate list, so a BM25 ranking cannot be sharded")
      }
      let r = shard.range(of: review.records.count)
      review.records = Array(review.records[r])
      review.documentIDs = Array(review.documentIDs[r])
      review.labels = Array(review.labels[r])
    }
    let query = options.query ?? [review.title, review.criteria ?? ""].filter { !$0.isEmpty }.joined(separator: "\n")
    guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw WorkflowError.usage("no review query: give --review-title (and --criteria) or --query")
    }
    // The full-text stage screens main texts where the meta-dataset has them, in pooled windows.
    var fullTextStage = false
    if case .database(_, _, .fullText) = options.source { fullTextStage = true }
    let texts = review.records.indices.map(fullTextStage ? review.fullText(of:) : review.text(of:))
    var scores: [Double]
    switch options.ranker {
    case .trained(let directory):
      let loaded = try TrainedScreener.load(directory: directory, base: options.base)
      scores = try loaded.scores(query: query, texts: texts, pooledChunks: fullTextStage, progress: progress)
    case .zeroShot(.bm25):
      scores = try BM25(documents: texts).scores(for: query)
    case .zeroShot(.embed):
      var embedder = try SentenceEmbedder(directory: options.base)
      embedder.maxLength = options.maxLength
      let queryVector = try embedder.embed([query])[0]
      if fullTextStage {
        let tokenizer = try BertTokenizer(vocabularyURL: options.base.appendingPathComponent("vocab.txt"))
        progress(.started("embed full texts", total: texts.count))
        scores = try ChunkPooling.cosines(
          query: queryVector, texts: texts, embedder: embedder, tokenizer: tokenizer, maxLength: options.maxLength,
          progress: progress)
        progress(.finished("embed full texts"))
      } else {
        let vectors = try embedInChunks(texts, with: embedder, progress: progress)
        scores = vectors.map { vector in Double(zip(vector, queryVector).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
      }
    }
    // Records without any text cannot be judged by their text: they go last, in source order.
    let isEmpty = texts.map(\.isEmpty)
    let emptyCount = isEmpty.filter { $0 }.count
    if emptyCount > 0 {
      progress(.warning("\(emptyCount) record(s) have neither title nor abstract; kept and ranked last"))
      for i in scores.indices where isEmpty[i] { scores[i] = -.infinity }
    }
    // Ties keep source order, so a ranking is reproducible.
    let order = scores.indices.sorted { a, b in
      if isEmpty[a] != isEmpty[b] { return !isEmpty[a] }
      if scores[a] != scores[b] { return scores[a] > scores[b] }
      return a < b
    }
    return Ranked(
      reviewID: review.reviewID, query: query, documentIDs: review.documentIDs, scores: scores,
      titles: review.records.map(\.title), labels: review.labels, order: order, emptyRecords: emptyCount)
  }

  /// The cut-off for `targetRecall`: the largest share of candidates any validation review of
  /// the screener needed to reach that recall (a conservative estimate), applied to `count`.
  public static func cutoff(targetRecall: Double, screener directory: URL, count: Int) throws -> Cutoff {
    let manifest = try ScreenerManifest.load(directory: directory)
    guard let fractions = manifest.recallFractions?[RecallFractions.key(targetRecall)], !fractions.isEmpty else {
      let known = manifest.recallFractions.map { $0.keys.sorted().joined(separator: ", ") } ?? "none"
      throw WorkflowError.usage(
        "--target-recall \(targetRecall): the screener has no validation estimate for it (trained with --valid? known: \(known))")
    }
    let share = fractions.max() ?? 1
    let rank = min(count, Int((share * Double(count)).rounded(.up)))
    return Cutoff(
      targetRecall: targetRecall, rank: rank, workSaved: 1 - Double(rank) / Double(max(1, count)),
      validationReviews: fractions.count)
  }

  /// Embeds texts in chunks, reporting progress after each.
  static func embedInChunks(_ texts: [String], with embedder: SentenceEmbedder, progress: ProgressHandler) throws -> [[Float]] {
    progress(.started("embed", total: texts.count))
    var vectors: [[Float]] = []
    vectors.reserveCapacity(texts.count)
    let chunk = embedder.batchSize * 8
    for start in stride(from: 0, to: texts.count, by: chunk) {
      vectors += try embedder.embed(Array(texts[start..<min(start + chunk, texts.count)]))
      progress(.advanced(done: vectors.count))
    }
    progress(.finished("embed"))
    return vectors
  }

  /// The ranking as csmed's CSV (`review_id,document_id,rank,score,label`) or a TREC run.
  public static func render(_ ranked: Ranked, format: RankingFormat, tag: String) -> String {
    var lines: [String] = format == .csv ? ["review_id,document_id,rank,score,title,label"] : []
    for (position, candidate) in ranked.order.enumerated() {
      let raw = ranked.scores[candidate]
      // The shortest text that reads back as the same Double, so `csmed merge` orders shards exactly.
      let score = raw.isFinite ? "\(raw)" : (format == .csv ? "-inf" : "-1000000")
      let id = DelimitedText.quoted(ranked.documentIDs[candidate])
      switch format {
      case .csv:
        let label = ranked.labels[candidate].map(String.init) ?? ""
        let title = DelimitedText.quoted(ranked.titles[candidate])
        lines.append("\(DelimitedText.quoted(ranked.reviewID)),\(id),\(position + 1),\(score),\(title),\(label)")
      case .trec:
        lines.append("\(ranked.reviewID) Q0 \(id) \(position + 1) \(score) \(tag)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public enum RankingFormat: String, Sendable, CaseIterable { case csv, trec }

  /// `csmed embed`: one embedding per text.
  public static func embed(_ texts: [String], base: URL, progress: ProgressHandler = { _ in }) throws -> [[Float]] {
    try embedInChunks(texts, with: SentenceEmbedder(directory: base), progress: progress)
  }

  /// `csmed tokenize`: the input ids of each text (or text pair), as BertTokenizer encodes them.
  public static func tokenize(_ texts: [String], base: URL, maxLength: Int?) throws -> [[Int32]] {
    let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
    return try texts.map { try tokenizer.encode($0, maxLength: maxLength).inputIDs }
  }
}
