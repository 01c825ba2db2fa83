import Foundation

/// One hypergeometric test of Callaghan & Müller-Hansen's stopping criterion.
public struct HypergeometricTest: Sendable, Hashable {
  /// j: the urn, the last j screened records treated as a random sample.
  public var urnSize: Int
  /// k: relevant records in the urn.
  public var relevantInUrn: Int
  /// N − (n − j): the population the urn was drawn from (the urn and the unscreened records).
  public var population: Int
  /// K̂ = ⌊r/τ + 1 − (r − k)⌋: the fewest relevant records that population holds if recall < τ.
  public var minimumRelevant: Int
  /// P(X ≤ k) for X ~ Hypergeom(population, K̂, j); 0 when K̂ exceeds the population (the null
  /// hypothesis is impossible).
  public var pValue: Double
}

/// Callaghan & Müller-Hansen's statistical stopping criterion (the BUSCAR hypergeometric test).
///
/// Null hypothesis H0: recall < τ. Treat the last j screened records (the *urn*) as a sample
/// drawn without replacement from the records still unscreened before them, N_j = N − (n − j).
/// With r relevant found in total and k_j in the urn, H0 implies at least
/// K̂_j = ⌊r/τ + 1 − (r − k_j)⌋ relevant records in that population (computed in floating point
/// in that order, as buscarpy does). The p-value of urn j is the hypergeometric
/// P(X ≤ k_j; N_j, K̂_j, j); stop when p < α.
///
/// - `.everyTail` (default): p = min over j = 1…n of p_j. This is buscarpy `calculate_h0` with
///   bias 1 (mcallaghan/buscarpy; also destiny-evidence/stopping-methods `buscar.py` and
///   ASReview's `StatisticalBuscarpy`), applied to a prioritised order: relevant records are
///   rarer in a tail than in a random sample, so treating tails as random is conservative.
/// - `.randomPhase`: the procedure of the paper (Callaghan & Müller-Hansen, "Statistical stopping
///   criteria for automated screening in systematic reviews", Systematic Reviews 9:273, 2020):
///   after prioritised screening, records are drawn uniformly at random from the unscreened
///   ones; the single urn is that trailing random run (`ScreeningProgress.randomlyDrawn`). Not
///   applicable until a random record has been screened.
///
/// Where K̂_j exceeds N_j, scipy returns `nan` (buscarpy's `min` then depends on order); here
/// p_j = 0 because H0 cannot hold. With nothing relevant found, K̂ = 1 and p = (N − n)/N, so the
/// rule stops once more than (1 − α)·N records are screened.
public struct HypergeometricStoppingRule: StoppingRule {
  /// Which urns are tested.
  public enum Urns: Sendable, Hashable {
    /// Every tail of the screening order (buscarpy).
    case everyTail
    /// The trailing run of records drawn at random (the 2020 paper).
    case randomPhase
  }

  /// τ, the target recall.
  public let targetRecall: Double
  /// α, the significance level (1 − confidence).
  public let alpha: Double
  /// Which urns are tested.
  public let urns: Urns

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for τ outside (0, 1] or α outside (0, 1).
  public init(targetRecall: Double = 0.95, alpha: Double = 0.05, urns: Urns = .everyTail) throws(StoppingError) {
    try StoppingValidation.recall(targetRecall, rule: "hypergeometric")
    try StoppingValidation.probability(alpha, rule: "hypergeometric", parameter: "the significance level α")
    self.targetRecall = targetRecall
    self.alpha = alpha
    self.urns = urns
  }

  /// `hypergeometric:0.95` or `hypergeometric:0.95:0.01`; `+random` for the random-phase variant.
  public var name: String {
    "hypergeometric:" + StoppingFormat.number(targetRecall, digits: 6)
      + (alpha == 0.05 ? "" : ":" + StoppingFormat.number(alpha, digits: 6))
      + (urns == .randomPhase ? "+random" : "")
  }

  /// The test of the urn made of the last `urnSize` screened records.
  ///
  /// - Precondition: 1 ≤ `urnSize` ≤ n.
  public func test(lastRecords urnSize: Int, in progress: ScreeningProgress) -> HypergeometricTest {
    precondition(urnSize >= 1 && urnSize <= progress.screenedCount, "urn size outside 1…n")
    let r = progress.relevantCount
    let k = progress.relevant(inLast: urnSize)
    let population = progress.total - (progress.screenedCount - urnSize)
    let minimumRelevant = Int((Double(r) / targetRecall + 1 - Double(r - k)).rounded(.down))
    let pValue: Double
    if minimumRelevant > population {
      pValue = 0
    } else {
      pValue = HypergeometricDistribution.cdf(
        k, population: population, successes: minimumRelevant, draws: urnSize)
    }
    return HypergeometricTest(
      urnSize: urnSize, relevantInUrn: k, population: population, minimumRelevant: minimumRelevant, pValue: pValue)
  }

  /// The test that decides: the smallest p over every tail, or the random phase's test; `nil`
  /// when there is no urn (nothing screened, or no random phase).
  ///
  /// - Complexity: O(n + r) for `.everyTail` (one cdf per tail), O(r) for `.randomPhase`.
  public func decisiveTest(for progress: ScreeningProgress) -> HypergeometricTest? {
    switch urns {
    case .everyTail:
      guard progress.screenedCount > 0 else { return nil }
      var best: HypergeometricTest?
      for j in 1...progress.screenedCount {
        let candidate = test(lastRecords: j, in: progress)
        if let current = best, current.pValue <= candidate.pValue { continue }
        best = candidate
      }
      return best
    case .randomPhase:
      let j = progress.trailingRandomCount
      guard j > 0 else { return nil }
      return test(lastRecords: j, in: progress)
    }
  }

  /// Stop when p < α.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    guard let test = decisiveTest(for: progress) else {
      switch urns {
      case .everyTail: return .keepScreening("nothing screened yet")
      case .randomPhase:
        return .notApplicable("needs records drawn at random after the prioritised screening (none yet)")
      }
    }
    let p = StoppingFormat.number(test.pValue)
    let a = StoppingFormat.number(alpha)
    let hypothesis = "that recall < \(StoppingFormat.percent(targetRecall))"
    let urn =
      " (urn of the last \(test.urnSize) records with \(test.relevantInUrn) relevant; "
      + "K̂ = \(test.minimumRelevant) in \(test.population))"
    if test.pValue < alpha {
      return .stop("p = \(p) < \(a) " + hypothesis + urn, statistic: test.pValue)
    }
    return .keepScreening("p = \(p) ≥ \(a) " + hypothesis + urn, statistic: test.pValue)
  }
}
