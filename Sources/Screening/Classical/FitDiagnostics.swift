import Foundation

/// How an iterative training run ended.
public struct FitDiagnostics: Sendable, Hashable, Codable {
  /// Outer iterations (Newton steps or coordinate-descent epochs) run.
  public var iterations: Int
  /// Whether the stopping criterion was met before the iteration limit.
  public var converged: Bool
  /// The final value of the training objective (primal for logistic regression, dual for the SVM).
  public var objective: Double

  /// Creates diagnostics.
  public init(iterations: Int, converged: Bool, objective: Double) {
    self.iterations = iterations
    self.converged = converged
    self.objective = objective
  }
}
