/// What kind of failure an error is: the one fact about an error that decides how the program
/// ends (csmed maps each category to a sysexits code in `ExitCode`).
///
/// Every layer's error type adopts ``CategorizedError`` in its own file, so the layer that knows
/// what went wrong also says which kind of wrong it is; an error that does not adopt it is
/// treated as ``software``.
public enum ErrorCategory: Sendable, Equatable, CaseIterable {
  /// The request itself is wrong: a bad option, value or combination (EX_USAGE).
  case usage
  /// The input was read but its content is wrong (EX_DATAERR).
  case data
  /// A named input does not exist (EX_NOINPUT).
  case noInput
  /// The file system or the database refused a read or a write (EX_IOERR).
  case io
  /// A failure of csmed itself, not of what it was given (EX_SOFTWARE).
  case software
}

/// An error that knows its ``ErrorCategory``.
public protocol CategorizedError: Error {
  /// The kind of failure, which decides the exit status.
  var category: ErrorCategory { get }
}

extension ErrorCategory {
  /// The category of any error: its own for a ``CategorizedError``, ``software`` otherwise.
  public init(of error: any Error) {
    self = (error as? any CategorizedError)?.category ?? .software
  }
}
