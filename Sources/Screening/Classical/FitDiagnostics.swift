import Foundation

/// How an iterative training run ended.
public struct FitDiagnostics: Sendable, Hashable, Codable {
  /// Outer iterations (Newton steps or coordinate-descent epochs) run.
  public var iterations: Int
  /// Whether the stopping criterion was met before the iteration limit.
  public var converged: Bool
  /// The final value of the training objective (primal for logistic regression, dual for the SVM).
  public var objective: Double
  /// Inner iterations over all outer ones (conjugate-gradient steps of logistic regression's
  /// Newton solver), where the solver has them: the work of a fit, for benchmarks.
  public var innerIterations: Int?

  /// Creates diagnostics.
  public init(iterations: Int, converged: Bool, objective: Double, innerIterations: Int? = nil) {
    self.iterations = iterations
    self.converged = converged
    self.objective = objective
    self.innerIterations = innerIterations
  }
}
