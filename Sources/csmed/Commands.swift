import CLIKit
import Corpus
import Foundation
import Tensor
import Store
import Workflows

/// A csmed subcommand: its declaration and what it does with the parsed arguments.
struct Command: Sendable {
  var spec: CommandSpec
  var run: @Sendable (ParsedArguments) throws -> Void
}

/// Paths shared by commands: the database and the project folders.
enum Defaults {
  static let database = "data/csmed.sqlite"
  static let databaseOption = OptionSpec("db", value: "path", help: "The meta-dataset (default \(database)).")
  static let formatOption = OptionSpec("format", value: "table|json|csv", help: "Output format (default table).")

  static func database(_ arguments: ParsedArguments) -> URL {
    URL(fileURLWithPath: arguments.value("db") ?? database)
  }

  /// The manifests folder: `--manifests`, `$CSMED_MANIFESTS`, `./manifests`, or the one beside the binary's package.
  static func manifests(_ arguments: ParsedArguments) -> URL {
    if let path = arguments.value("manifests") ?? ProcessInfo.processInfo.environment["CSMED_MANIFESTS"] {
      return URL(fileURLWithPath: path)
    }
    var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<5 {
      let manifests = candidate.appendingPathComponent("manifests")
      if FileManager.default.fileExists(atPath: manifests.appendingPathComponent("splits.json").path) { return manifests }
      candidate = candidate.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: "manifests")
  }
}

enum OutputFormat: String, CaseIterable { case table, json, csv }

let commands: [Command] = [buildCommand, statsCommand, searchCommand, suggestCommand, exportCommand, trainCommand, screenCommand, mergeCommand, experimentCommand, evalCommand, simulateCommand, stopCommand, embedCommand, tokenizeCommand, benchCommand, platformCommand, exportAdapterCommand, importAdapterCommand]

// MARK: - build

let buildCommand = Command(
  spec: CommandSpec(
    name: "csmed build", abstract: "Build the CSMeD meta-dataset into one SQLite file.",
    options: [
      OptionSpec("mirror", value: "dir", help: "A local copy laid out like shared/corpora, tried first."),
      Defaults.databaseOption,
      OptionSpec("collections", value: "a,b", help: "Build only these collections (others stay as they are)."),
      OptionSpec("pubmed", value: "file", help: "PubMed XML or MEDLINE files that fill ids-only records.", repeated: true),
      OptionSpec("cache", value: "dir", help: "Download cache (default data/raw)."),
      OptionSpec("manifests", value: "dir", help: "Manifest folder (default manifests/)."),
      OptionSpec("offline", help: "Never download; use only the mirror and the cache."),
    ],
    discussion: "Collections: cohen2006, sas2010, swift, sigir2017, clef_tar2017, clef_tar2018, clef_tar2019,\nsr_updates, hannousse, csmed_ft. The database is replaced atomically when the build succeeds."),
  run: { arguments in
    let options = BuildWorkflow.Options(
      manifests: Defaults.manifests(arguments), mirror: arguments.value("mirror").map { URL(fileURLWithPath: $0) },
      cache: URL(fileURLWithPath: arguments.value("cache") ?? "data/raw"), database: Defaults.database(arguments),
      collections: arguments.list("collections"), pubmedFiles: arguments.values("pubmed").map { URL(fileURLWithPath: $0) },
      allowDownload: !arguments.flag("offline"))
    let report = try BuildWorkflow.run(options, progress: ProgressBar().handler)
    Terminal.out(Render.buildSummary(report))
  })

// MARK: - stats

let statsCommand = Command(
  spec: CommandSpec(
    name: "csmed stats", abstract: "Statistics of the meta-dataset, as CSMeD's table.",
    options: [
      Defaults.databaseOption, OptionSpec("by", value: "collection|review", help: "Group rows (default collection)."),
      Defaults.formatOption,
    ]),
  run: { arguments in
    let grouping = try arguments.choice("by", default: DatasetStore.Grouping.collection)
    let format = try arguments.choice("format", default: OutputFormat.table)
    let rows = try DatasetWorkflows.statistics(database: Defaults.database(arguments), by: grouping)
    Terminal.out(try Render.statistics(rows, format: format))
  })

// MARK: - search

let searchCommand = Command(
  spec: CommandSpec(
    name: "csmed search", abstract: "Full-text search over titles and abstracts (FTS5, bm25 ranking).",
    options: [
      Defaults.databaseOption, OptionSpec("review", value: "id", help: "Only this review's candidates."),
      OptionSpec("limit", value: "n", help: "Number of hits (default 10)."), Defaults.formatOption,
    ],
    positionals: [PositionalSpec("query", help: "FTS5 query, e.g. 'statin* AND myopathy' or '\"heart failure\"'.")]),
  run: { arguments in
    let hits = try DatasetWorkflows.search(
      database: Defaults.database(arguments), query: arguments.positionals[0], review: arguments.value("review"),
      limit: try arguments.int("limit", default: 10, in: 1...10_000))
    Terminal.out(try Render.searchHits(hits, format: try arguments.choice("format", default: OutputFormat.table)))
  })

// MARK: - suggest

let suggestCommand = Command(
  spec: CommandSpec(
    name: "csmed suggest", abstract: "Query auto-complete from the indexed vocabulary, review titles and collections.",
    options: [Defaults.databaseOption, OptionSpec("limit", value: "n", help: "Number of suggestions (default 10).")],
    positionals: [PositionalSpec("prefix", help: "The start of a word.")]),
  run: { arguments in
    let suggestions = try DatasetWorkflows.suggest(
      database: Defaults.database(arguments), prefix: arguments.positionals[0],
      limit: try arguments.int("limit", default: 10, in: 1...1_000))
    Terminal.out(suggestions.map { $0 + "\n" }.joined())
  })

// MARK: - export

let exportCommand = Command(
  spec: CommandSpec(
    name: "csmed export", abstract: "Export a review's candidate list with its labels.",
    options: [
      Defaults.databaseOption,
      OptionSpec("review", value: "id", help: "Review: numeric id, collection/id, or a unique source or Cochrane id."),
      OptionSpec("stage", value: "ta|ft", help: "Which stage's label to export (default ta)."),
      OptionSpec("format", value: "csv|ris|jsonl|qrels", help: "Output format (default csv)."),
      OptionSpec("output", value: "file", help: "Write here instead of stdout (atomically).", short: "o"),
    ]),
  run: { arguments in
    let text = try DatasetWorkflows.export(
      database: Defaults.database(arguments), review: try arguments.require("review"),
      stage: try arguments.choice("stage", default: Stage.titleAbstract),
      format: try arguments.choice("format", default: DatasetWorkflows.ExportFormat.csv))
    if let output = arguments.value("output") {
      try OutputFile.write(text, to: URL(fileURLWithPath: output))
    } else {
      Terminal.out(text)
    }
  })

/// Writes command output files atomically (temporary file, then rename).
enum OutputFile {
  /// Streams output that may be large to `url` (atomically: a temporary file beside it, renamed
  /// when `body` succeeded, removed when it failed) or, without a `url`, to stdout; pieces are
  /// buffered to 1 MiB writes.
  static func stream(to url: URL?, _ body: (_ sink: (String) throws -> Void) throws -> Void) throws {
    let temporary = url.map { $0.deletingLastPathComponent().appendingPathComponent(".\($0.lastPathComponent).\(UUID().uuidString).partial") }
    let handle: FileHandle
    if let temporary {
      guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let h = try? FileHandle(forWritingTo: temporary) else {
        throw WorkflowError.io(path: url?.path ?? temporary.path, reason: "cannot write: cannot create \(temporary.lastPathComponent) beside it")
      }
      handle = h
    } else {
      handle = FileHandle.standardOutput
    }
    var buffer = Data()
    func flush() throws {
      do { try handle.write(contentsOf: buffer) } catch {
        throw WorkflowError.io(path: url?.path ?? "stdout", reason: "cannot write: \(error.localizedDescription)")
      }
      buffer.removeAll(keepingCapacity: true)
    }
    do {
      try body { piece in
        buffer.append(contentsOf: piece.utf8)
        if buffer.count >= 1 << 20 { try flush() }
      }
      try flush()
      if let temporary, let url {
        try? handle.close()
        // rename(2) replaces the target in one step, so a reader never sees half a file.
        guard rename(temporary.path, url.path) == 0 else {
          throw WorkflowError.io(path: url.path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
      }
    } catch {
      if let temporary {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
      }
      throw error
    }
  }

  static func write(_ text: String, to url: URL) throws {
    do {
      try Data(text.utf8).write(to: url, options: .atomic)
    } catch {
      throw WorkflowError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
    }
  }
}

// MARK: - platform

let platformCommand = Command(
  spec: CommandSpec(
    name: "csmed platform", abstract: "The CPU and kernels that decide the last bits of every score.",
    options: [OptionSpec("variants", help: "Print only the CKernels variants this CPU runs, narrowest first.")],
    discussion: """
      Scores agree bit for bit between runs with the same CPU kernels (CKernels variant and OpenBLAS core) and
      the same batching; sharded screens are batched like whole ones. CSMED_KERNELS=baseline|avx2|avx512 forces a
      narrower CKernels variant than the widest this CPU runs (scripts/test.sh runs the suite under each).
      """),
  run: { arguments in
    let platform = ComputePlatform.current
    if arguments.flag("variants") {
      Terminal.out(ComputePlatform.kernelVariants.joined(separator: " ") + "\n")
      return
    }
    Terminal.out("""
      cpu: \(platform.cpu)
      ckernels: \(platform.kernels) (this CPU runs: \(ComputePlatform.kernelVariants.joined(separator: ", ")))
      openblas: core \(platform.openBLASCore) (\(BLASThreads.configuration))

      """)
  })
