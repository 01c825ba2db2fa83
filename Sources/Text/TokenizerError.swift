import Failures

/// Errors from loading a vocabulary or encoding text.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The vocabulary file does not exist.
  case vocabularyNotFound(path: String)
  /// The vocabulary file exists but could not be read.
  case vocabularyUnreadable(path: String, reason: String)
  /// The vocabulary file is not valid UTF-8.
  case vocabularyNotUTF8(path: String)
  /// The vocabulary has no tokens.
  case emptyVocabulary(path: String)
  /// A special token the tokenizer needs (`[UNK]`, `[CLS]`, `[SEP]`, `[PAD]`) is not in the vocabulary.
  case missingSpecialToken(path: String, token: String)
  /// `maxLength` cannot even hold the special tokens.
  case maxLengthTooSmall(maxLength: Int, minimum: Int)

  public var description: String {
    switch self {
    case .vocabularyNotFound(let path):
      "vocabulary not found: \(path) (expected a vocab.txt with one token per line)"
    case .vocabularyUnreadable(let path, let reason):
      "cannot read vocabulary \(path): \(reason)"
    case .vocabularyNotUTF8(let path):
      "vocabulary \(path) is not valid UTF-8"
    case .emptyVocabulary(let path):
      "vocabulary \(path) has no tokens"
    case .missingSpecialToken(let path, let token):
      "vocabulary \(path) lacks the special token \(token)"
    case .maxLengthTooSmall(let maxLength, let minimum):
      "max length \(maxLength) is too small: the special tokens alone need \(minimum)"
    }
  }
}

extension TokenizerError: CategorizedError {
  public var category: ErrorCategory {
    switch self {
    case .vocabularyNotFound: .noInput
    case .vocabularyUnreadable: .io
    case .maxLengthTooSmall: .usage
    case .vocabularyNotUTF8, .emptyVocabulary, .missingSpecialToken: .data
    }
  }
}
