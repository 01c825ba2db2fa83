import CLIKit
import Corpus
import Encoder
import Foundation
import Store
import Tensor
import Workflows

/// A csmed subcommand: its declaration and what it does with the parsed arguments.
struct Command: Sendable {
  var spec: CommandSpec
  var run: @Sendable (ParsedArguments) throws -> Void
}

/// Options that several commands take: declared once here, so each is spelt one way everywhere.
enum Shared {
  static let database = Option(path: "db", value: "path", help: "The meta-dataset.", default: "data/csmed.sqlite")
  static let base = Option(path: "base", value: "dir", help: "The encoder.", default: "data/models/all-MiniLM-L6-v2")
  static let tableFormat = Option("format", help: "Output format.", default: TableFormat.table)

  static func review(help: String = "A review of the meta-dataset.") -> Option<String?> {
    Option("review", value: "id", help: help)
  }

  static func input(help: String = "Or a search export: RIS, CSV, PubMed XML, MEDLINE, BibTeX.") -> Option<URL?> {
    Option(path: "input", value: "file", help: help)
  }

  static func reviewTitle(help: String = "The review's title (the query), for --input.") -> Option<String?> {
    Option("review-title", value: "text", help: help)
  }

  static func criteria(help: String = "Eligibility criteria added to the query, for --input.") -> Option<URL?> {
    Option(path: "criteria", value: "file", help: help)
  }

  static func embeddingCache(
    help: String = "Keep sentence embeddings here between runs (embed-lr, tfidf-embed-lr, zero-shot)."
  ) -> Option<URL?> {
    Option(path: "embedding-cache", value: "dir", help: help)
  }

  /// `-o`/`--output` (`--out` is an older spelling, still accepted).
  static func output(_ placeholder: String = "file", help: String) -> Option<URL?> {
    Option(path: "output", short: "o", aliases: ["out"], value: placeholder, help: help)
  }

  /// `--precision`: the encoder's inference arithmetic (int8: the linear maps' GEMMs in int8).
  static let precision = Option(
    "precision", help: "Encoder inference: fp32, or int8 (linear maps in int8 with int32 accumulation; the rest fp32).",
    default: Precision.fp32)

  static func stage(help: String) -> Option<Stage> { Option("stage", help: help, default: Stage.titleAbstract) }

  static func maxLength(help: String, default fallback: Int) -> Option<Int> {
    Option("max-len", value: "n", help: help, default: fallback, in: 8...512)
  }

  static func maxLength(help: String, in range: ClosedRange<Int>) -> Option<Int?> {
    Option("max-len", value: "n", help: help, in: range)
  }

  static func seed(help: String, default fallback: UInt64) -> Option<UInt64> {
    Option("seed", value: "s", help: help, default: fallback, in: 0...UInt64.max)
  }

  static func targetRecall(help: String, default fallback: Double) -> Option<Double> {
    Option("target-recall", value: "r", help: help, default: fallback, in: .lowerOpen(0, 1))
  }

  static func targetRecall(help: String) -> Option<Double?> {
    Option("target-recall", value: "r", help: help, in: .lowerOpen(0, 1))
  }

  /// `--rules`: the stopping rules of `stop` and `simulate`.
  static func rules(help: String) -> Option<String?> { Option("rules", value: "list", help: help) }

  static func rules(help: String, default fallback: String) -> Option<String> {
    Option("rules", value: "list", help: help, default: fallback)
  }
}

enum OutputFormat: String, CaseIterable { case table, json, csv }

/// `--format` of the commands that print a table or its JSON.
enum TableFormat: String, CaseIterable { case table, json }

/// Every command, in the order the overview lists them.
let commands: [Command] = [buildCommand, statsCommand, searchCommand, suggestCommand, exportCommand, trainCommand, screenCommand, mergeCommand, experimentCommand, evalCommand, simulateCommand, stopCommand, embedCommand, tokenizeCommand, benchCommand, platformCommand, exportAdapterCommand, importAdapterCommand]

/// What `csmed`, `csmed --help` and an unknown command print.
private let commandColumn = (commands.map { $0.spec.name.count - "csmed ".count }.max() ?? 8) + 2

let overview = """
  csmed \(CSMeDVersion.current): citation screening for systematic reviews.

  usage: csmed <command> [options]     (csmed <command> --help for details)

  COMMANDS:
  \(commands.map { "  " + $0.spec.name.replacingOccurrences(of: "csmed ", with: "").padding(toLength: commandColumn, withPad: " ", startingAt: 0) + $0.spec.abstract }.joined(separator: "\n"))

  """

// MARK: - build

private enum Build {
  static let mirror = Option<URL?>(path: "mirror", value: "dir", help: "A local copy laid out like shared/corpora, tried first.")
  static let collections = Option(list: "collections", value: "a,b", help: "Build only these collections (others stay as they are).")
  static let pubmed = Option(repeated: "pubmed", value: "file", help: "PubMed XML or MEDLINE files that fill ids-only records.")
  static let cache = Option(path: "cache", value: "dir", help: "Download cache.", default: "data/raw")
  static let offline = Flag("offline", help: "Never download; use only the mirror and the cache.")
  static let manifests = Option<String?>(
    "manifests", value: "dir",
    help: "Manifest folder (default $CSMED_MANIFESTS, else the one in the binary's package, else ./manifests).")

  /// The manifests folder: `--manifests`, `$CSMED_MANIFESTS`, the one beside the binary's package, or `./manifests`.
  static func manifestsFolder(_ arguments: ParsedArguments) throws -> URL {
    if let path = try arguments[manifests] ?? ProcessInfo.processInfo.environment["CSMED_MANIFESTS"] {
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

let buildCommand = Command(
  spec: CommandSpec(
    name: "csmed build", abstract: "Build the CSMeD meta-dataset into one SQLite file.",
    options: [Build.mirror, Shared.database, Build.collections, Build.pubmed, Build.cache, Build.manifests, Build.offline],
    discussion: "Collections: cohen2006, sas2010, swift, sigir2017, clef_tar2017, clef_tar2018, clef_tar2019,\nsr_updates, hannousse, csmed_ft. The database is replaced atomically when the build succeeds."),
  run: { arguments in
    let options = BuildWorkflow.Options(
      manifests: try Build.manifestsFolder(arguments), mirror: try arguments[Build.mirror], cache: try arguments[Build.cache],
      database: try arguments[Shared.database], collections: try arguments[Build.collections],
      pubmedFiles: try arguments[Build.pubmed].map { URL(fileURLWithPath: $0) }, allowDownload: !arguments[Build.offline])
    let report = try BuildWorkflow.run(options, progress: ProgressBar().handler)
    Terminal.out(Render.buildSummary(report))
  })

// MARK: - stats

private enum Stats {
  static let by = Option("by", help: "Group rows.", default: DatasetStore.Grouping.collection)
  static let format = Option("format", help: "Output format.", default: OutputFormat.table)
}

let statsCommand = Command(
  spec: CommandSpec(
    name: "csmed stats", abstract: "Statistics of the meta-dataset, as CSMeD's table.",
    options: [Shared.database, Stats.by, Stats.format]),
  run: { arguments in
    let rows = try DatasetWorkflows.statistics(database: try arguments[Shared.database], by: try arguments[Stats.by])
    Terminal.out(try Render.statistics(rows, format: try arguments[Stats.format]))
  })

// MARK: - search

private enum Search {
  static let review = Shared.review(help: "Only this review's candidates.")
  static let limit = Option("limit", value: "n", help: "Number of hits.", default: 10, in: 1...10_000)
}

let searchCommand = Command(
  spec: CommandSpec(
    name: "csmed search", abstract: "Full-text search over titles and abstracts (FTS5, bm25 ranking).",
    options: [Shared.database, Search.review, Search.limit, Stats.format],
    positionals: [PositionalSpec("query", help: "FTS5 query, e.g. 'statin* AND myopathy' or '\"heart failure\"'.")]),
  run: { arguments in
    let hits = try DatasetWorkflows.search(
      database: try arguments[Shared.database], query: arguments.positionals[0], review: try arguments[Search.review],
      limit: try arguments[Search.limit])
    Terminal.out(try Render.searchHits(hits, format: try arguments[Stats.format]))
  })

// MARK: - suggest

private enum Suggest {
  static let limit = Option("limit", value: "n", help: "Number of suggestions.", default: 10, in: 1...1_000)
}

let suggestCommand = Command(
  spec: CommandSpec(
    name: "csmed suggest", abstract: "Query auto-complete from the indexed vocabulary, review titles and collections.",
    options: [Shared.database, Suggest.limit],
    positionals: [PositionalSpec("prefix", help: "The start of a word.")]),
  run: { arguments in
    let suggestions = try DatasetWorkflows.suggest(
      database: try arguments[Shared.database], prefix: arguments.positionals[0], limit: try arguments[Suggest.limit])
    Terminal.out(suggestions.map { $0 + "\n" }.joined())
  })

// MARK: - export

private enum Export {
  static let review = Shared.review(help: "Review: numeric id, collection/id, or a unique source or Cochrane id.")
  static let stage = Shared.stage(help: "Which stage's label to export.")
  static let format = Option("format", help: "Output format.", default: DatasetWorkflows.ExportFormat.csv)
  static let output = Shared.output(help: "Write here instead of stdout (atomically).")
}

let exportCommand = Command(
  spec: CommandSpec(
    name: "csmed export", abstract: "Export a review's candidate list with its labels.",
    options: [Shared.database, Export.review, Export.stage, Export.format, Export.output]),
  run: { arguments in
    let text = try DatasetWorkflows.export(
      database: try arguments[Shared.database], review: try arguments.required(Export.review),
      stage: try arguments[Export.stage], format: try arguments[Export.format])
    try OutputFile.writeOrPrint(text, to: try arguments[Export.output])
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

  /// Writes `text` to `url` (atomically), or to stdout without one.
  static func writeOrPrint(_ text: String, to url: URL?) throws {
    if let url { try write(text, to: url) } else { Terminal.out(text) }
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

private enum Platform {
  static let variants = Flag("variants", help: "Print only the CKernels variants this CPU runs, narrowest first.")
}

let platformCommand = Command(
  spec: CommandSpec(
    name: "csmed platform", abstract: "The CPU and kernels that decide the last bits of every score.",
    options: [Platform.variants],
    discussion: """
      Scores agree bit for bit between runs with the same CPU kernels (CKernels variant and OpenBLAS core) and
      the same batching; sharded screens are batched like whole ones. CSMED_KERNELS=baseline|avx2|avx512 forces a
      narrower CKernels variant than the widest this CPU runs (scripts/test.sh runs the suite under each).
      """),
  run: { arguments in
    let platform = ComputePlatform.current
    if arguments[Platform.variants] {
      Terminal.out(ComputePlatform.kernelVariants.joined(separator: " ") + "\n")
      return
    }
    Terminal.out("""
      cpu: \(platform.cpu)
      ckernels: \(platform.kernels) (this CPU runs: \(ComputePlatform.kernelVariants.joined(separator: ", ")))
      openblas: core \(platform.openBLASCore) (\(BLASThreads.configuration))

      """)
  })
