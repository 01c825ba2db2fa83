import Foundation

#if FUZZING
import CFuzzDriver
#endif

/// `csmed-fuzz`: every reader of outside input under libFuzzer (scripts/fuzz.sh builds it with
/// `-sanitize=fuzzer,address -DFUZZING` and runs it), and, in a normal build, the same targets
/// replayed over files, so a crash input can be reproduced without the sanitizers.
///
///     CSMED_FUZZ_TARGET=ris csmed-fuzz CORPUS_DIR [libFuzzer flags]   (FUZZING build)
///     csmed-fuzz TARGET FILE...                                        (replay)
///     csmed-fuzz --list
@main
struct FuzzEntry {
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--list" {
      for target in FuzzTargets.all { print(target.name.padding(toLength: 14, withPad: " ", startingAt: 0) + target.summary) }
      return
    }
    #if FUZZING
    guard let name = ProcessInfo.processInfo.environment["CSMED_FUZZ_TARGET"], let target = FuzzTargets.named(name) else {
      broken("set CSMED_FUZZ_TARGET to one of: \(FuzzTargets.all.map(\.name).joined(separator: ", "))")
    }
    current = target
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
      current?.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
      return 0
    })
    #else
    guard arguments.count >= 2, let target = FuzzTargets.named(arguments[0]) else {
      FileHandle.standardError.write(Data("usage: csmed-fuzz TARGET FILE... | --list (targets: \(FuzzTargets.all.map(\.name).joined(separator: ", ")))\n".utf8))
      exit(64)
    }
    // Files, or every file of a folder (a corpus).
    let paths = arguments.dropFirst().flatMap { path -> [String] in
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
      return names.sorted().map { (path as NSString).appendingPathComponent($0) }
    }
    for path in paths {
      guard let data = FileManager.default.contents(atPath: path) else { broken("cannot read \(path)") }
      target.run(data)
      print("\(path): ok")
    }
    #endif
  }
}

#if FUZZING
/// The target of this process (libFuzzer's callback is a C function pointer and cannot capture).
nonisolated(unsafe) var current: FuzzTarget?
#endif
