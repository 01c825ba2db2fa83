import Foundation
import Testing
import TestSupport

/// Runs the built `csmed` binary: argv wiring, exit codes, stdout/stderr, interruption.
@Suite(.serialized) struct CLITests {
  static func binary() -> URL? {
    let root = TestSupport.repositoryRoot()
    let candidates = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("csmed"),
      root.appendingPathComponent(".build/debug/csmed"), root.appendingPathComponent(".build/release/csmed"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = try #require(binary())
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.currentDirectoryURL = directory ?? TestSupport.repositoryRoot()
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
  }

  @Test("help for every command, usage errors exit 64", .enabled(if: binary() != nil, "csmed binary not built"))
  func help() throws {
    let overview = try Self.run(["--help"])
    #expect(overview.status == 0 && overview.stdout.contains("COMMANDS:"))
    for command in ["build", "stats", "search", "suggest", "export", "screen", "eval", "simulate", "stop", "embed", "tokenize", "platform"] {
      let result = try Self.run([command, "--help"])
      #expect(result.status == 0 && result.stdout.contains("usage: csmed \(command)"), "\(command)")
    }
    let unknown = try Self.run(["frobnicate"])
    #expect(unknown.status == 64 && unknown.stderr.contains("unknown command 'frobnicate'"))
    let badOption = try Self.run(["stats", "--by", "planet"])
    #expect(badOption.status == 64 && badOption.stderr.contains("--by expects one of collection, review"))
    for model in ["bi-encoder+nope", "tfidf-nb+lora", "transformer"] {
      let badModel = try Self.run(["simulate", "--input", "x.csv", "--model", model])
      #expect(badModel.status == 64 && badModel.stderr.contains("--model"), "\(model): \(badModel)")
    }
  }

  @Test("bench simulate: each model's whole process and loop, beside asreview's time and the ratio; a failing asreview or an unknown model is refused",
    .enabled(if: binary() != nil, "csmed binary not built"))
  func benchSimulate() throws {
    let folder = try TestSupport.temporaryDirectory("bench-simulate")
    var rows = ["record_id,title,abstract,label_included"]
    for i in 0..<24 {
      let relevant = i % 6 == 2
      rows.append("\(i),\(relevant ? "statin therapy and muscle pain" : "surgery outcome in children") \(i),"
        + "\(relevant ? "myopathy during statin use" : "a cohort of patients after surgery"),\(relevant ? 1 : 0)")
    }
    let input = try TestSupport.write(rows.joined(separator: "\n") + "\n", to: "review.csv", in: folder)
    // A stand-in for asreview that checks it was called as `asreview simulate FILE --ai elas_u4 -o PROJECT`.
    let fake = try TestSupport.write(
      "#!/bin/sh\n[ \"$1\" = simulate ] && [ \"$3\" = --ai ] && [ \"$5\" = -o ] && sleep 0.2 && touch \"$6\"\n", to: "asreview", in: folder)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
    struct Row: Decodable {
      struct Figure: Decodable {
        var model: String
        var loop_s: Double
        var model_queries: Int
        var screened: Int
        var wss_95: Double
      }
      var figure: Figure
      var wholeSeconds: Double
      var allWholeSeconds: [Double]
      var asreviewSeconds: [String: Double]
    }
    let result = try Self.run([
      "bench", "simulate", "--input", input.path, "--models", "tfidf-nb,tfidf-svm", "--runs", "2", "--asreview", fake.path,
      "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let decoded = try JSONDecoder().decode([Row].self, from: Data(result.stdout.utf8))
    #expect(decoded.map(\.figure.model) == ["tfidf-nb", "tfidf-svm"])
    for row in decoded {
      #expect(row.allWholeSeconds.count == 2 && row.wholeSeconds > row.figure.loop_s && row.figure.loop_s > 0)
      #expect(row.figure.model_queries > 0 && row.figure.screened <= 24 && row.figure.wss_95.isFinite)
      #expect((row.asreviewSeconds["elas_u4"] ?? 0) >= 0.2)
    }
    #expect(decoded[0].asreviewSeconds["elas_u3"] != nil && decoded[1].asreviewSeconds["elas_u3"] == nil)

    let failing = try TestSupport.write("#!/bin/sh\nexit 3\n", to: "broken-asreview", in: folder)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: failing.path)
    let broken = try Self.run(["bench", "simulate", "--input", input.path, "--models", "tfidf-nb", "--runs", "1", "--asreview", failing.path])
    #expect(broken.status == 74 && broken.stderr.contains("exited with 3"), "\(broken)")
    let unknown = try Self.run(["bench", "simulate", "--input", input.path, "--models", "bi-encoder"])
    #expect(unknown.status == 64 && unknown.stderr.contains("--models"), "\(unknown)")
  }

  @Test("train --input and screen --labels: what goes together, or exit 64 naming it", .enabled(if: binary() != nil, "csmed binary not built"))
  func trainInputUsage() throws {
    let cases: [([String], String)] = [
      (["train", "--input", "x.csv", "--train", "split:a", "--review-title", "T", "--out", "o"], "not both"),
      (["train", "--train", "split:a", "--review-title", "T", "--out", "o"], "--review-title goes with --input"),
      (["train", "--input", "x.csv", "--review-title", "T", "--valid-fraction", "1.5", "--out", "o"], "--valid-fraction expects a share in [0, 1)"),
      (["train", "--input", "x.csv", "--out", "o"], "--review-title"),
      (["screen", "--zero-shot", "bm25", "--input", "x.csv", "--review-title", "T", "--labels", "l.csv"], "give --html PAGE too"),
    ]
    for (arguments, words) in cases {
      let result = try Self.run(arguments)
      #expect(result.status == 64 && result.stderr.contains(words), "\(arguments): \(result)")
    }
  }

  @Test("platform names the CPU and kernels; CSMED_KERNELS selects a variant, or warns about one the CPU lacks",
        .enabled(if: binary() != nil, "csmed binary not built"))
  func platform() throws {
    let plain = try Self.run(["platform"])
    #expect(plain.status == 0 && plain.stdout.contains("cpu: ") && plain.stdout.contains("ckernels: ") && plain.stdout.contains("openblas: core "), "\(plain)")
    let variants = try Self.run(["platform", "--variants"]).stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    #expect(variants.first == "baseline" && variants.allSatisfy { ["baseline", "avx2", "avx512"].contains($0) }, "\(variants)")
    let forced = try Self.run(["platform"], environment: ["CSMED_KERNELS": "baseline"])
    #expect(forced.stdout.contains("ckernels: baseline ") && forced.stderr.isEmpty, "\(forced)")
    let unknown = try Self.run(["platform"], environment: ["CSMED_KERNELS": "neon"])
    #expect(unknown.status == 0 && unknown.stderr.contains("warning: CSMED_KERNELS=neon is not a kernel variant this CPU runs"), "\(unknown)")
    #expect(unknown.stdout.contains("ckernels: \(variants.last ?? "?") "), "\(unknown)")
  }

  @Test("csmed-fuzz (the normal build replays) runs every target over its seed corpus without a broken promise",
        .enabled(if: binary() != nil, "csmed binary not built"))
  func fuzzSeeds() throws {
    let fuzz = try #require(Self.binary()).deletingLastPathComponent().appendingPathComponent("csmed-fuzz")
    try #require(FileManager.default.isExecutableFile(atPath: fuzz.path), "csmed-fuzz not built")
    let seeds = TestSupport.repositoryRoot().appendingPathComponent("fuzz/seeds")
    let list = Process()
    list.executableURL = fuzz
    list.arguments = ["--list"]
    let pipe = Pipe()
    list.standardOutput = pipe
    try list.run()
    let targets = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      .split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    list.waitUntilExit()
    #expect(targets.count >= 15, "\(targets)")
    for target in targets {
      let folder = seeds.appendingPathComponent(target)
      #expect(FileManager.default.fileExists(atPath: folder.path), "no seeds for \(target)")
      let replay = Process()
      replay.executableURL = fuzz
      replay.arguments = [target, folder.path]
      replay.standardOutput = FileHandle.nullDevice
      try replay.run()
      replay.waitUntilExit()
      #expect(replay.terminationStatus == 0, "\(target): status \(replay.terminationStatus)")
    }
  }

  @Test("exit codes: missing database 66, unknown collection 64, bad data 65, unwritable target 74",
        .enabled(if: binary() != nil, "csmed binary not built"))
  func exitCodes() throws {
    let folder = try TestSupport.temporaryDirectory()
    let missing = try Self.run(["stats", "--db", folder.appendingPathComponent("none.sqlite").path])
    #expect(missing.status == 66 && missing.stderr.contains("none.sqlite"))
    let unknown = try Self.run(["build", "--collections", "nope", "--offline", "--db", folder.appendingPathComponent("a.sqlite").path])
    #expect(unknown.status == 64 && unknown.stderr.contains("unknown collection 'nope'"))
    let notDB = try TestSupport.write("not sqlite", to: "x.sqlite", in: folder)
    let bad = try Self.run(["stats", "--db", notDB.path])
    #expect(bad.status == 65 || bad.status == 74, "\(bad)")
    let run = try TestSupport.write("T Q0 d1 1 x\n", to: "bad.trec", in: folder)
    let qrels = try TestSupport.write("T 0 d1 1\n", to: "q", in: folder)
    let badRun = try Self.run(["eval", "--run", run.path, "--qrels", qrels.path])
    #expect(badRun.status == 65 && badRun.stderr.contains("bad.trec:1"), "\(badRun)")
    let noRun = try Self.run(["eval", "--run", folder.appendingPathComponent("none.csv").path, "--qrels", qrels.path])
    #expect(noRun.status == 66, "\(noRun)")
    let labels = try TestSupport.write("order,document_id,label\n1,a,1\n3,b,0\n", to: "labels.csv", in: folder)
    let gap = try Self.run(["stop", "--labels", labels.path])
    #expect(gap.status == 65 && gap.stderr.contains("labels.csv"), "\(gap)")
    let badRule = try Self.run(["stop", "--labels", labels.path, "--rules", "magic"])
    #expect(badRule.status == 64 || badRule.status == 65, "\(badRule)")
    let noModel = try Self.run(["embed", "--base", folder.appendingPathComponent("nomodel").path, "hello"])
    #expect(noModel.status == 66 && noModel.stderr.contains("nomodel"), "\(noModel)")
    let fixture = try FixtureFiles.mirror(in: folder)
    let unwritable = try Self.run(["build", "--mirror", fixture.mirror.path, "--manifests", fixture.manifests.path, "--offline", "--db", "/proc/csmed/x.sqlite"])
    #expect(unwritable.status == 74 && unwritable.stderr.contains("/proc/csmed"), "\(unwritable)")
  }

  @Test("a build killed with SIGKILL or SIGINT leaves the previous database intact",
        .enabled(if: binary() != nil && TestSupport.corpora() != nil, "needs the binary and shared/corpora"))
  func interrupted() throws {
    let folder = try TestSupport.temporaryDirectory()
    let database = folder.appendingPathComponent("csmed.sqlite")
    let fixture = try FixtureFiles.mirror(in: folder)
    let first = try Self.run(["build", "--mirror", fixture.mirror.path, "--manifests", fixture.manifests.path, "--offline", "--db", database.path])
    #expect(first.status == 0, "\(first.stderr)")
    let before = try Data(contentsOf: database)
    for signal in [SIGKILL, SIGINT] {
      let process = Process()
      process.executableURL = try #require(Self.binary())
      process.arguments = ["build", "--mirror", try #require(TestSupport.corpora()).path, "--offline", "--db", database.path]
      process.currentDirectoryURL = TestSupport.repositoryRoot()
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      Thread.sleep(forTimeInterval: 0.8)
      kill(process.processIdentifier, signal)
      process.waitUntilExit()
      #expect(process.terminationStatus != 0)
      #expect(try Data(contentsOf: database) == before, "signal \(signal)")
    }
    // The next build cleans up what the killed one left behind.
    let again = try Self.run(["build", "--mirror", fixture.mirror.path, "--manifests", fixture.manifests.path, "--offline", "--db", database.path])
    #expect(again.status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("building") }.isEmpty)
  }
}

/// A one-collection mirror for CLI runs.
enum FixtureFiles {
  static func mirror(in folder: URL) throws -> (mirror: URL, manifests: URL) {
    let mirror = folder.appendingPathComponent("mirror"), manifests = folder.appendingPathComponent("manifests")
    let csv = try TestSupport.write("record_id,title,abstract,label_included,label_abstract_screening\n1,T,A,1,1\n", to: "cohen2006/ADHD.csv", in: mirror)
    let sha = try sha256(csv)
    try TestSupport.write("""
      {"id": "cohen2006", "name": "Cohen", "citation": "c", "license": "l", "domain": "d", "homepage": "h",
       "known_reviews": ["ADHD"], "labels": {"ta": {"0": 0, "1": 1}},
       "sources": [{"id": "ADHD", "review": "ADHD", "reader": "csv", "path": "cohen2006/ADHD.csv", "url": "u", "kind": "file", "sha256": "\(sha)"}]}
      """, to: "cohen2006.json", in: manifests)
    return (mirror, manifests)
  }

  static func sha256(_ url: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [url.path]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
  }
}
