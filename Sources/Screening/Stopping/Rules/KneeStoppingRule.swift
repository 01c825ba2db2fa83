import Foundation

/// A knee of the gain curve (rank, relret) and its slope ratio.
public struct GainCurveKnee: Sendable, Hashable {
  /// The knee's rank k (1 ≤ k < n).
  public var rank: Int
  /// relret(k): relevant records among the first k.
  public var relevantCount: Int
  /// ρ = (relret(k) / k) / ((1 + relret(n) − relret(k)) / (n − k)).
  public var slopeRatio: Double
}

/// Cormack & Grossman's knee method: stop when the gain curve has flattened after a knee.
///
/// Definition (Cormack & Grossman, "Engineering quality and reliability in technology-assisted
/// review", SIGIR 2016, §4; tarexp `KneeStoppingRule`; auto-stop-tar `knee.py`):
/// - gain curve: (i, relret(i)) for i = 1…n;
/// - knee k: by default the Kneedle point of the unsmoothed, min–max normalised curve, i.e. the
///   rank 1 ≤ k < n maximising relret(k)/relret(n) − k/n (the point farthest above the chord from
///   the origin to (n, relret(n)); the first such rank on ties). `.maximumRatio` instead takes the
///   k with the largest ρ, as tarexp does at round boundaries;
/// - slope ratio ρ = (relret(k)/k) / ((1 + relret(n) − relret(k)) / (n − k)); the +1 keeps it
///   finite when nothing was found after the knee;
/// - stop when ρ ≥ 156 − min(relret(n), 150) (the adjustment: ρ ≥ 6 once 150 relevant records
///   were found, a stricter ratio before) **and** n ≥ 150 (`minimumScreened`).
///
/// With the adjusted threshold the 150 minimum rarely binds (a curve whose relevant records all
/// come first reaches ρ = n − r ≥ 156 − r only at n ≥ 156); it does with a fixed threshold.
/// Reproductions differ on the minimum: auto-stop-tar uses 100, Yang et al. (2021) and allib
/// 1,000; pass `minimumScreened` to match them. No relevant record found: never stops.
public struct KneeStoppingRule: StoppingRule {
  /// The slope-ratio threshold.
  public enum Threshold: Sendable, Hashable {
    /// 156 − min(relret(n), 150), Cormack & Grossman's adjusted threshold.
    case adjusted
    /// A fixed ratio (Cormack & Grossman's unadjusted knee method uses 6).
    case fixed(Double)
  }

  /// How the knee is located.
  public enum KneeLocation: Sendable, Hashable {
    /// The rank farthest above the chord of the normalised gain curve (Kneedle, unsmoothed).
    case farthestFromChord
    /// The rank with the largest slope ratio (tarexp).
    case maximumRatio
  }

  /// Fewest screened records before the rule may stop (150).
  public let minimumScreened: Int
  /// The slope-ratio threshold.
  public let threshold: Threshold
  /// How the knee is located.
  public let kneeLocation: KneeLocation

  /// Creates the rule.
  ///
  /// - Throws: `StoppingError.invalidParameter` for a negative minimum or a non-positive ratio.
  public init(
    minimumScreened: Int = 150, threshold: Threshold = .adjusted, kneeLocation: KneeLocation = .farthestFromChord
  ) throws(StoppingError) {
    guard minimumScreened >= 0 else {
      throw .invalidParameter(
        rule: "knee", parameter: "the minimum screened", expected: "a non-negative integer", found: "\(minimumScreened)"
      )
    }
    if case .fixed(let ratio) = threshold, !(ratio.isFinite && ratio > 0) {
      throw .invalidParameter(
        rule: "knee", parameter: "the slope ratio", expected: "a positive number", found: "\(ratio)")
    }
    self.minimumScreened = minimumScreened
    self.threshold = threshold
    self.kneeLocation = kneeLocation
  }

  /// `knee`, `knee:1000`, `knee:150:6` (fixed ratio); `+max-ratio` marks the tarexp knee.
  public var name: String {
    var name = "knee"
    switch threshold {
    case .adjusted:
      if minimumScreened != 150 { name += ":\(minimumScreened)" }
    case .fixed(let ratio):
      name += ":\(minimumScreened):" + StoppingFormat.number(ratio, digits: 6)
    }
    if kneeLocation == .maximumRatio { name += "+max-ratio" }
    return name
  }

  /// The threshold ρ must reach with `relevantCount` relevant records found.
  public func requiredRatio(relevantCount: Int) -> Double {
    switch threshold {
    case .adjusted: Double(156 - min(relevantCount, 150))
    case .fixed(let ratio): ratio
    }
  }

  /// The knee of the gain curve so far, or `nil` when n < 2 or nothing relevant was found.
  ///
  /// - Complexity: O(n).
  public static func knee(in progress: ScreeningProgress, location: KneeLocation) -> GainCurveKnee? {
    let n = progress.screenedCount
    let r = progress.relevantCount
    guard n >= 2, r > 0 else { return nil }
    func ratio(_ k: Int) -> Double {
      let before = progress.relevant(inFirst: k)
      return (Double(before) / Double(k)) / (Double(1 + r - before) / Double(n - k))
    }
    var best = 1
    switch location {
    case .farthestFromChord:
      // relret(k)/r − k/n ∝ relret(k)·n − k·r: exact in integers.
      var bestHeight = Int.min
      for k in 1..<n {
        let height = progress.relevant(inFirst: k) * n - k * r
        if height > bestHeight {
          bestHeight = height
          best = k
        }
      }
    case .maximumRatio:
      var bestRatio = -Double.infinity
      for k in 1..<n {
        let value = ratio(k)
        if value > bestRatio {
          bestRatio = value
          best = k
        }
      }
    }
    return GainCurveKnee(rank: best, relevantCount: progress.relevant(inFirst: best), slopeRatio: ratio(best))
  }

  /// Stop when n ≥ `minimumScreened` and ρ at the knee reaches the threshold.
  public func decision(for progress: ScreeningProgress) -> StopDecision {
    let n = progress.screenedCount
    let r = progress.relevantCount
    guard let knee = Self.knee(in: progress, location: kneeLocation) else {
      return .keepScreening(r == 0 ? "no relevant record found yet, so no knee" : "too few records for a knee")
    }
    let required = requiredRatio(relevantCount: r)
    let requirement: String
    switch threshold {
    case .adjusted: requirement = StoppingFormat.number(required) + " (156 − min(\(r), 150))"
    case .fixed: requirement = StoppingFormat.number(required)
    }
    let ratio = StoppingFormat.number(knee.slopeRatio)
    let at = "knee at \(knee.rank) (\(knee.relevantCount) relevant) with slope ratio \(ratio)"
    guard knee.slopeRatio >= required else {
      return .keepScreening(at + " < \(requirement)", statistic: knee.slopeRatio)
    }
    guard n >= minimumScreened else {
      return .keepScreening(
        at + " ≥ \(requirement), but only \(n) screened < \(minimumScreened)", statistic: knee.slopeRatio)
    }
    return .stop(at + " ≥ \(requirement); \(n) screened ≥ \(minimumScreened)", statistic: knee.slopeRatio)
  }
}
