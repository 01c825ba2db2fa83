import Adapters
import Encoder
import Failures

// The categories of the model layers' errors. They belong beside the types, in
// Sources/Encoder/EncoderError.swift and Sources/Adapters/AdapterError.swift (with Failures added
// to those targets' dependencies); they stand here until the rewrite of those targets has landed,
// so that the two changes do not touch the same files.

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

extension AdapterError: CategorizedError {
  public var category: ErrorCategory {
    switch self {
    case .invalidOption: .usage
    case .encoder(let error): error.category
    case .baseModelMismatch, .invalidCheckpoint: .data
    case .lapack: .software
    }
  }
}
