import CLIKit
import Failures
import Foundation
import Tensor
import Workflows

/// The widest command name plus two spaces.
let commandColumn = (commands.map { $0.spec.name.count - "csmed ".count }.max() ?? 8) + 2

let overview = """
  csmed \(CSMeDVersion.current): citation screening for systematic reviews.

  usage: csmed <command> [options]     (csmed <command> --help for details)

  COMMANDS:
  \(commands.map { "  " + $0.spec.name.replacingOccurrences(of: "csmed ", with: "").padding(toLength: commandColumn, withPad: " ", startingAt: 0) + $0.spec.abstract }.joined(separator: "\n"))

  """

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
    return ExitCode(ErrorCategory(of: error)).rawValue
  }
}

let interruptHandlers = installInterruptHandlers()
exit(main())
