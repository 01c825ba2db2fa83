import Failures

/// Everything that can go wrong while reading a source collection, with the place it went wrong.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
  case fileNotFound(path: String)
  case unreadable(path: String, reason: String)
  case malformed(file: String, line: Int, expected: String, found: String)
  case missingColumn(file: String, column: String, available: [String])
  case invalidJSON(file: String, reason: String)
  case checksumMismatch(file: String, expected: String, found: String)
  case unknownCollection(id: String, known: [String])
  case invalidManifest(file: String, reason: String)
  public var description: String {
    switch self {
    case .fileNotFound(let path): "\(path): file not found"
    case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
    case .malformed(let file, let line, let expected, let found): "\(file):\(line): expected \(expected), found \(found)"
    case .missingColumn(let file, let column, let available): "\(file):1: missing column '\(column)' (columns: \(available.joined(separator: ", ")))"
    case .invalidJSON(let file, let reason): "\(file): invalid JSON: \(reason)"
    case .checksumMismatch(let file, let expected, let found): "\(file): sha256 mismatch: expected \(expected), found \(found)"
    case .unknownCollection(let id, let known): "unknown collection '\(id)' (known: \(known.joined(separator: ", ")))"
    case .invalidManifest(let file, let reason): "\(file): invalid manifest: \(reason)"
    }
  }
}

extension IngestError: CategorizedError {
  public var category: ErrorCategory {
    switch self {
    case .fileNotFound: .noInput
    case .unreadable: .io
    case .unknownCollection: .usage
    case .malformed, .missingColumn, .invalidJSON, .checksumMismatch, .invalidManifest: .data
    }
  }
}
