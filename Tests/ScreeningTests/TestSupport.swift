import Corpus
import Foundation
import Testing

@testable import Screening

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
