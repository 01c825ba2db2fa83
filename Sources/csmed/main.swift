import Adapters
import CLIKit
import Encoder
import Evaluation
import Foundation
import Ingest
import Screening
import Store
import Tensor
import Text
import Workflows

/// The widest command name plus two spaces.
let commandColumn = (commands.map { $0.spec.name.count - "csmed ".count }.max() ?? 8) + 2

let overview = """
  csmed \(CSMeDVersion.current): citation screening for systematic reviews.

  usage: csmed <command> [options]     (csmed <command> --help for details)

  COMMANDS:
  \(commands.map { "  " + $0.spec.name.replacingOccurrences(of: "csmed ", with: "").padding(toLength: commandColumn, withPad: " ", startingAt: 0) + $0.spec.abstract }.joined(separator: "\n"))

  """

/// Maps every error to a message and a sysexits code: the only place that decides exit codes.
func exitCode(for error: any Error) -> ExitCode {
  switch error {
  case is UsageError: return .usage
  case let error as IngestError:
    switch error {
    case .fileNotFound: return .noInput
    case .unreadable: return .ioError
    case .unknownCollection: return .usage
    case .malformed, .missingColumn, .invalidJSON, .checksumMismatch, .invalidManifest: return .dataError
    }
  case let error as StoreError:
    switch error {
    case .sqlite(let sqlite): return sqlite.isIO ? .ioError : (sqlite.code == 26 || sqlite.code == 11 ? .dataError : .software)
    case .corrupt, .schemaMismatch: return .dataError
    case .notFound: return .noInput
    case .io: return .ioError
    }
  case let error as EvaluationError:
    switch error {
    case .unreadableFile: return .noInput
    case .invalidOption, .incomparableReports: return .usage
    default: return .dataError
    }
  case let error as StoppingError:
    switch error {
    case .unreadableFile: return .noInput
    case .invalidParameter, .unknownRule: return .usage
    default: return .dataError
    }
  case let error as EncoderError:
    switch error {
    case .fileNotFound: return .noInput
    case .io: return .ioError
    case .tokenizer(let inner): return exitCode(for: inner)
    case .invalidInput: return .usage
    default: return .dataError
    }
  case let error as TokenizerError:
    switch error {
    case .vocabularyNotFound: return .noInput
    case .vocabularyUnreadable: return .ioError
    case .maxLengthTooSmall: return .usage
    default: return .dataError
    }
  case let error as AdapterError:
    switch error {
    case .invalidOption: return .usage
    case .encoder(let inner): return exitCode(for: inner)
    case .baseModelMismatch, .invalidCheckpoint: return .dataError
    case .lapack: return .software
    }
  case is VectorizerError, is ScreeningError: return .dataError
  case let error as WorkflowError:
    switch error {
    case .usage: return .usage
    case .missingInput: return .noInput
    case .io: return .ioError
    }
  default: return .software
  }
}

/// Ctrl-C and SIGTERM end the process with 130/143. Work that writes (build, train) writes to
/// temporary files renamed into place at the end, so stopping here leaves earlier results intact;
/// the next run removes the temporary files a stopped one left.
func installInterruptHandlers() -> [any DispatchSourceSignal] {
  [(SIGINT, Int32(130)), (SIGTERM, Int32(143))].map { signalNumber, status in
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    source.setEventHandler {
      Terminal.err("\ninterrupted: nothing was replaced\n")
      exit(status)
    }
    source.resume()
    return source
  }
}

func main() -> Int32 {
  AllocatorTuning.retainFreedMemory()
  if let unmet = ComputePlatform.unmetKernelRequest {
    Terminal.err(
      "warning: CSMED_KERNELS=\(unmet) is not a kernel variant this CPU runs (\(ComputePlatform.kernelVariants.joined(separator: ", "))); using \(ComputePlatform.current.kernels)\n")
  }
  var arguments = Array(CommandLine.arguments.dropFirst())
  guard let name = arguments.first else {
    Terminal.err(overview)
    return ExitCode.usage.rawValue
  }
  arguments.removeFirst()
  switch name {
  case "--help", "-h", "help":
    Terminal.out(overview)
    return 0
  case "--version":
    Terminal.out("csmed \(CSMeDVersion.current)\n")
    return 0
  default:
    break
  }
  guard let command = commands.first(where: { $0.spec.name == "csmed \(name)" }) else {
    Terminal.err("error: unknown command '\(name)'\n\n" + overview)
    return ExitCode.usage.rawValue
  }
  do {
    let parsed = try command.spec.parse(arguments)
    if parsed.helpRequested {
      Terminal.out(command.spec.helpText)
      return 0
    }
    try command.run(parsed)
    return 0
  } catch {
    Terminal.err("error: \(error)\n")
    return exitCode(for: error).rawValue
  }
}

let interruptHandlers = installInterruptHandlers()
exit(main())
