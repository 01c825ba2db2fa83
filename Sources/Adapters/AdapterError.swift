import Encoder
import Failures
import Tensor

/// Errors of the adapter layer: invalid options, checkpoints that do not fit, failed SVDs.
public enum AdapterError: Error, Sendable, Equatable, CustomStringConvertible {
  /// An option is out of range or contradicts the model (`--rank 500` on a 384-wide layer, ...).
  case invalidOption(option: String, reason: String)
  /// An adapter checkpoint was trained on another base model.
  case baseModelMismatch(file: String, expected: String, found: String)
  /// An adapter checkpoint or PEFT directory is malformed.
  case invalidCheckpoint(file: String, reason: String)
  /// The encoder rejected something (shapes, files).
  case encoder(EncoderError)
  /// A LAPACK routine failed (SVD initialisation).
  case lapack(String)

  public var description: String {
    switch self {
    case .invalidOption(let option, let reason): "invalid \(option): \(reason)"
    case .baseModelMismatch(let file, let expected, let found):
      "\(file): adapter was trained on base model \(expected), but the base model given is \(found)"
    case .invalidCheckpoint(let file, let reason): "\(file): \(reason)"
    case .encoder(let e): e.description
    case .lapack(let reason): "SVD failed: \(reason)"
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
