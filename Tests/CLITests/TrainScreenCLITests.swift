import Corpus
import Encoder
import Foundation
import Tensor
import Testing
import TestSupport

/// `csmed train` and `csmed screen` on bad input, run through the built binary on a two-review
/// fixture mirror and a tiny random BERT (hidden 16, 2 layers): exit codes, messages, no partial
/// output, kill and resume, sharding.
@Suite(.serialized) struct TrainScreenCLITests {
  static let enabled = CLITests.binary() != nil

  /// Built once for the suite: the database, two tiny models and one trained screener.
  struct Fixture: Sendable {
    var folder: URL
    var database: URL
    var tiny: URL
    var otherTiny: URL
    var screener: URL
    var training: CLITests.Result

    /// `csmed screen` with the trained screener on cohen2006/ADHD; tests add their flags.
    var screenADHD: [String] {
      ["screen", "--model", screener.path, "--base", tiny.path, "--db", database.path, "--review", "cohen2006/ADHD"]
    }
  }

  static let shared: Result<Fixture, any Error> = Result { try makeFixture() }

  static func fixture() throws -> Fixture { try shared.get() }

  static func makeFixture() throws -> Fixture {
    let folder = try TestSupport.temporaryDirectory("TrainScreenCLITests")
    let files = try TrainScreenFixtures.mirror(in: folder)
    let database = folder.appendingPathComponent("csmed.sqlite")
    let build = try CLITests.run([
      "build", "--mirror", files.mirror.path, "--manifests", files.manifests.path, "--offline", "--db", database.path,
    ])
    guard build.status == 0 else { throw FixtureError("csmed build failed (\(build.status)): \(build.stderr)") }
    let tiny = folder.appendingPathComponent("tiny"), other = folder.appendingPathComponent("tiny-other")
    try TinyBert.write(to: tiny, seed: 1)
    try TinyBert.write(to: other, seed: 2)
    let screener = folder.appendingPathComponent("screener")
    let training = try CLITests.run(trainArguments(database: database, base: tiny, out: screener, epochs: 2))
    return Fixture(folder: folder, database: database, tiny: tiny, otherTiny: other, screener: screener, training: training)
  }

  struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  static func trainArguments(database: URL, base: URL, out: URL, epochs: Int, extra: [String] = []) -> [String] {
    [
      "train", "--db", database.path, "--train", "review:cohen2006/ADHD", "--valid", "review:cohen2006/Estrogens",
      "--model", "bi-encoder", "--adapter", "lora", "--base", base.path, "--max-len", "32", "--query-max-len", "16",
      "--batch", "4", "--epochs", String(epochs), "--out", out.path,
    ] + extra
  }

  static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

  static func lines(_ url: URL) throws -> [String] {
    String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map(String.init)
  }

  // MARK: train

  @Test("train writes the screener directory; --plan prints a total", .enabled(if: enabled, "csmed binary not built"))
  func train() throws {
    let f = try Self.fixture()
    #expect(f.training.status == 0, "\(f.training.stderr)")
    #expect(f.training.stdout.contains("screener written to"), "\(f.training.stdout)")
    // A run that keeps the untuned encoder says so in words, and only then.
    #expect(f.training.stdout.contains("kept epoch 0") == f.training.stdout.contains("no epoch beat the untuned encoder"))
    for name in ["screener.json", "adapter_model.safetensors", "validation.json", "train-log.jsonl", "state/trainer-state.json"] {
      #expect(Self.exists(f.screener.appendingPathComponent(name)), "\(name) missing")
    }
    let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: f.screener.appendingPathComponent("screener.json"))) as? [String: Any]
    #expect(manifest?["kind"] as? String == "bi-encoder")
    #expect(manifest?["textView"] as? String == "title-abstract-keywords", "an encoder reads keywords, and says so")
    #expect((manifest?["base"] as? [String: Any])?["name"] as? String == "tiny")
    #expect(manifest?["recallFractions"] != nil, "validation on Estrogens should store recall fractions")
    let log = try Self.lines(f.screener.appendingPathComponent("train-log.jsonl"))
    #expect(log.contains { $0.contains("\"step\"") } && log.contains { $0.contains("\"train_loss\"") })
    // ADHD has 4 included candidates and is the only training review: one-query steps, and both epochs train.
    #expect(f.training.stdout.contains("over 2 epoch(s)"), "\(f.training.stdout)")
    #expect(log.contains { $0.hasPrefix("{\"epoch\":2,") && $0.contains("\"step\"") }, "\(log)")

    let plan = try CLITests.run(["train", "--plan", "--base", f.tiny.path, "--adapter", "lora", "--rank", "4"])
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.stdout.contains("adapter lora"))
    let total = plan.stdout.split(separator: "\n").first { $0.hasPrefix("total") }
    // LoRA rank 4 on query and value (the default targets) of 2 layers, 16 wide: 4 * (4*16 + 16*4) = 512.
    #expect(total?.split(separator: " ").last == "512", "\(plan.stdout)")
  }

  @Test("train killed with SIGKILL resumes from its saved state; --resume on an empty directory exits 64",
        .enabled(if: enabled, "csmed binary not built"))
  func killAndResume() throws {
    let f = try Self.fixture()
    let out = f.folder.appendingPathComponent("killed")
    let arguments = Self.trainArguments(
      database: f.database, base: f.tiny, out: out, epochs: 10_000, extra: ["--patience", "1000"])
    let process = Process()
    process.executableURL = try #require(CLITests.binary())
    process.arguments = arguments
    process.currentDirectoryURL = TestSupport.repositoryRoot()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let state = out.appendingPathComponent("state/trainer-state.json")
    let deadline = Date().addingTimeInterval(30)
    while !Self.exists(state), process.isRunning, Date() < deadline { usleep(5_000) }
    let wasRunning = process.isRunning
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try #require(wasRunning, "training ended (status \(process.terminationStatus)) before it could be killed")
    try #require(Self.exists(state), "no training state within 30 s")
    #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)

    let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any]
    let progress = try #require(saved?["progress"] as? [String: Any])
    let epoch = try #require(progress["epoch"] as? Int)
    let step = try #require(saved?["step"] as? Int)
    let before = try Self.lines(out.appendingPathComponent("train-log.jsonl"))
    #expect(!before.isEmpty)

    var again = arguments
    let e = try #require(again.firstIndex(of: "--epochs"))
    again[e + 1] = String(epoch + 2)
    let resumed = try CLITests.run(again + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("resuming after epoch \(epoch), step \(step)"), "\(resumed.stderr)")
    #expect(resumed.stdout.contains("screener written to"), "\(resumed.stdout)")
    let after = try Self.lines(out.appendingPathComponent("train-log.jsonl"))
    #expect(after.count > before.count)
    #expect(Array(after.prefix(before.count)) == before, "the log lost or changed earlier lines")
    let finalState = try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any]
    // The first step logged by the resumed run continues the saved step count, and it trains epochs epoch+1 and epoch+2.
    let firstNew = after.dropFirst(before.count).first { $0.contains("\"step\"") }
    #expect(firstNew?.contains("\"step\":\(step + 1)") == true, "\(firstNew ?? "no step line")")
    #expect((finalState?["progress"] as? [String: Any])?["epoch"] as? Int == epoch + 2)

    let empty = f.folder.appendingPathComponent("empty-out")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    let noState = try CLITests.run(Self.trainArguments(database: f.database, base: f.tiny, out: empty, epochs: 2, extra: ["--resume"]))
    #expect(noState.status == 64, "\(noState)")
    #expect(noState.stderr.contains("--resume") && noState.stderr.contains("no training state"), "\(noState.stderr)")
  }

  @Test("train usage errors exit 64", .enabled(if: enabled, "csmed binary not built"))
  func trainUsageErrors() throws {
    let f = try Self.fixture()
    let out = f.folder.appendingPathComponent("usage-out")
    func train(_ replace: [String: String], extra: [String] = []) throws -> CLITests.Result {
      var arguments = Self.trainArguments(database: f.database, base: f.tiny, out: out, epochs: 1)
      for (option, value) in replace {
        if let i = arguments.firstIndex(of: option) { arguments[i + 1] = value } else { arguments += [option, value] }
      }
      return try CLITests.run(arguments + extra)
    }
    let kind = try train(["--model": "transformer"])
    #expect(kind.status == 64 && kind.stderr.contains("transformer"), "\(kind)")
    let selection = try train(["--train": "nonsense"])
    #expect(selection.status == 64 && selection.stderr.contains("nonsense"), "\(selection)")
    let rank = try train(["--rank": "100"])
    #expect(rank.status == 64 && rank.stderr.contains("rank"), "\(rank)")
    let targets = try train(["--targets": "query,foo"])
    #expect(targets.status == 64 && targets.stderr.contains("foo"), "\(targets)")
    // None of them left a screener behind.
    #expect(!Self.exists(out.appendingPathComponent("screener.json")))
  }

  // MARK: screen

  @Test("screen with another base model exits 65 naming the mismatch, and writes no output",
        .enabled(if: enabled, "csmed binary not built"))
  func baseMismatch() throws {
    let f = try Self.fixture()
    try #require(f.training.status == 0)
    let output = f.folder.appendingPathComponent("mismatch.csv")
    let result = try CLITests.run([
      "screen", "--model", f.screener.path, "--base", f.otherTiny.path, "--db", f.database.path, "--review", "cohen2006/ADHD",
      "-o", output.path,
    ])
    #expect(result.status == 65, "\(result)")
    #expect(result.stderr.contains("trained on base model tiny") && result.stderr.contains("tiny-other"), "\(result.stderr)")
    #expect(!Self.exists(output))
  }

  @Test("screen --shard: bad shard, no -o or TREC exit 64; a list of one block leaves shard 2/2 empty, and says so",
        .enabled(if: enabled, "csmed binary not built"))
  func shards() throws {
    let f = try Self.fixture()
    try #require(f.training.status == 0)
    let common = f.screenADHD
    let bad = try CLITests.run(common + ["--shard", "3/2"])
    #expect(bad.status == 64 && bad.stderr.contains("--shard"), "\(bad)")
    let noOutput = try CLITests.run(common + ["--shard", "1/2"])
    #expect(noOutput.status == 64 && noOutput.stderr.contains("-o"), "\(noOutput)")
    let folder = f.folder.appendingPathComponent("shards")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let trec = try CLITests.run(common + ["--shard", "1/2", "--format", "trec", "-o", folder.appendingPathComponent("x.trec").path])
    #expect(trec.status == 64 && trec.stderr.contains("writes the ranking"), "\(trec)")
    let (a, b, all, merged) = (
      folder.appendingPathComponent("a.csv"), folder.appendingPathComponent("b.csv"),
      folder.appendingPathComponent("all.csv"), folder.appendingPathComponent("merged.csv")
    )
    var stderr: [String] = []
    for (shard, file) in [("1/2", a), ("2/2", b)] {
      let r = try CLITests.run(common + ["--shard", shard, "-o", file.path])
      #expect(r.status == 0, "\(shard): \(r.stderr)")
      stderr.append(r.stderr)
    }
    #expect(!stderr[0].contains("is empty"), "\(stderr[0])")
    #expect(stderr[1].contains("shard 2/2 is empty: 12 candidates make 1 block(s) of 256"), "\(stderr[1])")
    let whole = try CLITests.run(common + ["-o", all.path])
    #expect(whole.status == 0, "\(whole.stderr)")
    // Given out of order: merge sorts shards by their records.
    let merge = try CLITests.run(["merge", b.path, a.path, "-o", merged.path])
    #expect(merge.status == 0, "\(merge.stderr)")
    let expected = try Data(contentsOf: all), got = try Data(contentsOf: merged)
    #expect(got == expected, "merged:\n\(String(decoding: got, as: UTF8.self))\nunsharded:\n\(String(decoding: expected, as: UTF8.self))")
    #expect(try Self.lines(all).count == 13)  // header + 12 candidates
    #expect(try Self.lines(a).count == 13 && Self.lines(b).count == 1)
    let record = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("b.csv.shard.json"))) as? [String: Any]
    #expect(record?["shard"] as? Int == 2 && record?["shards"] as? Int == 2 && record?["first"] as? Int == 12 && record?["end"] as? Int == 12)
    #expect((record?["platform"] as? [String: Any])?["kernels"] as? String == ComputePlatform.current.kernels)

    // --shard auto: the same shards from a Slurm array task (--array=1-2) and a Kubernetes Indexed Job.
    let slurm = folder.appendingPathComponent("slurm-1.csv"), indexed = folder.appendingPathComponent("k8s-1.csv")
    let fromSlurm = try CLITests.run(
      common + ["--shard", "auto", "-o", slurm.path],
      environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "2", "SLURM_ARRAY_TASK_COUNT": "2"])
    #expect(fromSlurm.status == 0 && fromSlurm.stderr.contains("shard 1/2 (from the scheduler's environment)"), "\(fromSlurm)")
    #expect(try Data(contentsOf: slurm) == Data(contentsOf: a))
    let fromJob = try CLITests.run(
      common + ["--shard", "auto", "--shard-count", "2", "-o", indexed.path], environment: ["JOB_COMPLETION_INDEX": "1"])
    #expect(fromJob.status == 0, "\(fromJob)")
    #expect(try Data(contentsOf: indexed) == Data(contentsOf: b))
    let noScheduler = try CLITests.run(common + ["--shard", "auto", "-o", indexed.path])
    #expect(noScheduler.status == 64 && noScheduler.stderr.contains("neither SLURM_ARRAY_TASK_ID"), "\(noScheduler)")
    let countAlone = try CLITests.run(common + ["--shard", "1/2", "--shard-count", "2", "-o", indexed.path])
    #expect(countAlone.status == 64 && countAlone.stderr.contains("--shard-count goes with --shard auto"), "\(countAlone)")
  }

  @Test("embed and tokenize --text-file: one output per LF-ended line; \\v, \\f, U+0085, U+2028, U+2029 and a lone CR stay inside",
        .enabled(if: enabled, "csmed binary not built"))
  func textFileLines() throws {
    let f = try Self.fixture()
    let characters = ["\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\r"]
    // One line per character, CRLF-ended, a blank line, and a last line without LF: 8 lines.
    let text = characters.map { "stimulant\($0)trial in children\r\n" }.joined() + "\n" + "bone density"
    let file = try TestSupport.write(text, to: "lines.txt", in: f.folder.appendingPathComponent("text-file"))
    let embed = try CLITests.run(["embed", "--base", f.tiny.path, "--text-file", file.path])
    #expect(embed.status == 0, "\(embed.stderr)")
    let vectors = embed.stdout.split(separator: "\n")
    #expect(vectors.count == characters.count + 2, "\(vectors.count) embeddings")
    #expect(vectors.allSatisfy { $0.hasPrefix("[") && $0.split(separator: ",").count == 16 })
    let tokenize = try CLITests.run(["tokenize", "--base", f.tiny.path, "--text-file", file.path])
    #expect(tokenize.status == 0, "\(tokenize.stderr)")
    let ids = tokenize.stdout.split(separator: "\n")
    #expect(ids.count == characters.count + 2)
    // The blank line is [CLS] [SEP]; the others keep both halves of their line ("in children" at
    // least, whatever the tokenizer makes of the character itself).
    #expect(ids[characters.count] == "{\"input_ids\":[2,3]}", "\(ids)")
    #expect(ids.prefix(characters.count).allSatisfy { $0.split(separator: ",").count >= 5 }, "\(ids)")
  }

  @Test("screen --format ris|csv: the records in rank order, read back by csmed; merge and --shard refuse them",
        .enabled(if: enabled, "csmed binary not built"))
  func recordFormats() throws {
    let f = try Self.fixture()
    let folder = f.folder.appendingPathComponent("record-formats")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let common = ["screen", "--zero-shot", "bm25", "--db", f.database.path, "--review", "cohen2006/ADHD"]
    let (ranking, ris, csv) = (folder.appendingPathComponent("r.csv"), folder.appendingPathComponent("r.ris"), folder.appendingPathComponent("rec.csv"))
    for (format, file) in [("ranking", ranking), ("ris", ris), ("csv", csv)] {
      let r = try CLITests.run(common + ["--format", format, "-o", file.path])
      #expect(r.status == 0, "\(format): \(r.stderr)")
    }
    let order = try Self.lines(ranking).dropFirst().map { $0.split(separator: ",")[1] }
    #expect(order.count == 12)
    // Screening the RIS output again (ranking by BM25 once more) gives the same order: it holds the same records.
    let again = try CLITests.run(["screen", "--zero-shot", "bm25", "--input", ris.path, "--review-title", "ADHD"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try String(decoding: Data(contentsOf: ris), as: UTF8.self).components(separatedBy: "TY  - ").count == 13)
    let header = try Self.lines(csv).first
    #expect(header == "record_id,title,abstract,authors,year,doi,keywords,included,pmid,journal,rank,score")
    #expect(try Self.lines(csv).dropFirst().first?.contains(",1,") == true)
    let mergeCSV = try CLITests.run(["merge", "--format", "csv", ranking.path])
    #expect(mergeCSV.status == 64 && mergeCSV.stderr.contains("ranking or trec"), "\(mergeCSV)")
    let shardRIS = try CLITests.run(common + ["--format", "ris", "--shard", "1/2", "-o", folder.appendingPathComponent("s.ris").path])
    #expect(shardRIS.status == 64 && shardRIS.stderr.contains("--shard"), "\(shardRIS)")
    // No partial file is left beside the outputs.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".partial") }.isEmpty)
  }

  /// A search export of `count` records in the tiny model's words (about one in nine included).
  static func searchExport(count: Int, in folder: URL) throws -> URL {
    var generator = SplitMix64(seed: 11)
    let words = TinyBert.words.filter { $0.allSatisfy(\.isLetter) }
    func phrase(_ n: Int) -> String { (0..<n).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(separator: " ") }
    var ris = ""
    for i in 1...count {
      // Lengths from 2 to 40 words, so batches pad to different lengths.
      ris += "TY  - JOUR\nID  - r\(i)\nTI  - \(phrase(2 + Int(generator.next() % 6)))\nAB  - \(phrase(Int(generator.next() % 35)))\nLB  - \(i % 9 == 0 ? 1 : 0)\nER  - \n\n"
    }
    return try TestSupport.write(ris, to: "export-\(count).ris", in: folder)
  }

  @Test("screen --shard i/N over three blocks, then merge: byte-identical to the unsharded ranking for N = 1, 2, 3, 7 and 5 (above the block count), zero-shot and trained",
        .enabled(if: enabled, "csmed binary not built"))
  func shardsMergeExactly() throws {
    let f = try Self.fixture()
    try #require(f.training.status == 0)
    let folder = f.folder.appendingPathComponent("block-shards")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let export = try Self.searchExport(count: 2 * 256 + 77, in: folder)
    let rankers: [(String, [String])] = [
      ("embed", ["--zero-shot", "embed", "--max-len", "32"]), ("trained", ["--model", f.screener.path]),
    ]
    for (name, ranker) in rankers {
      let common = ["screen", "--input", export.path, "--review-title", "stimulant trial in children with adhd", "--base", f.tiny.path] + ranker
      let whole = folder.appendingPathComponent("\(name)-whole.csv")
      let run = try CLITests.run(common + ["-o", whole.path])
      try #require(run.status == 0, "\(name): \(run.stderr)")
      let expected = try Data(contentsOf: whole)
      #expect(try Self.lines(whole).count == 2 * 256 + 77 + 1)
      for n in [1, 2, 3, 7, 5] {
        var parts: [URL] = [], empty = 0
        for i in 1...n {
          let part = folder.appendingPathComponent("\(name)-\(i)-of-\(n).csv")
          let r = try CLITests.run(common + ["--shard", "\(i)/\(n)", "-o", part.path])
          #expect(r.status == 0, "\(name) \(i)/\(n): \(r.stderr)")
          let isEmpty = try Self.lines(part).count == 1
          #expect(r.stderr.contains("is empty") == isEmpty, "\(name) \(i)/\(n): \(r.stderr)")
          if isEmpty { empty += 1 }
          parts.append(part)
        }
        // Three blocks: N shards leave N - 3 of them empty, and none when N <= 3.
        #expect(empty == max(0, n - 3), "\(name) N=\(n)")
        let merged = folder.appendingPathComponent("\(name)-merged-\(n).csv")
        let merge = try CLITests.run(["merge"] + parts.reversed().map(\.path) + ["-o", merged.path])
        #expect(merge.status == 0, "\(name) N=\(n): \(merge.stderr)")
        #expect(!merge.stderr.contains("warning"), "\(merge.stderr)")
        #expect(try Data(contentsOf: merged) == expected, "\(name): \(n) shards merged differ from the unsharded ranking")
      }
    }
    // Shards of different rankers or inputs are refused, naming what differs.
    let other = try Self.searchExport(count: 300, in: folder.appendingPathComponent("other"))
    let otherShard = folder.appendingPathComponent("other-2-of-2.csv")
    let r = try CLITests.run([
      "screen", "--input", other.path, "--review-title", "stimulant trial in children with adhd", "--base", f.tiny.path,
      "--zero-shot", "embed", "--max-len", "32", "--shard", "2/2", "-o", otherShard.path,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let differentInput = try CLITests.run(["merge", folder.appendingPathComponent("embed-1-of-2.csv").path, otherShard.path])
    #expect(differentInput.status == 64 && differentInput.stderr.contains("different inputs"), "\(differentInput)")
    let differentRanker = try CLITests.run([
      "merge", folder.appendingPathComponent("embed-1-of-2.csv").path, folder.appendingPathComponent("trained-2-of-2.csv").path,
    ])
    #expect(differentRanker.status == 64 && differentRanker.stderr.contains("ranked differently"), "\(differentRanker)")
    let missing = try CLITests.run(["merge", folder.appendingPathComponent("embed-1-of-3.csv").path, folder.appendingPathComponent("embed-3-of-3.csv").path])
    #expect(missing.status == 64 && missing.stderr.contains("missing shard(s) 2/3"), "\(missing)")
  }

  @Test("screen --input: an empty file or a directory fails clearly; a record without text is ranked last with -inf",
        .enabled(if: enabled, "csmed binary not built"))
  func inputFiles() throws {
    let f = try Self.fixture()
    let folder = f.folder.appendingPathComponent("inputs")
    let empty = try TestSupport.write("", to: "empty.ris", in: folder)
    let emptyRun = try CLITests.run(["screen", "--zero-shot", "bm25", "--input", empty.path, "--review-title", "x"])
    #expect(emptyRun.status != 0 && emptyRun.status != 70, "\(emptyRun)")
    #expect(emptyRun.stderr.hasPrefix("error:") && (emptyRun.stderr.contains("empty.ris") || emptyRun.stderr.contains("no candidates")), "\(emptyRun.stderr)")

    let directory = folder.appendingPathComponent("a-directory")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let dirRun = try CLITests.run(["screen", "--zero-shot", "bm25", "--input", directory.path, "--review-title", "x"])
    #expect(dirRun.status != 0 && dirRun.status != 70, "\(dirRun)")
    #expect(dirRun.stderr.hasPrefix("error:") && dirRun.stderr.contains("a-directory"), "\(dirRun.stderr)")

    let ris = try TestSupport.write("""
      TY  - JOUR
      ID  - r1
      TI  - stimulant trial in children with adhd
      AB  - a randomized placebo controlled trial of methylphenidate
      ER  - 

      TY  - JOUR
      ID  - r2
      AU  - Smith, John
      PY  - 2001
      ER  - 

      TY  - JOUR
      ID  - r3
      TI  - bone density in women
      AB  - a survey of hormone therapy
      ER  - 

      """, to: "search.ris", in: folder)
    let output = folder.appendingPathComponent("ranked.csv")
    let run = try CLITests.run([
      "screen", "--zero-shot", "bm25", "--input", ris.path, "--review-title", "stimulant for adhd in children", "-o", output.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("warning: 1 record(s) have neither title nor abstract"), "\(run.stderr)")
    let rows = try Self.lines(output)
    #expect(rows.count == 4, "\(rows)")
    let last = rows.last ?? ""
    #expect(last.contains(",3,-inf,"), "\(rows)")
    #expect(last.contains("r2") || last.hasPrefix("search,2,"), "\(rows)")
    #expect(rows.dropFirst().dropLast().allSatisfy { !$0.contains("-inf") }, "\(rows)")
  }

  @Test("screen --target-recall: prints the cut-off; out of range or with --zero-shot exits 64",
        .enabled(if: enabled, "csmed binary not built"))
  func targetRecall() throws {
    let f = try Self.fixture()
    try #require(f.training.status == 0)
    let common = f.screenADHD
    let ok = try CLITests.run(common + ["--target-recall", "0.9"])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stderr.contains("target recall 0.90: screen the top"), "\(ok.stderr)")
    #expect(ok.stdout.hasPrefix("review_id,document_id,rank,score,title,label\n"))
    let high = try CLITests.run(common + ["--target-recall", "1.5"])
    #expect(high.status == 64 && high.stderr.contains("--target-recall"), "\(high)")
    let zeroShot = try CLITests.run([
      "screen", "--zero-shot", "bm25", "--db", f.database.path, "--review", "cohen2006/ADHD", "--target-recall", "0.9",
    ])
    #expect(zeroShot.status == 64 && zeroShot.stderr.contains("--target-recall"), "\(zeroShot)")
  }
}

extension TrainScreenCLITests {
  struct WithinRow: Decodable, Equatable {
    var review: String
    var ranker: String
    var seed: UInt64
    var metrics: [String: Double]
    var trainableParameters: Int
    var trainCandidates: Int
    var rankedCandidates: Int
    var peakRSSMB: Double?
  }

  @Test("experiment within: every ranker on every review and seed learns from the same stratified sample and ranks the rest; reproducible; bad rankers and fractions exit 64",
    .enabled(if: enabled))
  func experimentWithin() throws {
    let f = try Self.fixture()
    let rankers = [
      "zero-shot", "bm25", "tfidf-lr", "embed-lr", "tfidf-embed-lr", "setfit+lora", "bi-encoder+dora", "cross-encoder+lora", "fused+lora",
      // AdaLink adapts the embeddings under every layer, so it runs without the frozen layers.
      "cross-encoder+adalink",
    ]
    let common = [
      "experiment", "within", "--db", f.database.path, "--base", f.tiny.path, "--reviews", "collection:cohen2006",
      "--fraction", "0.5", "--seeds", "2", "--steps", "3", "--max-len", "32", "--batch", "4", "--freeze-layers", "1",
    ]
    let arguments = common + ["--rankers", rankers.joined(separator: ","), "--format", "json"]
    let run = try CLITests.run(arguments)
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try JSONDecoder().decode([WithinRow].self, from: Data(run.stdout.utf8))
    // 2 reviews x 2 seeds x 8 rankers; 12 labelled records each, half of each class trains.
    #expect(rows.count == 2 * 2 * rankers.count)
    #expect(Set(rows.map(\.ranker)) == Set(rankers) && Set(rows.map(\.seed)) == [42, 43])
    for row in rows {
      #expect(row.trainCandidates == 6 && row.rankedCandidates == 6, "\(row)")
      for key in ["wss@95", "ap", "auc", "recall@10%"] {
        let value = try #require(row.metrics[key], "\(row.ranker) \(key)")
        #expect(value >= -1 && value <= 1, "\(row.ranker) \(key) \(value)")
      }
      #expect((row.peakRSSMB ?? 0) > 0)
      let learns = !["zero-shot", "bm25"].contains(row.ranker)
      #expect((row.trainableParameters > 0) == learns, "\(row.ranker)")
    }
    // The tuned encoders carry their adapter's parameters beside the linear model's.
    let setfit = try #require(rows.first { $0.ranker == "setfit+lora" }), hybrid = try #require(rows.first { $0.ranker == "tfidf-embed-lr" })
    #expect(setfit.trainableParameters > hybrid.trainableParameters)
    // fused is tfidf-embed-lr and the cross-encoder side by side: both models' parameters.
    for seed: UInt64 in [42, 43] {
      let mine = rows.filter { $0.seed == seed && $0.review == setfit.review }
      let parameters = Dictionary(uniqueKeysWithValues: mine.map { ($0.ranker, $0.trainableParameters) })
      #expect(parameters["fused+lora"] == (parameters["tfidf-embed-lr"] ?? 0) + (parameters["cross-encoder+lora"] ?? 0))
    }
    // Under the same seeds the same samples, the same rankings.
    let again = try JSONDecoder().decode([WithinRow].self, from: Data(try CLITests.run(arguments).stdout.utf8))
    #expect(again.map(\.metrics) == rows.map(\.metrics))
    // The table names every ranker.
    let table = try CLITests.run(common + ["--rankers", "tfidf-lr,zero-shot"])
    #expect(table.status == 0 && table.stdout.contains("| tfidf-lr | 2 |") && table.stdout.contains("| zero-shot | 2 |"), "\(table)")

    let unknown = try CLITests.run(common + ["--rankers", "tfidf-lr,setfit+nope"])
    #expect(unknown.status == 64 && unknown.stderr.contains("unknown adapter 'nope'"), "\(unknown)")
    let badRanker = try CLITests.run(common + ["--rankers", "magic"])
    #expect(badRanker.status == 64 && badRanker.stderr.contains("unknown ranker 'magic'"), "\(badRanker)")
    // A ranker that fails costs only itself: the others' table is written, then the exit says which.
    let markdown = try TestSupport.temporaryDirectory().appendingPathComponent("within.md")
    let partial = try CLITests.run(common + ["--rankers", "tfidf-lr,bi-encoder+smt", "--markdown", markdown.path])
    #expect(partial.status == 64 && partial.stderr.contains("bi-encoder+smt"), "\(partial)")
    #expect(try String(contentsOf: markdown, encoding: .utf8).contains("| tfidf-lr | 2 |"))
    let whole = try CLITests.run(Array(common.dropLast(12)) + ["--rankers", "tfidf-lr", "--fraction", "1"])
    #expect(whole.status == 64 && whole.stderr.contains("--fraction"), "\(whole)")
  }
}

extension TrainScreenCLITests {
  struct LOROWorkerRow: Decodable {
    var review: String
    var ranker: String
    var metrics: [String: Double]
  }

  @Test("experiment loro --folds: every review ranked once by each ranker, a fused A+B too; fewer than two folds or a fused ranker before its parts exit 64", .enabled(if: enabled))
  func experimentLOROFolds() throws {
    let f = try Self.fixture()
    let common = ["experiment", "loro", "--db", f.database.path, "--base", f.tiny.path, "--reviews", "collection:cohen2006", "--format", "json"]
    let run = try CLITests.run(common + ["--rankers", "bm25,tfidf-lr,bm25+tfidf-lr", "--folds", "2"])
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try JSONDecoder().decode([LOROWorkerRow].self, from: Data(run.stdout.utf8))
    #expect(rows.count == 6)
    for ranker in ["bm25", "tfidf-lr", "bm25+tfidf-lr"] {
      #expect(rows.filter { $0.ranker == ranker }.map(\.review).sorted() == ["cohen2006/ADHD", "cohen2006/Estrogens"])
    }
    #expect(rows.allSatisfy { ($0.metrics["auc"] ?? -1) >= 0 })
    let early = try CLITests.run(common + ["--rankers", "bm25+tfidf-lr,tfidf-lr"])
    #expect(early.status == 64 && early.stderr.contains("list 'bm25' before it"), "\(early)")
    let one = try CLITests.run(common + ["--rankers", "bm25", "--folds", "1"])
    #expect(one.status == 64 && one.stderr.contains("--folds"), "\(one)")
  }
}

/// A cohen2006 mirror with two reviews (ADHD, Estrogens) of 12 records each, both labels present,
/// written only with words of ``TinyBert/words``.
enum TrainScreenFixtures {
  static let adhdIncluded = [
    "stimulant trial in children with adhd", "methylphenidate versus placebo for adhd",
    "a randomized controlled trial of stimulant dose in school children", "long term efficacy of methylphenidate in adhd",
  ]
  static let estrogensIncluded = [
    "estrogen therapy in women after menopause", "hormone therapy and bone density in women",
    "a randomized trial of estrogen versus placebo", "long term safety of hormone therapy",
  ]
  static let excluded = [
    "a case report of heart risk", "cost of care in adult patients", "a letter on the model", "cell study in the rat",
    "survey of patients with cancer", "breast cancer risk and dose", "short term outcome of the group",
    "a review of the effect of care",
  ]

  static func csv(included: [String], topic: String) -> String {
    var rows = ["record_id,title,abstract,label_included,label_abstract_screening"]
    var id = 1
    for (i, title) in included.enumerated() {
      rows.append("\(topic)\(id),\(title),a study of the effect on \(i % 2 == 0 ? "the outcome" : "patients"),1,1")
      id += 1
    }
    for (i, title) in excluded.enumerated() {
      rows.append("\(topic)\(id),\(title),\(i % 3 == 0 ? "" : "the effect of the group on outcome"),0,0")
      id += 1
    }
    return rows.joined(separator: "\n") + "\n"
  }

  static func mirror(in folder: URL) throws -> (mirror: URL, manifests: URL) {
    let mirror = folder.appendingPathComponent("mirror"), manifests = folder.appendingPathComponent("manifests")
    let adhd = try TestSupport.write(csv(included: adhdIncluded, topic: "a"), to: "cohen2006/ADHD.csv", in: mirror)
    let estrogens = try TestSupport.write(csv(included: estrogensIncluded, topic: "e"), to: "cohen2006/Estrogens.csv", in: mirror)
    func source(_ name: String, _ url: URL) throws -> String {
      """
      {"id": "\(name)", "review": "\(name)", "reader": "csv", "path": "cohen2006/\(name).csv", "url": "u", "kind": "file",
       "sha256": "\(try FixtureFiles.sha256(url))"}
      """
    }
    try TestSupport.write("""
      {"id": "cohen2006", "name": "Cohen", "citation": "c", "license": "l", "domain": "d", "homepage": "h",
       "known_reviews": ["ADHD", "Estrogens"], "labels": {"ta": {"0": 0, "1": 1}, "ft": {"0": 0, "1": 1}},
       "sources": [\(try source("ADHD", adhd)), \(try source("Estrogens", estrogens))]}
      """, to: "cohen2006.json", in: manifests)
    return (mirror, manifests)
  }
}
