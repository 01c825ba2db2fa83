import Failures

/// A usage mistake: what was wrong, and the usage to show with it.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible, CategorizedError {
  public var message: String
  public var command: String
  public init(_ message: String, command: String) {
    self.message = message
    self.command = command
  }
  public var description: String { "\(message)\n(see `\(command) --help`)" }
  public var category: ErrorCategory { .usage }
}

/// The sysexits codes csmed ends with.
public enum ExitCode: Int32, Sendable {
  case success = 0
  case usage = 64
  case dataError = 65
  case noInput = 66
  case software = 70
  case ioError = 74

  /// The code for a failure of this category.
  public init(_ category: ErrorCategory) {
    switch category {
    case .usage: self = .usage
    case .data: self = .dataError
    case .noInput: self = .noInput
    case .io: self = .ioError
    case .software: self = .software
    }
  }
}
