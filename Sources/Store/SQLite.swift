import CSQLite
import Failures
import Foundation

/// An SQLite failure: the result code, SQLite's message, and the statement that failed.
/// Bound values are never part of the message (abstracts can be long or sensitive).
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
  public var code: Int32
  public var extendedCode: Int32
  public var message: String
  public var sql: String?
  public var path: String?

  public var description: String {
    var text = "SQLite error \(extendedCode): \(message)"
    if let sql { text += " - while executing `\(sql.prefix(200))`" }
    if let path { text += " (database \(path))" }
    return text
  }
}

extension SQLiteError: CategorizedError {
  /// I/O-like failures (disk full, read-only, cannot open, no permission) are `.io`; a damaged
  /// file or one that is not a database is `.data`; any other result code is a misuse of SQLite,
  /// `.software`.
  public var category: ErrorCategory {
    switch code {
    case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_FULL, SQLITE_PERM: .io
    case SQLITE_CORRUPT, SQLITE_NOTADB: .data
    default: .software
    }
  }
}

/// One SQLite connection. Owned by one task at a time; not `Sendable`.
public final class Connection {
  let handle: OpaquePointer
  public let path: String

  /// Opens (and by default creates) a database with extended result codes and foreign keys on.
  public init(path: String, readOnly: Bool = false) throws {
    var pointer: OpaquePointer?
    let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    let code = sqlite3_open_v2(path, &pointer, flags | SQLITE_OPEN_NOMUTEX, nil)
    guard code == SQLITE_OK, let pointer else {
      let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      if let pointer { sqlite3_close_v2(pointer) }
      throw SQLiteError(code: code & 0xff, extendedCode: code, message: message, sql: nil, path: path)
    }
    handle = pointer
    self.path = path
    sqlite3_extended_result_codes(handle, 1)
    sqlite3_busy_timeout(handle, 5_000)
    try execute("PRAGMA foreign_keys = ON")
  }

  deinit { sqlite3_close_v2(handle) }

  /// Runs one or more statements that return no rows.
  public func execute(_ sql: String) throws {
    var errorMessage: UnsafeMutablePointer<CChar>?
    let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
    if code != SQLITE_OK {
      let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
      sqlite3_free(errorMessage)
      throw SQLiteError(code: code & 0xff, extendedCode: sqlite3_extended_errcode(handle), message: message, sql: sql, path: path)
    }
  }

  /// Compiles a statement.
  public func prepare(_ sql: String) throws -> Statement {
    var pointer: OpaquePointer?
    let code = sqlite3_prepare_v2(handle, sql, -1, &pointer, nil)
    guard code == SQLITE_OK, let pointer else { throw error(code, sql: sql) }
    return Statement(connection: self, handle: pointer, sql: sql)
  }

  /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

  func error(_ code: Int32, sql: String?) -> SQLiteError {
    SQLiteError(
      code: code & 0xff, extendedCode: sqlite3_extended_errcode(handle),
      message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
  }
}

@available(*, unavailable)
extension Connection: Sendable {}

/// A value SQLite can bind or return.
public enum SQLValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])
}

/// A prepared statement with positional parameters (`?`).
public final class Statement {
  unowned let connection: Connection
  let handle: OpaquePointer
  public let sql: String

  init(connection: Connection, handle: OpaquePointer, sql: String) {
    self.connection = connection
    self.handle = handle
    self.sql = sql
  }

  deinit { sqlite3_finalize(handle) }

  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  /// Resets the statement and binds the values to parameters 1...n.
  public func bind(_ values: [SQLValue]) throws {
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
    for (offset, value) in values.enumerated() {
      let index = Int32(offset + 1)
      let code: Int32
      switch value {
      case .null: code = sqlite3_bind_null(handle, index)
      case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
      case .real(let number): code = sqlite3_bind_double(handle, index, number)
      case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, Self.transient)
      case .blob(let bytes):
        code = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
      }
      guard code == SQLITE_OK else { throw connection.error(code, sql: sql) }
    }
  }

  /// Runs a statement that returns no rows.
  public func run(_ values: [SQLValue] = []) throws {
    try bind(values)
    let code = sqlite3_step(handle)
    guard code == SQLITE_DONE || code == SQLITE_ROW else { throw connection.error(code, sql: sql) }
    sqlite3_reset(handle)
  }

  /// Runs a query and hands each row to `body`.
  public func forEach(_ values: [SQLValue] = [], _ body: (Row) throws -> Void) throws {
    try bind(values)
    defer { sqlite3_reset(handle) }
    while true {
      let code = sqlite3_step(handle)
      if code == SQLITE_DONE { return }
      guard code == SQLITE_ROW else { throw connection.error(code, sql: sql) }
      try body(Row(handle: handle))
    }
  }

  /// Runs a query and maps every row.
  public func map<T>(_ values: [SQLValue] = [], _ transform: (Row) throws -> T) throws -> [T] {
    var result: [T] = []
    try forEach(values) { result.append(try transform($0)) }
    return result
  }
}

@available(*, unavailable)
extension Statement: Sendable {}

/// The current row of a statement; valid only inside the closure that received it.
public struct Row {
  let handle: OpaquePointer

  public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
  public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
  public func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }
  public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
  public func string(_ column: Int32) -> String {
    guard let text = sqlite3_column_text(handle, column) else { return "" }
    return String(cString: text)
  }
  public func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
  public func blob(_ column: Int32) -> [UInt8] {
    let count = Int(sqlite3_column_bytes(handle, column))
    guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
  }
}
