import Failures

/// Failures of a workflow that are neither bad input data nor storage errors.
public enum WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The request itself is wrong (maps to EX_USAGE).
  case usage(String)
  /// A named input does not exist (EX_NOINPUT).
  case missingInput(path: String)
  /// The file system refused (EX_IOERR).
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .usage(let message): message
    case .missingInput(let path): "\(path): no such file or directory"
    case .io(let path, let reason): "\(path): \(reason)"
    }
  }
}

/// What long work reports while it runs; the CLI decides how to show it.
public enum WorkProgress: Sendable {
  /// Work on one named step began; `total` units are expected (0 when unknown).
  case started(String, total: Int)
  /// `done` of the current step's units are finished.
  case advanced(done: Int)
  /// Something the user should read (a tolerated problem).
  case warning(String)
  /// A short live status shown beside the bar (loss, throughput).
  case status(String)
  /// A line worth keeping in the log (an epoch's validation result).
  case note(String)
  case finished(String)
}

public typealias ProgressHandler = @Sendable (WorkProgress) -> Void

extension WorkflowError: CategorizedError {
  public var category: ErrorCategory {
    switch self {
    case .usage: .usage
    case .missingInput: .noInput
    case .io: .io
    }
  }
}
