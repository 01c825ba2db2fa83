import Foundation

/// The hypergeometric distribution: the number of successes X in `draws` draws without
/// replacement from a population of `population` items of which `successes` are successes.
///
/// Parameterised as `scipy.stats.hypergeom(M = population, n = successes, N = draws)`.
public enum HypergeometricDistribution {
  /// log C(n, k) through `lgamma`.
  static func logChoose(_ n: Int, _ k: Int) -> Double {
    lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
  }

  /// The support bounds max(0, draws − (population − successes))…min(draws, successes), or
  /// `nil` for invalid parameters.
  static func support(population: Int, successes: Int, draws: Int) -> ClosedRange<Int>? {
    guard population >= 0, successes >= 0, successes <= population, draws >= 0, draws <= population else {
      return nil
    }
    return max(0, draws - (population - successes))...min(draws, successes)
  }

  /// P(X = k); `nan` for invalid parameters (as scipy returns).
  public static func pmf(_ k: Int, population: Int, successes: Int, draws: Int) -> Double {
    guard let range = support(population: population, successes: successes, draws: draws) else { return .nan }
    guard range.contains(k) else { return 0 }
    return exp(
      logChoose(successes, k) + logChoose(population - successes, draws - k) - logChoose(population, draws))
  }

  /// P(X ≤ k) (`scipy.stats.hypergeom.cdf(k, M, n, N)`); `nan` for invalid parameters.
  ///
  /// Sums the probabilities from the bottom of the support to k, each obtained from the
  /// previous by the ratio P(x + 1)/P(x) = (K − x)(n − x) / ((x + 1)(M − K − n + x + 1)) in log
  /// space, so that no term underflows before the sum is formed (log-sum-exp).
  ///
  /// - Complexity: O(k − lower bound + 1).
  public static func cdf(_ k: Int, population: Int, successes: Int, draws: Int) -> Double {
    guard let range = support(population: population, successes: successes, draws: draws) else { return .nan }
    if k < range.lowerBound { return 0 }
    if k >= range.upperBound { return 1 }
    let lower = range.lowerBound
    var logTerm =
      logChoose(successes, lower) + logChoose(population - successes, draws - lower)
      - logChoose(population, draws)
    var logTerms = [logTerm]
    logTerms.reserveCapacity(k - lower + 1)
    var x = lower
    while x < k {
      let numerator = Double(successes - x) * Double(draws - x)
      let denominator = Double(x + 1) * Double(population - successes - draws + x + 1)
      logTerm += log(numerator / denominator)
      logTerms.append(logTerm)
      x += 1
    }
    let largest = logTerms.max() ?? logTerm
    let sum = logTerms.reduce(0) { $0 + exp($1 - largest) }
    return min(1, exp(largest) * sum)
  }
}
