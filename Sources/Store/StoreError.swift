import Failures

/// What can go wrong in the meta-dataset store.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
  case sqlite(SQLiteError)
  case corrupt(String)
  case notFound(String)
  case schemaMismatch(path: String, found: String, expected: String)
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .sqlite(let error): error.description
    case .corrupt(let reason): "corrupt data: \(reason)"
    case .notFound(let what): "\(what) not found"
    case .schemaMismatch(let path, let found, let expected):
      "\(path): schema version \(found), this csmed expects \(expected); rebuild with `csmed build`"
    case .io(let path, let reason): "\(path): \(reason)"
    }
  }

  /// Runs `body`, wrapping SQLite failures.
  static func wrap<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as SQLiteError {
      throw StoreError.sqlite(error)
    }
  }
}

extension StoreError: CategorizedError {
  public var category: ErrorCategory {
    switch self {
    case .sqlite(let error): error.category
    case .corrupt, .schemaMismatch: .data
    case .notFound: .noInput
    case .io: .io
    }
  }
}
