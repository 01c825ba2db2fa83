import CLIKit
import Corpus
import Foundation
import Workflows

/// `--text-file` of `embed` and `tokenize`.
private let textFile = Option<String?>("text-file", value: "file", help: "One text per LF-ended line (default: the argument, or stdin).")

/// Texts from `--text-file` (one per line), the positional text, or stdin (one per line).
/// Every line is a text, blank ones too, so output line n belongs to input line n; lines end
/// at LF only (`Lines`), so a \v, \f, U+0085, U+2028 or U+2029 inside a text stays in it.
private func texts(_ arguments: ParsedArguments) throws -> [String] {
  if let file = try arguments[textFile] {
    guard let data = FileManager.default.contents(atPath: file) else { throw WorkflowError.missingInput(path: file) }
    return Lines.split(String(decoding: data, as: UTF8.self)).map(String.init)
  }
  if let text = arguments.positionals.first { return [text] }
  return Lines.split(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)).map(String.init)
}

private enum Screen {
  static let model = Option<URL?>(path: "model", value: "dir", help: "A screener written by `csmed train`.")
  static let zeroShot = Option(
    "zero-shot", help: "Rank without training: BM25 or MiniLM cosine to the review query.", choices: ScreenWorkflow.ZeroShot.self)
  static let review = Shared.review()
  static let input = Shared.input()
  static let reviewTitle = Shared.reviewTitle()
  static let criteria = Shared.criteria()
  static let query = Option<String?>("query", value: "text", help: "Use this query instead of title and criteria.")
  static let stage = Shared.stage(help: "Labels to carry into the output, from --db.")
  static let format = Option(
    "format", help: "The ranking, the records in rank order as CSV or RIS, or a TREC run.",
    default: ScreenWorkflow.RankingFormat.ranking)
  static let output = Shared.output(help: "Write the ranking here instead of stdout.")
  static let html = Option<URL?>(
    path: "html", value: "page", help: "Also write a screening page: the records to read, label and export (one file, works offline).")
  static let labels = Option<URL?>(path: "labels", value: "file", help: "With --html: show these labels (a page's export) in the page.")
  static let targetRecall = Shared.targetRecall(help: "Say where to stop for this recall (from the --model's validation reviews).")
  static let shard = Option<String?>(
    "shard", value: "i/N|auto",
    help: "Screen only the i-th of N slices of whole \(ScreenWorkflow.blockSize)-record blocks (needs -o); join them with `csmed merge`. auto: from a Slurm array task or a Kubernetes Indexed Job.")
  static let shardCount = Option<Int?>(
    "shard-count", value: "n",
    help: "With --shard auto: the number of shards (a Kubernetes Job's completions; checked against Slurm's array).", in: 1...1_000_000)
  static let maxLength = Shared.maxLength(help: "Tokens per candidate for --zero-shot embed.", default: WorkflowDefaults.screen.maxLength)
}

let screenCommand = Command(
  spec: CommandSpec(
    name: "csmed screen", abstract: "Rank a review's candidates so the relevant ones come first.",
    options: [
      Screen.model, Screen.zeroShot, Shared.base, Shared.database, Screen.review, Screen.input, Screen.reviewTitle, Screen.criteria,
      Screen.query, Screen.stage, Screen.format, Screen.output, Screen.html, Screen.labels, Screen.targetRecall, Screen.shard,
      Screen.shardCount, Screen.maxLength, Shared.precision,
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
    let command = "csmed screen"
    let ranker: ScreenWorkflow.Ranker
    let tag: String
    switch (try arguments[Screen.model], try arguments[Screen.zeroShot]) {
    case (let model?, nil):
      ranker = .trained(model)
      tag = "csmed-" + model.lastPathComponent
    case (nil, let zeroShot?):
      ranker = .zeroShot(zeroShot)
      tag = "csmed-\(zeroShot.rawValue)"
    case (.some, .some):
      throw UsageError("give either --model or --zero-shot, not both", command: command)
    case (nil, nil):
      throw UsageError("give --model DIR (from `csmed train`) or --zero-shot bm25|embed", command: command)
    }
    let source: ReviewSource
    if let input = try arguments[Screen.input] {
      source = .file(input, title: try arguments[Screen.reviewTitle], criteria: try arguments[Screen.criteria])
    } else {
      source = .database(
        try arguments[Shared.database], review: try arguments.required(Screen.review), stage: try arguments[Screen.stage])
    }
    let started = Date()
    let shardText = try arguments[Screen.shard]
    let shardCount = try arguments[Screen.shardCount]
    let shard = try shardText.map { text in
      text == "auto"
        ? try ScreenWorkflow.Shard(environment: ProcessInfo.processInfo.environment, count: shardCount)
        : try ScreenWorkflow.Shard(parsing: text)
    }
    if shardCount != nil && shardText != "auto" {
      throw UsageError("--shard-count goes with --shard auto", command: command)
    }
    if let shard, shardText == "auto" { Terminal.err("shard \(shard) (from the scheduler's environment)\n") }
    let format = try arguments[Screen.format]
    let output = try arguments[Screen.output]
    let page = try arguments[Screen.html]
    if shard != nil {
      guard output != nil else {
        throw UsageError("--shard needs -o FILE: the shard's record for `csmed merge` is written beside it (FILE.shard.json)", command: command)
      }
      guard format == .ranking else {
        throw UsageError("--shard writes the ranking, which `csmed merge` reads; merge writes TREC with --format trec", command: command)
      }
      guard page == nil else {
        throw UsageError("--html shows the whole ranking: write the page from an unsharded screen", command: command)
      }
    }
    let labelsFile = try arguments[Screen.labels]
    if page == nil && labelsFile != nil {
      throw UsageError("--labels shows labels in the screening page: give --html PAGE too", command: command)
    }
    let targetRecall = try arguments[Screen.targetRecall]
    if targetRecall != nil {
      guard case .trained = ranker else {
        throw UsageError("--target-recall needs a trained screener (--model), whose validation reviews estimate the cut-off", command: command)
      }
    }
    var options = ScreenWorkflow.Options(
      source: source, ranker: ranker, base: try arguments[Shared.base], query: try arguments[Screen.query], shard: shard)
    options.maxLength = try arguments[Screen.maxLength]
    options.precision = try arguments[Shared.precision]
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
    try OutputFile.stream(to: output) { sink in try ScreenWorkflow.write(ranked, format: format, tag: tag, to: sink) }
    if let output { try ranked.shard?.write(besides: output) }
    if let page {
      let labels = try labelsFile.map { try StopWorkflow.labels(in: $0) } ?? [:]
      try OutputFile.stream(to: page) { sink in try PageWorkflow.write(ranked, cutoff: cutoff, labels: labels, to: sink) }
      Terminal.err("screening page: \(page.path) (open it in a browser; it needs no network)\n")
    }
  })

let embedCommand = Command(
  spec: CommandSpec(
    name: "csmed embed", abstract: "Sentence embeddings as sentence-transformers computes them for all-MiniLM-L6-v2.",
    options: [Shared.base, Shared.precision, textFile],
    positionals: [PositionalSpec("text", help: "A text to embed.", optional: true)],
    discussion: "Prints one JSON array per input line (mean pooling, L2 normalization, max 256 tokens)."),
  run: { arguments in
    let lines = try texts(arguments)
    guard !lines.isEmpty else { throw UsageError("no text to embed", command: "csmed embed") }
    let vectors = try ScreenWorkflow.embed(
      lines, base: try arguments[Shared.base], precision: try arguments[Shared.precision], progress: ProgressBar().handler)
    Terminal.out(vectors.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]\n" }.joined())
  })

private let tokenizeMaxLength = Shared.maxLength(help: "Truncate to n tokens including [CLS] and [SEP].", in: 2...100_000)

let tokenizeCommand = Command(
  spec: CommandSpec(
    name: "csmed tokenize", abstract: "BERT WordPiece token ids, exactly as Hugging Face's BertTokenizer.",
    options: [Shared.base, textFile, tokenizeMaxLength],
    positionals: [PositionalSpec("text", help: "A text to tokenize.", optional: true)],
    discussion: "Prints one JSON object {\"input_ids\": [...]} per input line."),
  run: { arguments in
    let ids = try ScreenWorkflow.tokenize(
      texts(arguments), base: try arguments[Shared.base], maxLength: try arguments[tokenizeMaxLength])
    Terminal.out(ids.map { "{\"input_ids\":[" + $0.map(String.init).joined(separator: ",") + "]}\n" }.joined())
  })

private enum Merge {
  static let format = Option("format", value: "ranking|trec", help: "Output format.", default: ScreenWorkflow.RankingFormat.ranking)
  static let output = Shared.output(help: "Write the ranking here instead of stdout.")
}

let mergeCommand = Command(
  spec: CommandSpec(
    name: "csmed merge", abstract: "Join the rankings of `screen --shard i/N` runs into one.",
    options: [Merge.format, Merge.output],
    positionals: [PositionalSpec("shards", help: "The shard rankings of `screen --shard`, in any order.", repeated: true)],
    discussion: """
      Each shard's record (FILE.shard.json, written by `screen --shard i/N -o FILE`) is checked: the same
      input and ranker (SHA-256 digests), all N shards once. On one machine the merged ranking equals the
      unsharded one byte for byte; across CPUs scores agree within rounding (README, Sharding).
      """),
  run: { arguments in
    let format = try arguments[Merge.format]
    guard !format.needsRecords else {
      throw UsageError("merge joins rankings, which hold no records; give --format ranking or trec (screen whole for --format \(format.rawValue))", command: "csmed merge")
    }
    let merged = try MergeWorkflow.merge(arguments.positionals.map { URL(fileURLWithPath: $0) })
    for warning in merged.warnings { Terminal.err("warning: \(warning)\n") }
    let ranked = merged.ranked
    try OutputFile.writeOrPrint(try ScreenWorkflow.render(ranked, format: format, tag: "csmed-merged"), to: try arguments[Merge.output])
    Terminal.err("merged \(ranked.order.count) documents from \(arguments.positionals.count) shard(s)\n")
  })
