import Foundation
import Testing

/// Whether two doubles agree within an absolute tolerance.
func isClose(_ a: Double?, _ b: Double?, tolerance: Double = 1e-6) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  return abs(a - b) <= tolerance
}

/// Expects two doubles to agree within a tolerance, reporting both values.
func expectClose(
  _ actual: Double?, _ expected: Double?, tolerance: Double = 1e-6,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    isClose(actual, expected, tolerance: tolerance),
    "got \(String(describing: actual)), expected \(String(describing: expected))",
    sourceLocation: sourceLocation)
}
