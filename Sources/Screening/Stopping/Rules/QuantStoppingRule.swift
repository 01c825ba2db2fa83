import Foundation

/// The model-based recall estimate of Quant and QuantCI.
///
/// With calibrated probabilities pᵢ for all N records: K = Σ_screened pᵢ, U = Σ_unscreened pᵢ,
/// estimated recall K / (K + U); V_all = Σ_all pᵢ(1 − pᵢ), V_unscreened likewise.
public struct QuantRecallEstimate: Sendable, Hashable {
  /// K: the probability mass of the screened records.
  public var screenedMass: Double
  /// U: the probability mass of the unscreened records.
  public var unscreenedMass: Double
  /// V_all = Σ pᵢ(1 − pᵢ) over all records.
  public var varianceAll: Double
  /// V_unscreened = Σ pᵢ(1 − pᵢ) over the unscreened records.
  public var varianceUnscreened: Double

  /// K / (K + U).
  public var recall: Double { screenedMass / (screenedMass + unscreenedMass) }

  /// The variance of the estimate as tarexp `QuantStoppingRule` computes it:
  /// K²/(K + U)⁴ · V_all + 1/(K + U)² · (V_all − V_unscreened).
  public var variance: Double {
    let sum = screenedMass + unscreenedMass
    return screenedMass * screenedMass / pow(sum, 4) * varianceAll
      + (varianceAll - varianceUnscreened) / (sum * sum)
  }

  /// The estimate for a state, or a reason why it cannot be computed (missing scores, scores
  /// outside [0, 1], zero mass).
  public static func estimate(for progress: ScreeningProgress) -> Result<QuantRecallEstimate, QuantEstimateFailure> {
    guard let screened = progress.scores, let unscreened = progress.unscreenedScores else {
      return .failure(
        QuantEstimateFailure(
          reason: "needs the model's probabilities for all \(progress.total) records (screened and unscreened)"))
    }
    if let bad = (screened + unscreened).first(where: { $0 < 0 || $0 > 1 }) {
      return .failure(QuantEstimateFailure(reason: "needs probabilities in [0, 1], found score \(bad)"))
    }
    let known = screened.reduce(0, +)
    let unknown = unscreened.reduce(0, +)
    guard known + unknown > 0 else {
      return .failure(QuantEstimateFailure(reason: "the probabilities sum to 0, so recall cannot be estimated"))
    }
    let unknownVariance = unscreened.reduce(0) { $0 + $1 * (1 - $1) }
    let allVariance = screened.reduce(unknownVariance) { $0 + $1 * (1 - $1) }
    return .success(
      QuantRecallEstimate(
        screenedMass: known, unscreenedMass: unknown, varianceAll: allVariance, varianceUnscreened: unknownVariance))
  }
}

/// Why a Quant estimate could not be computed.
public struct QuantEstimateFailure: Error, Sendable, Hashable {
  /// The sentence shown to the user.
  public var reason: String
}

/// Yang, Lewis & Frieder's Quant rule: stop when the model's estimated recall reaches the target.
///
/// Definition (Yang, Lewis & Frieder, "Heuristic stopping rules for technology-assisted review",
/// DocEng 2021, arXiv 2106.09871; tarexp `QuantStoppingRule` with nstd = 0): with the current
/// model's calibrated probabilities pᵢ for every record, stop when
/// Σ_screened pᵢ / Σ_all pᵢ ≥ τ. Needs `scores` and `unscreenedScores`; otherwise not
/// applicable. (tarexp also waits for two training rounds; the caller decides when scores exist.)
public struct QuantStoppingRule: StoppingRule {
  /// τ, the target recall.
  public let targetRecall: Double

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for τ outside (0, 1].
  public init(targetRecall: Double) throws(StoppingError) {
    try StoppingValidation.recall(targetRecall, rule: "quant")
    self.targetRecall = targetRecall
  }

  /// `quant:0.95`.
  public var name: String { "quant:" + StoppingFormat.number(targetRecall, digits: 6) }

  /// Stop when the estimated recall is at least τ.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    switch QuantRecallEstimate.estimate(for: progress) {
    case .failure(let failure):
      return .notApplicable(failure.reason)
    case .success(let estimate):
      let text =
        "estimated recall \(StoppingFormat.number(estimate.recall)) = "
        + "\(StoppingFormat.number(estimate.screenedMass)) / "
        + "\(StoppingFormat.number(estimate.screenedMass + estimate.unscreenedMass))"
      let target = StoppingFormat.number(targetRecall)
      return estimate.recall >= targetRecall
        ? .stop(text + " ≥ \(target)", statistic: estimate.recall)
        : .keepScreening(text + " < \(target)", statistic: estimate.recall)
    }
  }
}

/// Yang, Lewis & Frieder's QuantCI rule: Quant with a lower confidence bound.
///
/// Definition (Yang, Lewis & Frieder DocEng 2021; tarexp `QuantStoppingRule` with nstd = 2): stop
/// when K/(K + U) − nstd·√Var ≥ τ with Var = K²/(K + U)⁴ · V_all + 1/(K + U)² · (V_all −
/// V_unscreened) (see `QuantRecallEstimate`). Needs scores for every record.
public struct QuantCIStoppingRule: StoppingRule {
  /// τ, the target recall.
  public let targetRecall: Double
  /// nstd, the number of standard deviations subtracted (2).
  public let standardDeviations: Double

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for τ outside (0, 1] or a negative nstd.
  public init(targetRecall: Double, standardDeviations: Double = 2) throws(StoppingError) {
    try StoppingValidation.recall(targetRecall, rule: "quantci")
    guard standardDeviations.isFinite, standardDeviations >= 0 else {
      throw .invalidParameter(
        rule: "quantci", parameter: "the standard deviations", expected: "a non-negative number",
        found: "\(standardDeviations)")
    }
    self.targetRecall = targetRecall
    self.standardDeviations = standardDeviations
  }

  /// `quantci:0.95` or `quantci:0.95:3`.
  public var name: String {
    "quantci:" + StoppingFormat.number(targetRecall, digits: 6)
      + (standardDeviations == 2 ? "" : ":" + StoppingFormat.number(standardDeviations, digits: 6))
  }

  /// Stop when the lower bound of the estimated recall is at least τ.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    switch QuantRecallEstimate.estimate(for: progress) {
    case .failure(let failure):
      return .notApplicable(failure.reason)
    case .success(let estimate):
      let deviation = estimate.variance.squareRoot()
      let bound = estimate.recall - standardDeviations * deviation
      let text =
        "estimated recall \(StoppingFormat.number(estimate.recall)) − "
        + "\(StoppingFormat.number(standardDeviations)) × \(StoppingFormat.number(deviation)) = "
        + StoppingFormat.number(bound)
      let target = StoppingFormat.number(targetRecall)
      return bound >= targetRecall
        ? .stop(text + " ≥ \(target)", statistic: bound)
        : .keepScreening(text + " < \(target)", statistic: bound)
    }
  }
}
