import CLIKit
import Failures
import Foundation
import Tensor
import Workflows

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
    return ExitCode.success.rawValue
  case "--version":
    Terminal.out("csmed \(CSMeDVersion.current)\n")
    return ExitCode.success.rawValue
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
      return ExitCode.success.rawValue
    }
    try command.run(parsed)
    return ExitCode.success.rawValue
  } catch {
    Terminal.err("error: \(error)\n")
    return ExitCode(ErrorCategory(of: error)).rawValue
  }
}

let interruptHandlers = installInterruptHandlers()
exit(main())
