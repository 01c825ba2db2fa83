import Foundation
import Testing

@testable import Screening

/// SplitMix64 (Steele, Lea & Flood 2014), local to the tests so the library imports no RNG.
struct StoppingTestGenerator: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Always returns the largest value, so `Int.random(in: 0..<count)` picks `count − 1`: the
/// Target sample is then drawn from the end of the order, which can be followed on paper.
struct StoppingLastPickGenerator: RandomNumberGenerator {
  mutating func next() -> UInt64 { .max }
}

/// Labels from a pattern such as "1101 000" (spaces ignored).
func stoppingPattern(_ pattern: String) -> [Bool] {
  pattern.compactMap { character in
    switch character {
    case "1": true
    case "0": false
    default: nil
    }
  }
}

/// `count` copies of `label`.
func stoppingRun(_ label: Bool, _ count: Int) -> [Bool] { Array(repeating: label, count: count) }

func stoppingProgress(_ labels: [Bool], total: Int) throws -> ScreeningProgress {
  try ScreeningProgress(labels: labels, total: total)
}

/// The first n (1…N) where the rule says stop on `order`, or nil.
func stoppingFirstStop(of rule: some StoppingRule, in order: [Bool]) throws -> Int? {
  let screeningOrder = try ScreeningOrder(labels: order)
  for n in 1...order.count where rule.decision(for: screeningOrder.progress(afterScreening: n)).shouldStop {
    return n
  }
  return nil
}

func stoppingIsClose(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-15) -> Bool {
  abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
}
