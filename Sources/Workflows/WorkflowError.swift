import Failures

/// Failures of a workflow that are neither bad input data nor storage errors.
public enum WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The request itself is wrong (maps to EX_USAGE).
  case usage(String)
  /// A named input does not exist (EX_NOINPUT).
  case missingInput(path: String)
  /// The file system refused (EX_IOERR).
  case io(path: String, reason: String)
  /// A named step failed with another error; its category (and so its exit code) is that error's.
  case failedIn(step: String, reason: String, category: ErrorCategory)

  /// `error` inside the named step, keeping what kind of failure it is.
  static func failed(_ step: String, _ error: any Error) -> WorkflowError {
    .failedIn(step: step, reason: "\(error)", category: ErrorCategory(of: error))
  }

  public var description: String {
    switch self {
    case .usage(let message): message
    case .missingInput(let path): "\(path): no such file or directory"
    case .io(let path, let reason): "\(path): \(reason)"
    case .failedIn(let step, let reason, _): "\(step): \(reason)"
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
    case .failedIn(_, _, let category): category
    }
  }
}
