import Adapters
import CLIKit
import Corpus
import Foundation
import Workflows

let experimentCommand = Command(
  spec: CommandSpec(
    name: "csmed experiment", abstract: "Within-review and leave-one-review-out comparisons of rankers, or every adapter on one review.",
    options: [
      Defaults.databaseOption, Defaults.baseOption,
      OptionSpec("reviews", value: "spec", help: "within, loro: the reviews (default: the texted ones, cohen2006, sas2010, clef_tar2017, hannousse)."),
      OptionSpec(
        "rankers", value: "list",
        help: "within: zero-shot,bm25,tfidf-lr,tfidf-svm,tfidf-nb,embed-lr,tfidf-embed-lr,bi-encoder+A,setfit+A,cross-encoder+A (A an adapter; default \(ExperimentWorkflow.WithinRanker.defaults.map(\.description).joined(separator: ","))). loro: bm25,embed,tfidf-lr,tfidf-svm,embed-lr,tfidf-embed-lr,bi-encoder,cross-encoder (default bm25,embed,tfidf-lr,bi-encoder)."),
      OptionSpec("fraction", value: "f", help: "within: the share of each class's labelled records that trains (default 0.25)."),
      OptionSpec("seeds", value: "k", help: "within: samples drawn with seeds s, s+1, ... (default 3)."),
      OptionSpec("embedding-cache", value: "dir", help: "within: keep frozen sentence embeddings here (shared with simulate)."),
      OptionSpec("review", value: "id", help: "adapters: the review whose candidates are split in two."),
      OptionSpec("adapters", value: "list", help: "adapters: the methods (default all ten)."),
      OptionSpec("steps", value: "n", help: "Optimizer steps per training (within default 100, loro 30, adapters 60)."),
      OptionSpec("lr", value: "rate", help: "Learning rate (default per method)."),
      OptionSpec("batch", value: "n", help: "Batch size (default 16 adapters, 8 loro and within)."),
      OptionSpec("max-len", value: "n", help: "Tokens per candidate (default 128)."),
      OptionSpec("hard-negatives", value: "n", help: "loro bi-encoder: hard negatives per query (default 1)."),
      OptionSpec("seed", value: "s", help: "Seed (default 42)."),
      OptionSpec("markdown", value: "file", help: "Also write the table as Markdown to this file."),
      OptionSpec("format", value: "table|json", help: "Output format (default table)."),
    ] + AdapterFlags.options,
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
      """),
  run: { arguments in
    let command = "csmed " + CommandLine.arguments.dropFirst().joined(separator: " ")
    let seed = UInt64(try arguments.int("seed", default: 42, in: 0...Int.max))
    switch arguments.positionals.first {
    case "loro":
      let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("csmed-loro-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: scratch) }
      var train = TrainWorkflow.Options(
        database: Defaults.database(arguments), train: try ReviewSelection(parsing: "review:0"), base: Defaults.base(arguments),
        output: scratch)
      train.adapter = try AdapterFlags.configuration(arguments, command: "csmed experiment", seed: seed)
      train.maxSteps = try arguments.int("steps", default: 30, in: 1...1_000_000)
      train.epochs = 1_000
      train.batchSize = try arguments.int("batch", default: 8, in: 1...4096)
      train.maxLength = try arguments.int("max-len", default: 128, in: 8...512)
      train.hardNegatives = try arguments.int("hard-negatives", default: 1, in: 0...64)
      train.seed = seed
      if let lr = arguments.value("lr") {
        guard let v = Double(lr), v > 0 else { throw UsageError("--lr expects a positive number", command: "csmed experiment") }
        train.learningRate = v
      }
      var options = ExperimentWorkflow.LOROOptions(
        database: Defaults.database(arguments),
        reviews: try ReviewSelection(
          parsing: arguments.value("reviews") ?? "collection:cohen2006,collection:sas2010,collection:clef_tar2017,collection:hannousse"),
        base: Defaults.base(arguments), train: train, scratch: scratch)
      if let rankers = arguments.list("rankers") { options.rankers = rankers }
      let rows = try ExperimentWorkflow.leaveOneReviewOut(options, progress: ProgressBar().handler)
      let table = ExperimentWorkflow.markdown(rows, command: command)
      if let path = arguments.value("markdown") { try OutputFile.write(table, to: URL(fileURLWithPath: path)) }
      if arguments.value("format") == "json" {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Terminal.out(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
      } else {
        Terminal.out(table)
      }
    case "within", "within-worker":
      var options = ExperimentWorkflow.WithinOptions(
        database: Defaults.database(arguments),
        reviews: try ReviewSelection(
          parsing: arguments.value("reviews") ?? "collection:cohen2006,collection:sas2010,collection:clef_tar2017,collection:hannousse"),
        base: Defaults.base(arguments))
      if let rankers = arguments.list("rankers") { options.rankers = try rankers.map(ExperimentWorkflow.WithinRanker.init(parsing:)) }
      options.fraction = try arguments.double("fraction", default: 0.25, in: 0...1)
      options.seeds = try arguments.int("seeds", default: 3, in: 1...1000)
      options.seed = seed
      options.embeddingCache = arguments.value("embedding-cache").map { URL(fileURLWithPath: $0) }
      options.tuning.steps = try arguments.int("steps", default: 100, in: 0...1_000_000)
      options.tuning.batchSize = try arguments.int("batch", default: 8, in: 2...4096)
      options.tuning.maxLength = try arguments.int("max-len", default: 128, in: 8...512)
      options.tuning.freezeLayers = try arguments.int("freeze-layers", default: 4, in: 0...64)
      options.tuning.rank = try arguments.int("rank", default: 8, in: 1...4096)
      if arguments.value("lr") != nil { options.tuning.learningRate = try arguments.double("lr", default: 0, in: 1e-12...10) }
      if arguments.positionals.first == "within-worker" {
        var rows = try ExperimentWorkflow.within(options, progress: ProgressBar().handler)
        let peak = BenchWorkflow.peakResidentMegabytes()
        for i in rows.indices { rows[i].peakRSSMB = peak }
        Terminal.out(String(decoding: try JSONEncoder().encode(rows), as: UTF8.self) + "\n")
        return
      }
      // One process per ranker, so that each ranker's peak memory is its own.
      var rows: [ExperimentWorkflow.WithinRow] = []
      for ranker in options.rankers {
        var child = ["experiment", "within-worker", "--rankers", ranker.description, "--seed", "\(seed)",
          "--db", Defaults.database(arguments).path, "--base", Defaults.base(arguments).path]
        for name in ["reviews", "fraction", "seeds", "embedding-cache", "steps", "lr", "batch", "max-len", "freeze-layers", "rank"] {
          if let v = arguments.value(name) { child += ["--\(name)", v] }
        }
        rows += try runChild(child, decoding: [ExperimentWorkflow.WithinRow].self)
      }
      let table = ExperimentWorkflow.withinMarkdown(rows, command: command)
      if let path = arguments.value("markdown") { try OutputFile.write(table, to: URL(fileURLWithPath: path)) }
      if arguments.value("format") == "json" {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Terminal.out(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
      } else {
        Terminal.out(table)
      }
    case "adapter-worker":
      var options = ExperimentWorkflow.AdapterOptions(
        database: Defaults.database(arguments), review: try arguments.require("review"), base: Defaults.base(arguments),
        adapter: try AdapterFlags.configuration(arguments, command: "csmed experiment", seed: seed))
      options.steps = try arguments.int("steps", default: 60, in: 1...1_000_000)
      options.batchSize = try arguments.int("batch", default: 16, in: 2...4096)
      options.maxLength = try arguments.int("max-len", default: 128, in: 8...512)
      options.seed = seed
      if let lr = arguments.value("lr"), let v = Double(lr) { options.learningRate = v }
      let result = try ExperimentWorkflow.adapter(options)
      Terminal.out(String(decoding: try JSONEncoder().encode(result), as: UTF8.self) + "\n")
    case "adapters":
      let review = try arguments.require("review")
      let methods = try (arguments.list("adapters") ?? AdapterMethod.allCases.map(\.rawValue)).map { name in
        guard AdapterMethod(rawValue: name) != nil else { throw UsageError("unknown adapter '\(name)'", command: "csmed experiment") }
        return name
      }
      var results: [ExperimentWorkflow.AdapterResult] = []
      let progress = ProgressBar().handler
      progress(.started("adapters on \(review)", total: methods.count))
      for (i, method) in methods.enumerated() {
        var child = ["experiment", "adapter-worker", "--adapter", method, "--review", review, "--seed", "\(seed)",
          "--db", Defaults.database(arguments).path, "--base", Defaults.base(arguments).path]
        for name in ["steps", "lr", "batch", "max-len"] + AdapterFlags.options.map(\.name) where name != "adapter" {
          if let v = arguments.value(name) { child += ["--\(name)", v] }
        }
        if method == "goat", arguments.value("rank") == nil { child += ["--rank", "8", "--experts", "4"] }
        results.append(try runChild(child, decoding: ExperimentWorkflow.AdapterResult.self))
        progress(.advanced(done: i + 1))
      }
      progress(.finished("adapters"))
      if arguments.value("format") == "json" {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Terminal.out(String(decoding: try encoder.encode(results), as: UTF8.self) + "\n")
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
      if let path = arguments.value("markdown") {
        var md = "Command: `\(command)`\n\n| " + header.joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: header.count) + "\n"
        for r in rows { md += "| " + r.joined(separator: " | ") + " |\n" }
        try OutputFile.write(md, to: URL(fileURLWithPath: path))
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
