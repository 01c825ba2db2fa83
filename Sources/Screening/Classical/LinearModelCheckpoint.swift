/// The checkpoint both linear models (logistic regression, linear SVM) write:
/// `{configuration, coef, intercept, diagnostics}`, decoded and checked in one place.
struct LinearModelCheckpoint<Configuration: Codable>: Encodable {
  var configuration: Configuration
  var coefficients: [Double]
  var intercept: Double
  var diagnostics: FitDiagnostics?

  enum CodingKeys: String, CodingKey {
    case configuration
    case coefficients = "coef"
    case intercept
    case diagnostics
  }

  init(configuration: Configuration, coefficients: [Double], intercept: Double, diagnostics: FitDiagnostics?) {
    self.configuration = configuration
    self.coefficients = coefficients
    self.intercept = intercept
    self.diagnostics = diagnostics
  }

  /// Decodes the configuration first and validates it, then the coefficients, which must be finite.
  /// - Parameter model: The model's name for messages, e.g. "linear SVM".
  init(from decoder: any Decoder, model: String, validate: (Configuration) throws -> Void) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    configuration = try container.decode(Configuration.self, forKey: .configuration)
    try validate(configuration)
    coefficients = try container.decode([Double].self, forKey: .coefficients)
    intercept = try container.decode(Double.self, forKey: .intercept)
    guard coefficients.allSatisfy(\.isFinite), intercept.isFinite else {
      throw ScreeningError.invalidCheckpoint(reason: "\(model): expected finite coefficients and intercept")
    }
    diagnostics = try container.decodeIfPresent(FitDiagnostics.self, forKey: .diagnostics)
  }
}
