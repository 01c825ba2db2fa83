import Failures
import Foundation

/// An error raised while building text features: analysing, vectorizing, indexing for BM25, or
/// validating sparse vectors and matrices that come from outside (checkpoints, callers).
///
/// Messages follow the pattern *what failed, what was expected, what was found*.
public enum VectorizerError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A fit was asked for on a corpus without documents.
  case emptyCorpus
  /// The analysed corpus yields no terms (every document empty or only stop words), or pruning by
  /// document frequency or feature count left none.
  case emptyVocabulary(reason: String)
  /// A parameter is outside its domain.
  case invalidParameter(name: String, expected: String, found: String)
  /// The arrays of a sparse vector or matrix are inconsistent.
  case invalidSparseStructure(reason: String)
  /// A vector or matrix has another dimension than the one it is combined with.
  case dimensionMismatch(expected: Int, found: Int, context: String)
  /// A serialized vectorizer or index is inconsistent.
  case invalidCheckpoint(reason: String)

  /// The message: what failed, what was expected, what was found.
  public var description: String {
    switch self {
    case .emptyCorpus:
      return "cannot fit on an empty corpus: expected at least one document, found none"
    case .emptyVocabulary(let reason):
      return "empty vocabulary: \(reason)"
    case .invalidParameter(let name, let expected, let found):
      return "invalid parameter \(name): expected \(expected), found \(found)"
    case .invalidSparseStructure(let reason):
      return "invalid sparse structure: \(reason)"
    case .dimensionMismatch(let expected, let found, let context):
      return "dimension mismatch in \(context): expected \(expected) columns, found \(found)"
    case .invalidCheckpoint(let reason):
      return "invalid vectorizer checkpoint: \(reason)"
    }
  }
}

/// Every vectorizer failure comes from the texts or the checkpoint it was given.
extension VectorizerError: CategorizedError {
  public var category: ErrorCategory { .data }
}
