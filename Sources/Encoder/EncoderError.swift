import Failures
import Text

/// Errors from loading a checkpoint (safetensors, config.json, vocab.txt) or from invalid encoder
/// input. Messages name the file and the tensor or key, with what was expected and what was found.
public enum EncoderError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A file or directory that should exist does not.
  case fileNotFound(path: String)
  /// A file exists but could not be read or written.
  case io(path: String, reason: String)
  /// The file ends before the data its header promises.
  case truncated(file: String, detail: String)
  /// The safetensors header is not valid.
  case invalidHeader(file: String, reason: String)
  /// One tensor's header entry is not valid (bad dtype, shape or offsets).
  case invalidTensorEntry(file: String, tensor: String, reason: String)
  /// A tensor the model needs is absent.
  case missingTensor(file: String, tensor: String)
  /// A tensor has a different shape than the config implies.
  case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
  /// A tensor has a dtype that cannot be used where it is needed.
  case unsupportedDType(file: String, tensor: String, dtype: String, expected: String)
  /// config.json is missing a key, has a wrong type, or an invalid value.
  case invalidConfig(file: String, key: String, reason: String)
  /// vocab.txt and config.json disagree.
  case vocabularyMismatch(vocabularyFile: String, tokens: Int, configVocabSize: Int)
  /// The vocabulary could not be loaded.
  case tokenizer(TokenizerError)
  /// Input to the encoder is invalid (empty batch, id out of range, sequence too long, ...).
  case invalidInput(reason: String)

  public var description: String {
    switch self {
    case .fileNotFound(let path): "file not found: \(path)"
    case .io(let path, let reason): "I/O error on \(path): \(reason)"
    case .truncated(let file, let detail): "\(file): truncated safetensors file: \(detail)"
    case .invalidHeader(let file, let reason): "\(file): invalid safetensors header: \(reason)"
    case .invalidTensorEntry(let file, let tensor, let reason):
      "\(file): tensor '\(tensor)': \(reason)"
    case .missingTensor(let file, let tensor): "\(file): missing tensor '\(tensor)'"
    case .shapeMismatch(let file, let tensor, let expected, let found):
      "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
    case .unsupportedDType(let file, let tensor, let dtype, let expected):
      "\(file): tensor '\(tensor)' has dtype \(dtype), expected \(expected)"
    case .invalidConfig(let file, let key, let reason): "\(file): key '\(key)': \(reason)"
    case .vocabularyMismatch(let file, let tokens, let size):
      "\(file) has \(tokens) tokens but config.json says vocab_size \(size)"
    case .tokenizer(let error): error.description
    case .invalidInput(let reason): "invalid encoder input: \(reason)"
    }
  }
}

extension EncoderError: CategorizedError {
  public var category: ErrorCategory {
    switch self {
    case .fileNotFound: .noInput
    case .io: .io
    case .tokenizer(let error): error.category
    case .invalidInput: .usage
    case .truncated, .invalidHeader, .invalidTensorEntry, .missingTensor, .shapeMismatch, .unsupportedDType, .invalidConfig,
      .vocabularyMismatch:
      .data
    }
  }
}
