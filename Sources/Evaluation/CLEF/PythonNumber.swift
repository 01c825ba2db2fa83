import Foundation

/// A number as the CLEF Python script holds it: an `int` or a `float`, which print differently
/// (`3` versus `3.0`).
public enum PythonNumber: Sendable, Hashable {
  /// A Python `int`.
  case int(Int)
  /// A Python `float`.
  case float(Double)

  /// The value as a `Double`.
  public var doubleValue: Double {
    switch self {
    case .int(let value): Double(value)
    case .float(let value): value
    }
  }

  /// Python's `a + b`: `int + int` stays an `int`, anything else is a `float`.
  static func + (lhs: PythonNumber, rhs: PythonNumber) -> PythonNumber {
    switch (lhs, rhs) {
    case (.int(let a), .int(let b)): .int(a + b)
    default: .float(lhs.doubleValue + rhs.doubleValue)
    }
  }

  /// `str(value)` after the script's rounding in `EvalMeasure.print_scores`: a float below 1 is
  /// `round(value, 3)`, any other float `round(value, 0)`; an int prints as is.
  var clefFormatted: String {
    switch self {
    case .int(let value): "\(value)"
    case .float(let value):
      value < 1 ? PythonFormat.repr(PythonFormat.round(value, digits: 3))
        : PythonFormat.repr(PythonFormat.round(value, digits: 0))
    }
  }
}

/// Python 3 float rounding and printing, reproduced exactly.
enum PythonFormat {
  /// Python 3 `round(x, digits)`: correctly rounded, half to even on the exact binary value.
  ///
  /// glibc's `printf("%.*f")` rounds the exact binary value with the current (nearest-even)
  /// rounding mode, and parsing its output back gives the nearest double, as CPython does.
  static func round(_ x: Double, digits: Int) -> Double {
    guard x.isFinite else { return x }
    if digits == 0 { return x.rounded(.toNearestOrEven) }
    let text = String(format: "%.\(digits)f", x)
    return Double(text) ?? x
  }

  /// Python 3 `repr(float)`: the shortest string that round-trips, which Swift's `description`
  /// also produces for the magnitudes the script prints.
  static func repr(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    return x.description
  }
}
