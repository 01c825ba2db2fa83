import Adapters
import CLIKit
import Corpus
import Foundation
import Workflows

private enum Experiment {
  static let within = WorkflowDefaults.within
  static let loro = WorkflowDefaults.loro
  static let adapters = WorkflowDefaults.adapterExperiment

  /// "within 100, loro 30, adapters 60": a setting whose default differs per experiment.
  static func perKind(_ within: some CustomStringConvertible, _ loro: some CustomStringConvertible, _ adapters: some CustomStringConvertible) -> String {
    "within \(within), loro \(loro), adapters \(adapters)"
  }

  static let reviews = Option<String?>(
    "reviews", value: "spec",
    help: "within, loro: the reviews (default: the texted ones, \(ExperimentWorkflow.defaultReviews.replacingOccurrences(of: "collection:", with: "").replacingOccurrences(of: ",", with: ", "))).")
  static let rankers = Option(
    list: "rankers", value: "list",
    help: "within: zero-shot,bm25,tfidf-lr,tfidf-svm,tfidf-nb,embed-lr,tfidf-embed-lr,bi-encoder+A,setfit+A,cross-encoder+A (A an adapter; default \(ExperimentWorkflow.WithinRanker.defaults.map(\.description).joined(separator: ","))). loro: bm25,embed,tfidf-lr,tfidf-svm,embed-lr,tfidf-embed-lr,bi-encoder,cross-encoder, A+B (two listed before it, standardized scores averaged) (default \(loro.rankers.joined(separator: ","))).")
  static let fraction = Option(
    "fraction", value: "f", help: "within: the share of each class's labelled records that trains.", default: within.fraction,
    in: .closed(0, 1))
  static let seeds = Option("seeds", value: "k", help: "within: samples drawn with seeds s, s+1, ....", default: within.seeds, in: 1...1000)
  static let embeddingCache = Shared.embeddingCache(help: "within: keep frozen sentence embeddings here (shared with simulate).")
  static let review = Shared.review(help: "adapters: the review whose candidates are split in two.")
  static let methods = Option(list: "adapters", value: "list", help: "adapters: the methods (default all ten).")
  static let steps = Option<Int?>(
    "steps", value: "n",
    help: "Optimizer steps per training (default \(perKind(within.tuning.steps, loro.train.maxSteps ?? 0, adapters.steps))).",
    in: 0...1_000_000)
  static let learningRate = Option<Double?>("lr", value: "rate", help: "Learning rate (default per method).", in: .positive)
  static let batch = Option<Int?>(
    "batch", value: "n", help: "Batch size (default \(perKind(within.tuning.batchSize, loro.train.batchSize, adapters.batchSize))).",
    in: 2...4096)
  static let maxLength = Shared.maxLength(
    help: "Tokens per candidate (default \(perKind(within.tuning.maxLength, loro.train.maxLength, adapters.maxLength))).", in: 8...512)
  static let hardNegatives = Option(
    "hard-negatives", value: "n", help: "loro bi-encoder: hard negatives per query.", default: loro.train.hardNegatives, in: 0...64)
  static let folds = Option<Int?>(
    "folds", value: "k",
    help: "loro: hold out the reviews in k groups (review i in group i mod k), each ranked by rankers trained on the other groups (default: one review per group).",
    in: 2...100_000)
  static let seed = Shared.seed(help: "Seed.", default: within.seed)
  static let markdown = Option<URL?>(path: "markdown", value: "file", help: "Also write the table as Markdown to this file.")
  static let freezeLayers = AdapterFlags.freezeLayers(default: WorkflowDefaults.adapter.freezeLayers, in: 0...64)
  /// What a `within` worker process needs from the command line, besides its ranker.
  static let withinSettings: [any OptionDeclaration] = [
    reviews, fraction, seeds, embeddingCache, steps, learningRate, batch, maxLength, freezeLayers, AdapterFlags.rank,
  ]

  /// A budget of optimizer steps: `--steps`, which must be at least 1, or `fallback`.
  static func stepBudget(_ arguments: ParsedArguments, default fallback: Int) throws -> Int {
    guard let steps = try arguments[steps] else { return fallback }
    guard steps >= 1 else { throw UsageError("--steps expects at least 1 optimizer step for loro and adapters, got '0'", command: arguments.command) }
    return steps
  }
}

let experimentCommand = Command(
  spec: CommandSpec(
    name: "csmed experiment", abstract: "Within-review and leave-one-review-out comparisons of rankers, or every adapter on one review.",
    options: [
      Shared.database, Shared.base, Experiment.reviews, Experiment.rankers, Experiment.fraction, Experiment.seeds,
      Experiment.embeddingCache, Experiment.review, Experiment.methods, Experiment.steps, Experiment.learningRate, Experiment.batch,
      Experiment.maxLength, Experiment.hardNegatives, Experiment.folds, Experiment.seed, Experiment.markdown, Shared.tableFormat,
    ] + AdapterFlags.options(freezeLayers: Experiment.freezeLayers),
    positionals: [PositionalSpec("kind", help: "within, loro or adapters.")],
    discussion: """
      within: for each review and seed, a stratified sample (--fraction of each class) is what the reviewer has
      screened; every ranker learns from that sample and ranks the rest. Each ranker runs in its own process (so
      peak memory is its own). Prints per ranker the macro mean over reviews of each review's mean over the
      seeds: WSS@95 (CLEF), AP, ROC AUC, recall@10%, trainable parameters, time and peak RSS.
      loro: for each review, each learning ranker is trained on all the other reviews (--steps optimizer steps)
      and ranks the held-out review; zero-shot rankers need no training. Prints macro-averaged WSS@95 (CLEF),
      recall@10%, AP and ROC AUC, and per review.
      adapters: each method in its own process (so peak memory is its own) trains a (review, candidate)
      classifier on a stratified half of --review's candidates and ranks the other half.
      --freeze-layers: within default \(Experiment.within.tuning.freezeLayers).
      """),
  run: { arguments in
    let command = "csmed " + CommandLine.arguments.dropFirst().joined(separator: " ")
    let seed = try arguments[Experiment.seed]
    let database = try arguments[Shared.database], base = try arguments[Shared.base]
    let reviews = try ReviewSelection(parsing: try arguments[Experiment.reviews] ?? ExperimentWorkflow.defaultReviews)
    let format = try arguments[Shared.tableFormat]
    let markdown = try arguments[Experiment.markdown]
    switch arguments.positionals.first {
    case "loro":
      let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("csmed-loro-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: scratch) }
      var train = ExperimentWorkflow.LOROOptions.defaultTraining(database: database, base: base, output: scratch)
      train.adapter = try AdapterFlags.configuration(arguments, seed: seed, freezeLayers: Experiment.freezeLayers)
      train.maxSteps = try Experiment.stepBudget(arguments, default: train.maxSteps ?? 1)
      train.batchSize = try arguments[Experiment.batch] ?? train.batchSize
      train.maxLength = try arguments[Experiment.maxLength] ?? train.maxLength
      train.hardNegatives = try arguments[Experiment.hardNegatives]
      train.seed = seed
      train.learningRate = try arguments[Experiment.learningRate] ?? train.learningRate
      var options = ExperimentWorkflow.LOROOptions(database: database, reviews: reviews, base: base, train: train, scratch: scratch)
      options.folds = try arguments[Experiment.folds]
      if let rankers = try arguments[Experiment.rankers] { options.rankers = rankers }
      let rows = try ExperimentWorkflow.leaveOneReviewOut(options, progress: ProgressBar().handler)
      let table = ExperimentWorkflow.markdown(rows, command: command)
      if let markdown { try OutputFile.write(table, to: markdown) }
      Terminal.out(format == .json ? try Render.jsonLine(rows) : table)
    case "within", "within-worker":
      var options = ExperimentWorkflow.WithinOptions(database: database, reviews: reviews, base: base)
      if let rankers = try arguments[Experiment.rankers] { options.rankers = try rankers.map(ExperimentWorkflow.WithinRanker.init(parsing:)) }
      options.fraction = try arguments[Experiment.fraction]
      options.seeds = try arguments[Experiment.seeds]
      options.seed = seed
      options.embeddingCache = try arguments[Experiment.embeddingCache]
      options.tuning.steps = try arguments[Experiment.steps] ?? options.tuning.steps
      options.tuning.batchSize = try arguments[Experiment.batch] ?? options.tuning.batchSize
      options.tuning.maxLength = try arguments[Experiment.maxLength] ?? options.tuning.maxLength
      options.tuning.freezeLayers = try arguments.ifGiven(Experiment.freezeLayers) ?? options.tuning.freezeLayers
      options.tuning.rank = try arguments.ifGiven(AdapterFlags.rank) ?? options.tuning.rank
      options.tuning.learningRate = try arguments[Experiment.learningRate] ?? options.tuning.learningRate
      if arguments.positionals.first == "within-worker" {
        var rows = try ExperimentWorkflow.within(options, progress: ProgressBar().handler)
        let peak = BenchWorkflow.peakResidentMegabytes()
        for i in rows.indices { rows[i].peakRSSMB = peak }
        Terminal.out(try Render.jsonLine(rows))
        return
      }
      // One process per ranker, so that each ranker's peak memory is its own. A ranker that
      // fails does not cost the others' results: they are written, then the failure is reported.
      var rows: [ExperimentWorkflow.WithinRow] = []
      var failures: [String] = []
      for ranker in options.rankers {
        let child = ["experiment", "within-worker", "--rankers", ranker.description, "--seed", "\(seed)", "--db", database.path,
          "--base", base.path] + arguments.forwarding(Experiment.withinSettings)
        do { rows += try runChild(child, decoding: [ExperimentWorkflow.WithinRow].self) } catch {
          failures.append("\(ranker): \(error)")
          Terminal.err("warning: \(ranker) failed; the other rankers go on")
        }
      }
      let table = ExperimentWorkflow.withinMarkdown(rows, command: command)
      if let markdown { try OutputFile.write(table, to: markdown) }
      Terminal.out(format == .json ? try Render.jsonLine(rows) : table)
      guard failures.isEmpty else { throw WorkflowError.usage("ranker(s) failed: " + failures.joined(separator: "; ")) }
    case "adapter-worker":
      var options = ExperimentWorkflow.AdapterOptions(
        database: database, review: try arguments.required(Experiment.review), base: base,
        adapter: try AdapterFlags.configuration(arguments, seed: seed, freezeLayers: Experiment.freezeLayers))
      options.steps = try Experiment.stepBudget(arguments, default: options.steps)
      options.batchSize = try arguments[Experiment.batch] ?? options.batchSize
      options.maxLength = try arguments[Experiment.maxLength] ?? options.maxLength
      options.seed = seed
      options.learningRate = try arguments[Experiment.learningRate] ?? options.learningRate
      Terminal.out(try Render.jsonLine(try ExperimentWorkflow.adapter(options)))
    case "adapters":
      let review = try arguments.required(Experiment.review)
      let methods = try (try arguments[Experiment.methods] ?? AdapterMethod.allCases.map(\.rawValue)).map { name in
        guard AdapterMethod(rawValue: name) != nil else { throw UsageError("unknown adapter '\(name)'", command: "csmed experiment") }
        return name
      }
      _ = try Experiment.stepBudget(arguments, default: 1)
      var results: [ExperimentWorkflow.AdapterResult] = []
      let progress = ProgressBar().handler
      progress(.started("adapters on \(review)", total: methods.count))
      for (i, method) in methods.enumerated() {
        let child = ["experiment", "adapter-worker", "--adapter", method, "--review", review, "--seed", "\(seed)",
          "--db", database.path, "--base", base.path]
          + arguments.forwarding([Experiment.steps, Experiment.learningRate, Experiment.batch, Experiment.maxLength])
          + arguments.forwarding(AdapterFlags.settings + AdapterFlags.smtSettings + [Experiment.freezeLayers])
        results.append(try runChild(child, decoding: ExperimentWorkflow.AdapterResult.self))
        progress(.advanced(done: i + 1))
      }
      progress(.finished("adapters"))
      if format == .json {
        Terminal.out(try Render.jsonLine(results))
        return
      }
      let header = ["adapter", "ROC AUC", "WSS@95", "AP", "trainable params", "train s", "peak RSS MB"]
      let rows = results.map {
        [$0.adapter, String(format: "%.3f", $0.auc), String(format: "%.3f", $0.wss95), String(format: "%.3f", $0.averagePrecision),
         String($0.trainableParameters), String(format: "%.0f", $0.trainSeconds), String(format: "%.0f", $0.peakRSSMB)]
      }
      let first = results.first
      var text = "\(review): train on \(first?.trainCandidates ?? 0) candidates, rank \(first?.testCandidates ?? 0) held out\n"
      text += Render.table(header, rows)
      if let markdown {
        var md = "Command: `\(command)`\n\n| " + header.joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: header.count) + "\n"
        for r in rows { md += "| " + r.joined(separator: " | ") + " |\n" }
        try OutputFile.write(md, to: markdown)
      }
      Terminal.out(text)
    default:
      throw UsageError("unknown experiment '\(arguments.positionals.first ?? "")' (known: within, loro, adapters)", command: "csmed experiment")
    }
  })

/// Runs this executable with `arguments` and decodes its standard output.
func runChild<T: Decodable>(_ arguments: [String], decoding: T.Type) throws -> T {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath()
  if !FileManager.default.isExecutableFile(atPath: process.executableURL?.path ?? "") {
    process.executableURL = Bundle.main.executableURL
  }
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw WorkflowError.usage("`csmed \(arguments.prefix(2).joined(separator: " "))` for \(arguments.dropFirst(2).prefix(2).joined(separator: " ")) failed (exit \(process.terminationStatus))")
  }
  do { return try JSONDecoder().decode(T.self, from: data) } catch {
    throw WorkflowError.io(path: "child output", reason: "not the expected JSON: \(error)")
  }
}
