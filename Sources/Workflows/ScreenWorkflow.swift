import Corpus
import Encoder
import Foundation
import Ingest
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

    /// BM25 reads title and abstract, like the TF-IDF models; the embedding reads the keywords
    /// too, like `simulate`'s zero-shot warm start.
    public var textView: TextView { self == .embed ? .titleAbstractKeywords : .titleAbstract }
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
    /// The zero-shot embedder's arithmetic (fp32, or int8 linear maps).
    public var precision = Precision.fp32
    /// Keep every record with all its fields (on disk) for an output in rank order (`--format ris|csv`).
    public var keepRecords = false

    public init(source: ReviewSource, ranker: Ranker, base: URL, query: String? = nil, shard: Shard? = nil) {
      self.source = source
      self.ranker = ranker
      self.base = base
      self.query = query
      self.shard = shard
    }
  }

  /// Shard `index` of `count` (1-based), parsed from `i/N`.
  public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(parsing text: String) throws {
      let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
        throw WorkflowError.usage("--shard expects i/N (e.g. 2/8), got '\(text)'")
      }
      try self.init(index: i, count: n)
    }

    public init(index: Int, count: Int) throws {
      guard count >= 1, (1...count).contains(index) else {
        throw WorkflowError.usage("--shard \(index)/\(count): i must be in 1...N and N at least 1")
      }
      (self.index, self.count) = (index, count)
    }

    /// `--shard auto`: the shard of this task of a job array, from the scheduler's environment.
    /// - Slurm (`sbatch --array=A-B[:S]`): task `SLURM_ARRAY_TASK_ID` of the indices from
    ///   `SLURM_ARRAY_TASK_MIN` to `SLURM_ARRAY_TASK_MAX` in steps of `SLURM_ARRAY_TASK_STEP`
    ///   (default 1), so `--array=0-7` and `--array=1-8` both give shards 1/8 ... 8/8; the indices
    ///   must be such a progression (`SLURM_ARRAY_TASK_COUNT` agrees), since a list like
    ///   `--array=1,2,5` leaves shards nobody screens.
    /// - A Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0-based) of `count` completions.
    /// - Parameter count: `--shard-count`, required for Kubernetes (its environment holds no
    ///   count), checked against Slurm's when given.
    public init(environment: [String: String], count: Int?) throws {
      func number(_ name: String) throws -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
          throw WorkflowError.usage("--shard auto: \(name) should be a whole number, found '\(text)'")
        }
        return value
      }
      if let id = try number("SLURM_ARRAY_TASK_ID") {
        let low = try number("SLURM_ARRAY_TASK_MIN") ?? 0
        let step = try number("SLURM_ARRAY_TASK_STEP") ?? 1
        guard let high = try number("SLURM_ARRAY_TASK_MAX") else {
          throw WorkflowError.usage("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MAX is not (a job array sets both)")
        }
        guard step >= 1, low <= id, id <= high, (id - low) % step == 0, (high - low) % step == 0 else {
          throw WorkflowError.usage(
            "--shard auto: task \(id) does not lie on the array \(low)-\(high):\(step) (SLURM_ARRAY_TASK_MIN, _MAX, _STEP)")
        }
        let tasks = (high - low) / step + 1
        if let listed = try number("SLURM_ARRAY_TASK_COUNT"), listed != tasks {
          throw WorkflowError.usage(
            "--shard auto: the array has \(listed) task(s), not the \(tasks) of \(low)-\(high):\(step); give it as a range (--array=\(low)-\(high)), so that every shard has a task")
        }
        if let count, count != tasks {
          throw WorkflowError.usage("--shard auto: --shard-count \(count) but the Slurm array has \(tasks) task(s)")
        }
        try self.init(index: (id - low) / step + 1, count: tasks)
      } else if let index = try number("JOB_COMPLETION_INDEX") {
        guard let count else {
          throw WorkflowError.usage("--shard auto: JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) needs --shard-count N, the Job's completions")
        }
        guard (0..<count).contains(index) else {
          throw WorkflowError.usage("--shard auto: JOB_COMPLETION_INDEX \(index) is outside 0..<\(count) (--shard-count)")
        }
        try self.init(index: index + 1, count: count)
      } else {
        throw WorkflowError.usage(
          "--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard i/N")
      }
    }

    /// The candidates of this shard among `total`: whole scoring blocks, contiguous, the B =
    /// ⌈total / blockSize⌉ blocks dealt out so that shard i holds blocks ⌈(i−1)·B/N⌉ ..< ⌈i·B/N⌉.
    /// A record is then scored in the same block, beside the same neighbours, as in the
    /// unsharded run, so its score is the same to the last bit. With more shards than blocks
    /// some shards are empty (never the first).
    public func range(of total: Int, blockSize: Int = ScreenWorkflow.blockSize) -> Range<Int> {
      let blocks = (total + blockSize - 1) / blockSize
      let first = ((index - 1) * blocks + count - 1) / count, end = (index * blocks + count - 1) / count
      return min(total, first * blockSize)..<min(total, end * blockSize)
    }

    public var description: String { "\(index)/\(count)" }
  }

  /// Every candidate with its score and rank (1 = screen first).
  public struct Ranked: Sendable {
    public var reviewID: String
    public var query: String
    /// The review's title and criteria as the source gave them (the page marks their words).
    public var title = ""
    public var criteria: String? = nil
    /// The ranker in words.
    public var ranker = ""
    public var documentIDs: [String]
    public var scores: [Double]
    public var titles: [String]
    public var labels: [Int?]
    /// Candidate indices in rank order.
    public var order: [Int]
    /// Candidates with neither title nor abstract: kept, ranked last (score −∞).
    public var emptyRecords: Int
    /// For a shard: what `csmed merge` checks (written beside the ranking).
    public var shard: ShardRecord? = nil
    /// With `keepRecords`: the candidates' records, by candidate index.
    public var records: RecordSpill? = nil
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

  /// Candidates scored together: the unit of batching for every ranker. A record's embedding
  /// depends on the batch it shares (the padded length, the GEMM's row count and with them the
  /// kernel's edge paths), so every ranker groups records only within a block (the embedder's
  /// chunks of 8 batches of 32, a full text's windows 16 records at a time), blocks start at
  /// multiples of this size in the list, and shards hold whole blocks. A score is then a
  /// function of its block alone, the same in a streamed, whole or sharded screen.
  public static let blockSize = 256

  public static func screen(_ options: Options, progress: ProgressHandler = { _ in }) throws -> Ranked {
    let input = try ScreenInput(options.source)
    guard input.count > 0 else { throw WorkflowError.usage("the review has no candidates to screen") }
    if case .zeroShot(.bm25) = options.ranker, let shard = options.shard, shard.count > 1 {
      throw WorkflowError.usage("BM25 scores depend on the whole candidate list, so a BM25 ranking cannot be sharded")
    }
    let range = options.shard?.range(of: input.count) ?? 0..<input.count
    let query = options.query ?? reviewQuery(title: input.title, criteria: input.criteria)
    guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw WorkflowError.usage("no review query: give --review-title (and --criteria) or --query")
    }
    var scorer = try BlockScorer(options, query: query, fullTextStage: input.fullTextStage)
    var ranked = Ranked(
      reviewID: input.reviewID, query: query, documentIDs: [], scores: [], titles: [], labels: [], order: [], emptyRecords: 0)
    (ranked.title, ranked.criteria, ranked.ranker) = (input.title, input.criteria, scorer.description)
    var isEmpty: [Bool] = []
    var block: [String] = []
    // A shard hashes the whole list, so that merge can tell shards of different inputs apart.
    var digest = options.shard.map { _ in FieldDigest() }
    let spill = options.keepRecords ? try RecordSpill() : nil
    ranked.records = spill
    progress(.started("screen", total: range.count))
    func scoreBlock() throws {
      let before = ranked.scores.count
      // The scorer's own progress counts within the block; only its advances are passed on.
      ranked.scores += try scorer.scores(block) { event in
        if case .advanced(let done) = event { progress(.advanced(done: before + done)) }
      }
      block.removeAll(keepingCapacity: true)
      progress(.advanced(done: isEmpty.count))
    }
    try input.forEach(view: scorer.textView) { index, candidate in
      if digest != nil {
        for field in [candidate.documentID, candidate.title, candidate.label.map(String.init) ?? "", candidate.text] {
          digest?.add(field)
        }
      }
      guard range.contains(index) else { return }
      try spill?.append(candidate.record)
      ranked.documentIDs.append(candidate.documentID)
      ranked.titles.append(candidate.title)
      ranked.labels.append(candidate.label)
      isEmpty.append(candidate.text.isEmpty)
      block.append(candidate.text)
      if block.count == blockSize { try scoreBlock() }
    }
    if !block.isEmpty { try scoreBlock() }
    ranked.scores += try scorer.finish()
    progress(.finished("screen"))
    if let shard = options.shard, let digest {
      ranked.shard = try shardRecord(
        shard, of: input, range: range, inputDigest: digest.hex(), ranker: scorer.description, options: options, query: query)
      if range.isEmpty {
        let blocks = (input.count + blockSize - 1) / blockSize
        progress(.warning(
          "shard \(shard) is empty: \(input.count) candidates make \(blocks) block(s) of \(blockSize), and a shard holds whole blocks so that every score equals the unsharded run's"))
      }
    }
    // Records without any text cannot be judged by their text: they go last, in source order.
    ranked.emptyRecords = isEmpty.filter { $0 }.count
    if ranked.emptyRecords > 0 {
      progress(.warning("\(ranked.emptyRecords) record(s) have neither title nor abstract; kept and ranked last"))
      for i in ranked.scores.indices where isEmpty[i] { ranked.scores[i] = -.infinity }
    }
    // Ties keep source order, so a ranking is reproducible.
    let scores = ranked.scores
    ranked.order = scores.indices.sorted { a, b in
      if isEmpty[a] != isEmpty[b] { return !isEmpty[a] }
      if scores[a] != scores[b] { return scores[a] > scores[b] }
      return a < b
    }
    return ranked
  }

  /// What `csmed merge` needs to know of a shard: its slice, the digests, the platform.
  static func shardRecord(
    _ shard: Shard, of input: ScreenInput, range: Range<Int>, inputDigest: String, ranker: String, options: Options,
    query: String
  ) throws -> ShardRecord {
    ShardRecord(
      shard: shard.index, shards: shard.count, reviewID: input.reviewID, records: input.count,
      first: range.lowerBound, end: range.upperBound, blockSize: blockSize, inputDigest: inputDigest,
      rankerDigest: try rankerDigest(options, query: query, fullTextStage: input.fullTextStage),
      ranker: ranker, platform: .current, csmedVersion: CSMeDVersion.current)
  }

  /// The digest of everything that decides a screen's scores besides the input: the ranker and
  /// its files, the query, the maximum length and the stage.
  static func rankerDigest(_ options: Options, query: String, fullTextStage: Bool) throws -> String {
    var digest = FieldDigest()
    switch options.ranker {
    case .trained(let directory):
      digest.add("trained")
      for name in [ScreenerManifest.fileName, ScreenerManifest.tensorsFile, ScreenerManifest.classicalFile] {
        let file = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: file.path) { try digest.add(file: file) }
      }
    case .zeroShot(let kind):
      digest.add("zero-shot \(kind.rawValue)")
      if kind == .embed {
        digest.add(try BaseModelIdentity.of(directory: options.base).sha256)
        digest.add("max-length \(options.maxLength)")
        // Shards embedded at another precision score differently: merge must refuse to join them.
        if options.precision != .fp32 { digest.add("precision \(options.precision.rawValue)") }
      }
    }
    digest.add(query)
    digest.add(fullTextStage ? "ft" : "ta")
    return digest.hex()
  }

  /// Scores the candidates of a screen block by block with one ranker.
  struct BlockScorer {
    private enum State {
      case trained(TrainedScreener, query: String, pooled: Bool)
      /// BM25 needs the whole list's statistics: blocks are collected, scored at the end.
      case bm25(BM25.QueryScorer)
      case embed(SentenceEmbedder, query: [Float], tokenizer: BertTokenizer?)
    }
    private var state: State

    /// The ranker in words.
    var description: String {
      switch state {
      case .trained(let screener, _, _): "\(screener.manifest.kind.rawValue) screener trained on \(screener.manifest.trainedOn.count) review(s)"
      case .bm25: "zero-shot BM25"
      case .embed(let embedder, _, _): "zero-shot embedding, \(embedder.maxLength) tokens"
      }
    }

    /// What the ranker reads of each record.
    var textView: TextView {
      switch state {
      case .trained(let screener, _, _): screener.manifest.reads
      case .bm25: ScreenWorkflow.ZeroShot.bm25.textView
      case .embed: ScreenWorkflow.ZeroShot.embed.textView
      }
    }

    init(_ options: Options, query: String, fullTextStage: Bool) throws {
      switch options.ranker {
      case .trained(let directory):
        state = .trained(try TrainedScreener.load(directory: directory, base: options.base), query: query, pooled: fullTextStage)
      case .zeroShot(.bm25):
        state = .bm25(try BM25.QueryScorer(query: query))
      case .zeroShot(.embed):
        var embedder = try SentenceEmbedder(directory: options.base)
        embedder.maxLength = options.maxLength
        try embedder.setPrecision(options.precision)
        // The full-text stage embeds each main text in windows and pools them.
        let tokenizer = fullTextStage ? try BertTokenizer(vocabularyURL: options.base.appendingPathComponent("vocab.txt")) : nil
        state = .embed(embedder, query: try embedder.embed([query])[0], tokenizer: tokenizer)
      }
    }

    /// The scores of `texts`, or nothing yet for a ranker that scores at the end.
    mutating func scores(_ texts: [String], progress: ProgressHandler) throws -> [Double] {
      switch state {
      case .trained(let screener, let query, let pooled):
        return try screener.scores(query: query, texts: texts, pooledChunks: pooled, progress: progress)
      case .bm25(var scorer):
        for text in texts { scorer.add(text) }
        state = .bm25(scorer)
        return []
      case .embed(let embedder, let query, let tokenizer?):
        return try ChunkPooling.cosines(
          query: query, texts: texts, embedder: embedder, tokenizer: tokenizer, maxLength: embedder.maxLength,
          progress: progress)
      case .embed(let embedder, let query, nil):
        return try embedInChunks(texts, with: embedder, progress: progress).map { Double(dot($0, query)) }
      }
    }

    /// The scores held back until every block was seen.
    func finish() throws -> [Double] {
      if case .bm25(let scorer) = state { return try scorer.scores() }
      return []
    }
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

  /// The dot product of two embeddings (their cosine when both have unit length), summed in order.
  static func dot(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
  }

  /// Embeds texts in chunks of `blockSize`, reporting progress after each.
  static func embedInChunks(_ texts: [String], with embedder: SentenceEmbedder, progress: ProgressHandler) throws -> [[Float]] {
    progress(.started("embed", total: texts.count))
    var vectors: [[Float]] = []
    vectors.reserveCapacity(texts.count)
    let chunk = blockSize
    for start in stride(from: 0, to: texts.count, by: chunk) {
      vectors += try embedder.embed(Array(texts[start..<min(start + chunk, texts.count)]))
      progress(.advanced(done: vectors.count))
    }
    progress(.finished("embed"))
    return vectors
  }

  /// What `screen` writes: the ranking (`review_id,document_id,rank,score,title,label`, what
  /// `eval` and `merge` read), the records themselves in rank order with every field as CSV
  /// under ASReview's column names or as RIS (both read back by csmed's readers, ASReview,
  /// Rayyan and reference managers), or a TREC run.
  public enum RankingFormat: String, Sendable, CaseIterable {
    case ranking, csv, ris, trec

    /// Whether the output carries the records' fields, which the screen must keep.
    public var needsRecords: Bool { self == .csv || self == .ris }
  }

  /// The output as one string (small outputs and tests; `write` streams).
  public static func render(_ ranked: Ranked, format: RankingFormat, tag: String) throws -> String {
    var text = ""
    try write(ranked, format: format, tag: tag) { text += $0 }
    return text
  }

  /// Writes the output in rank order, piece by piece, to `sink`.
  /// - Throws: ``WorkflowError/usage(_:)`` for a records format when the screen kept none, or
  ///   what reading the kept records or `sink` throws.
  public static func write(_ ranked: Ranked, format: RankingFormat, tag: String, to sink: (String) throws -> Void) throws {
    if format.needsRecords && ranked.records?.count != ranked.documentIDs.count {
      throw WorkflowError.usage("--format \(format.rawValue) needs the records: screen with keepRecords")
    }
    switch format {
    case .ranking: try sink("review_id,document_id,rank,score,title,label\n")
    case .csv: try sink(CSVWriter.screeningHeader.joined(separator: ",") + "\n")
    case .ris, .trec: break
    }
    for (position, candidate) in ranked.order.enumerated() {
      let raw = ranked.scores[candidate]
      // The shortest text that reads back as the same Double, so `csmed merge` orders shards exactly.
      let score = raw.isFinite ? "\(raw)" : (format == .trec ? "-1000000" : "-inf")
      let id = DelimitedText.quoted(ranked.documentIDs[candidate])
      let rank = position + 1
      switch format {
      case .ranking:
        let label = ranked.labels[candidate].map(String.init) ?? ""
        let title = DelimitedText.quoted(ranked.titles[candidate])
        try sink("\(DelimitedText.quoted(ranked.reviewID)),\(id),\(rank),\(score),\(title),\(label)\n")
      case .trec:
        try sink("\(ranked.reviewID) Q0 \(id) \(rank) \(score) \(tag)\n")
      case .csv:
        guard let record = try ranked.records?.record(candidate) else { continue }
        try sink(CSVWriter.screeningRow(record, id: record.sourceID ?? ranked.documentIDs[candidate], rank: rank, score: score))
      case .ris:
        guard var record = try ranked.records?.record(candidate) else { continue }
        if record.sourceID == nil { record.sourceID = ranked.documentIDs[candidate] }
        try sink(RISWriter.entry(record, extra: [
          ("N1", "csmed rank \(rank) of \(ranked.order.count), score \(score) (\(tag))"), ("C1", String(rank)), ("C2", score),
        ]))
      }
    }
  }

  /// `csmed embed`: one embedding per text.
  public static func embed(
    _ texts: [String], base: URL, precision: Precision = .fp32, progress: ProgressHandler = { _ in }
  ) throws -> [[Float]] {
    var embedder = try SentenceEmbedder(directory: base)
    try embedder.setPrecision(precision)
    return try embedInChunks(texts, with: embedder, progress: progress)
  }

  /// `csmed tokenize`: the input ids of each text (or text pair), as BertTokenizer encodes them.
  public static func tokenize(_ texts: [String], base: URL, maxLength: Int?) throws -> [[Int32]] {
    let tokenizer = try BertTokenizer(vocabularyURL: base.appendingPathComponent("vocab.txt"))
    return try texts.map { try tokenizer.encode($0, maxLength: maxLength).inputIDs }
  }
}
