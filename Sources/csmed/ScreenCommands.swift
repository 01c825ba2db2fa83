import CLIKit
import Corpus
import Foundation
import Workflows

extension Defaults {
  static let baseOption = OptionSpec("base", value: "dir", help: "The encoder (default data/models/all-MiniLM-L6-v2).")

  static func base(_ arguments: ParsedArguments) -> URL {
    URL(fileURLWithPath: arguments.value("base") ?? "data/models/all-MiniLM-L6-v2")
  }

  /// Texts from `--text-file` (one per line), the positional text, or stdin (one per line).
  /// Every line is a text, blank ones too, so output line n belongs to input line n; lines end
  /// at LF only (`Lines`), so a \v, \f, U+0085, U+2028 or U+2029 inside a text stays in it.
  static func texts(_ arguments: ParsedArguments) throws -> [String] {
    if let file = arguments.value("text-file") {
      guard let data = FileManager.default.contents(atPath: file) else { throw WorkflowError.missingInput(path: file) }
      return Lines.split(String(decoding: data, as: UTF8.self)).map(String.init)
    }
    if let text = arguments.positionals.first { return [text] }
    return Lines.split(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)).map(String.init)
  }
}

let screenCommand = Command(
  spec: CommandSpec(
    name: "csmed screen", abstract: "Rank a review's candidates so the relevant ones come first.",
    options: [
      OptionSpec("model", value: "dir", help: "A screener written by `csmed train`."),
      OptionSpec("zero-shot", value: "bm25|embed", help: "Rank without training: BM25 or MiniLM cosine to the review query."),
      Defaults.baseOption, Defaults.databaseOption,
      OptionSpec("review", value: "id", help: "A review of the meta-dataset."),
      OptionSpec("input", value: "file", help: "Or a search export: RIS, CSV, PubMed XML, MEDLINE, BibTeX."),
      OptionSpec("review-title", value: "text", help: "The review's title (the query), for --input."),
      OptionSpec("criteria", value: "file", help: "Eligibility criteria added to the query, for --input."),
      OptionSpec("query", value: "text", help: "Use this query instead of title and criteria."),
      OptionSpec("stage", value: "ta|ft", help: "Labels to carry into the output, from --db (default ta)."),
      OptionSpec("format", value: "ranking|csv|ris|trec", help: "The ranking (default), the records in rank order as CSV or RIS, or a TREC run."),
      OptionSpec("output", value: "file", help: "Write the ranking here (default stdout).", short: "o"),
      OptionSpec("html", value: "page", help: "Also write a screening page: the records to read, label and export (one file, works offline)."),
      OptionSpec("labels", value: "file", help: "With --html: show these labels (a page's export) in the page."),
      OptionSpec("target-recall", value: "r", help: "Say where to stop for this recall (from the --model's validation reviews)."),
      OptionSpec("shard", value: "i/N|auto", help: "Screen only the i-th of N slices of whole 256-record blocks (needs -o); join them with `csmed merge`. auto: from a Slurm array task or a Kubernetes Indexed Job."),
      OptionSpec("shard-count", value: "n", help: "With --shard auto: the number of shards (a Kubernetes Job's completions; checked against Slurm's array)."),
      OptionSpec("max-len", value: "n", help: "Tokens per candidate for --zero-shot embed (default 256)."),
    ],
    discussion: """
      Output (--format ranking): review_id,document_id,rank,score,title,label (label where known), for `csmed eval`.
      --format csv: every record in rank order with all its fields under ASReview's column names
      (record_id,title,abstract,authors,year,doi,keywords,included,pmid,journal,rank,score), for ASReview LAB,
      Rayyan or a reference manager; --format ris: the same as RIS, rank and score in N1, C1 and C2.
      The records wait in a temporary file, not in memory, until they are written in rank order.
      --html PAGE.html: the records in rank order, paged, with the query's and the criteria's words marked, a
      label per record kept in the browser, an export of the labels (a CSV for `csmed stop --labels` and
      `csmed train --input`), where --target-recall says to stop, and the recall curve when labels are known.
      `csmed stop --labels EXPORT.csv --html PAGE.html` writes the rules' advice into the page.
      embed (and a trained bi- or cross-encoder) reads title, abstract and keywords (MeSH, author keywords);
      bm25 (and a trained TF-IDF screener) reads title and abstract.
      Records with neither title nor abstract are kept, ranked last with score -inf, and counted in a warning.
      The output file is written only when screening succeeded (a temporary file renamed into place).
      """),
  run: { arguments in
    let ranker: ScreenWorkflow.Ranker
    let tag: String
    switch (arguments.value("model"), arguments.value("zero-shot")) {
    case (let model?, nil):
      ranker = .trained(URL(fileURLWithPath: model))
      tag = "csmed-" + URL(fileURLWithPath: model).lastPathComponent
    case (nil, let zeroShot?):
      guard let z = ScreenWorkflow.ZeroShot(rawValue: zeroShot) else {
        throw UsageError("--zero-shot expects bm25 or embed, got '\(zeroShot)'", command: "csmed screen")
      }
      ranker = .zeroShot(z)
      tag = "csmed-\(zeroShot)"
    case (.some, .some):
      throw UsageError("give either --model or --zero-shot, not both", command: "csmed screen")
    case (nil, nil):
      throw UsageError("give --model DIR (from `csmed train`) or --zero-shot bm25|embed", command: "csmed screen")
    }
    let source: ReviewSource
    if let input = arguments.value("input") {
      source = .file(URL(fileURLWithPath: input), title: arguments.value("review-title"), criteria: arguments.value("criteria").map { URL(fileURLWithPath: $0) })
    } else {
      source = .database(Defaults.database(arguments), review: try arguments.require("review"), stage: try arguments.choice("stage", default: Stage.titleAbstract))
    }
    let started = Date()
    let shardCount = arguments.value("shard-count") == nil ? nil : try arguments.int("shard-count", default: 1, in: 1...1_000_000)
    let shard = try arguments.value("shard").map { text in
      text == "auto"
        ? try ScreenWorkflow.Shard(environment: ProcessInfo.processInfo.environment, count: shardCount)
        : try ScreenWorkflow.Shard(parsing: text)
    }
    if shardCount != nil && arguments.value("shard") != "auto" {
      throw UsageError("--shard-count goes with --shard auto", command: "csmed screen")
    }
    if let shard, arguments.value("shard") == "auto" { Terminal.err("shard \(shard) (from the scheduler's environment)\n") }
    let format = try arguments.choice("format", default: ScreenWorkflow.RankingFormat.ranking)
    if shard != nil {
      guard arguments.value("output") != nil else {
        throw UsageError("--shard needs -o FILE: the shard's record for `csmed merge` is written beside it (FILE.shard.json)", command: "csmed screen")
      }
      guard format == .ranking else {
        throw UsageError("--shard writes the ranking, which `csmed merge` reads; merge writes TREC with --format trec", command: "csmed screen")
      }
      guard arguments.value("html") == nil else {
        throw UsageError("--html shows the whole ranking: write the page from an unsharded screen", command: "csmed screen")
      }
    }
    let page = arguments.value("html").map { URL(fileURLWithPath: $0) }
    if page == nil && arguments.value("labels") != nil {
      throw UsageError("--labels shows labels in the screening page: give --html PAGE too", command: "csmed screen")
    }
    var targetRecall: Double? = nil
    if let text = arguments.value("target-recall") {
      guard let r = Double(text), r > 0, r <= 1 else {
        throw UsageError("--target-recall expects a number in (0, 1], got '\(text)'", command: "csmed screen")
      }
      guard case .trained = ranker else {
        throw UsageError("--target-recall needs a trained screener (--model), whose validation reviews estimate the cut-off", command: "csmed screen")
      }
      targetRecall = r
    }
    var options = ScreenWorkflow.Options(
      source: source, ranker: ranker, base: Defaults.base(arguments), query: arguments.value("query"), shard: shard)
    options.maxLength = try arguments.int("max-len", default: 256, in: 8...512)
    options.keepRecords = format.needsRecords || page != nil
    let ranked = try ScreenWorkflow.screen(options, progress: ProgressBar().handler)
    let seconds = Date().timeIntervalSince(started)
    Terminal.err(String(format: "screened %d documents in %.1f s (%.1f documents/s)\n", ranked.order.count, seconds, Double(ranked.order.count) / max(seconds, 1e-9)))
    var cutoff: ScreenWorkflow.Cutoff? = nil
    if let r = targetRecall, case .trained(let directory) = ranker {
      let cut = try ScreenWorkflow.cutoff(targetRecall: r, screener: directory, count: ranked.order.count)
      Terminal.err(String(
        format: "target recall %.2f: screen the top %d of %d (expected work saved %.1f%%; the largest share any of %d validation reviews needed)\n",
        r, cut.rank, ranked.order.count, 100 * cut.workSaved, cut.validationReviews))
      cutoff = cut
    }
    let output = arguments.value("output").map { URL(fileURLWithPath: $0) }
    try OutputFile.stream(to: output) { sink in try ScreenWorkflow.write(ranked, format: format, tag: tag, to: sink) }
    if let output { try ranked.shard?.write(besides: output) }
    if let page {
      let labels = try arguments.value("labels").map { try StopWorkflow.labels(in: URL(fileURLWithPath: $0)) } ?? [:]
      try OutputFile.stream(to: page) { sink in try PageWorkflow.write(ranked, cutoff: cutoff, labels: labels, to: sink) }
      Terminal.err("screening page: \(page.path) (open it in a browser; it needs no network)\n")
    }
  })

let embedCommand = Command(
  spec: CommandSpec(
    name: "csmed embed", abstract: "Sentence embeddings as sentence-transformers computes them for all-MiniLM-L6-v2.",
    options: [Defaults.baseOption, OptionSpec("text-file", value: "file", help: "One text per LF-ended line (default: the argument, or stdin).")],
    positionals: [PositionalSpec("text", help: "A text to embed.", optional: true)],
    discussion: "Prints one JSON array per input line (mean pooling, L2 normalization, max 256 tokens)."),
  run: { arguments in
    let texts = try Defaults.texts(arguments)
    guard !texts.isEmpty else { throw UsageError("no text to embed", command: "csmed embed") }
    let vectors = try ScreenWorkflow.embed(texts, base: Defaults.base(arguments), progress: ProgressBar().handler)
    Terminal.out(vectors.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]\n" }.joined())
  })

let tokenizeCommand = Command(
  spec: CommandSpec(
    name: "csmed tokenize", abstract: "BERT WordPiece token ids, exactly as Hugging Face's BertTokenizer.",
    options: [
      Defaults.baseOption, OptionSpec("text-file", value: "file", help: "One text per LF-ended line (default: the argument, or stdin)."),
      OptionSpec("max-length", value: "n", help: "Truncate to n tokens including [CLS] and [SEP]."),
    ],
    positionals: [PositionalSpec("text", help: "A text to tokenize.", optional: true)],
    discussion: "Prints one JSON object {\"input_ids\": [...]} per input line."),
  run: { arguments in
    let maxLength = arguments.value("max-length") == nil ? nil : try arguments.int("max-length", default: 256, in: 2...100_000)
    let ids = try ScreenWorkflow.tokenize(Defaults.texts(arguments), base: Defaults.base(arguments), maxLength: maxLength)
    Terminal.out(ids.map { "{\"input_ids\":[" + $0.map(String.init).joined(separator: ",") + "]}\n" }.joined())
  })

let mergeCommand = Command(
  spec: CommandSpec(
    name: "csmed merge", abstract: "Join the rankings of `screen --shard i/N` runs into one.",
    options: [
      OptionSpec("format", value: "ranking|trec", help: "Output format (default ranking)."),
      OptionSpec("output", value: "file", help: "Write the ranking here (default stdout).", short: "o"),
    ],
    positionals: [PositionalSpec("shards", help: "The shard rankings of `screen --shard`, in any order.", repeated: true)],
    discussion: """
      Each shard's record (FILE.shard.json, written by `screen --shard i/N -o FILE`) is checked: the same
      input and ranker (SHA-256 digests), all N shards once. On one machine the merged ranking equals the
      unsharded one byte for byte; across CPUs scores agree within rounding (README, Sharding).
      """),
  run: { arguments in
    let format = try arguments.choice("format", default: ScreenWorkflow.RankingFormat.ranking)
    guard !format.needsRecords else {
      throw UsageError("merge joins rankings, which hold no records; give --format ranking or trec (screen whole for --format \(format.rawValue))", command: "csmed merge")
    }
    let merged = try MergeWorkflow.merge(arguments.positionals.map { URL(fileURLWithPath: $0) })
    for warning in merged.warnings { Terminal.err("warning: \(warning)\n") }
    let ranked = merged.ranked
    let text = try ScreenWorkflow.render(ranked, format: format, tag: "csmed-merged")
    if let output = arguments.value("output") {
      try OutputFile.write(text, to: URL(fileURLWithPath: output))
    } else {
      Terminal.out(text)
    }
    Terminal.err("merged \(ranked.order.count) documents from \(arguments.positionals.count) shard(s)\n")
  })
