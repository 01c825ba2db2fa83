import Foundation

/// A declared option of any value type: what ``CommandSpec`` needs to parse and to show it.
public protocol OptionDeclaration: Sendable {
  var spec: OptionSpec { get }
}

/// An option that takes a value, declared once: its name, placeholder, help, default and the
/// values it accepts. The parser and the help text read its ``spec``; a command reads its value
/// with `arguments[option]`, typed `Value`.
///
/// An option with a default reads as that default when absent (and the help says
/// `(default …)`); one without reads as nil (`Value` is optional). A value that does not parse,
/// or falls outside the declared range, is a ``UsageError`` naming the option, what it expects and
/// what was given.
public struct Option<Value: Sendable>: OptionDeclaration {
  public let spec: OptionSpec
  /// The value from the texts given for the option (none when it is absent); throws a message
  /// without the command, which ``ParsedArguments`` adds.
  let read: @Sendable (_ given: [String]) throws(OptionValueError) -> Value

  public var name: String { spec.name }

  init(spec: OptionSpec, read: @escaping @Sendable (_ given: [String]) throws(OptionValueError) -> Value) {
    self.spec = spec
    self.read = read
  }

  /// An option of one value that `parse` reads (nil: refused as not `expects`), `fallback` when
  /// absent. The base of every other one-value option.
  ///
  /// - Parameters:
  ///   - shownDefault: the default as the help text shows it; nil shows none.
  ///   - expects: what a value must be, for the error message ("a whole number in [1, 64]").
  public init(
    _ name: String, short: Character? = nil, aliases: [String] = [], value placeholder: String, help: String,
    default fallback: Value, shownDefault: String?, expects: String,
    parse: @escaping @Sendable (String) -> Value?
  ) {
    spec = OptionSpec(name, value: placeholder, help: help, short: short, aliases: aliases, defaultText: shownDefault)
    read = { (given: [String]) throws(OptionValueError) -> Value in
      guard let text = given.last else { return fallback }
      guard let value = parse(text) else { throw OptionValueError("--\(name) expects \(expects), got '\(text)'") }
      return value
    }
  }
}

/// Why a given value was refused: the message of the ``UsageError``.
struct OptionValueError: Error {
  var message: String
  init(_ message: String) { self.message = message }
}

/// A flag: an option without a value, true when given.
public struct Flag: OptionDeclaration {
  public let spec: OptionSpec
  public init(_ name: String, short: Character? = nil, help: String) {
    spec = OptionSpec(name, help: help, short: short)
  }
}

extension Option {
  /// An option of one value that `parse` reads (nil: refused as not `expects`), nil when absent.
  public init<Parsed: Sendable>(
    _ name: String, value placeholder: String, help: String, expects: String, parse: @escaping @Sendable (String) -> Parsed?
  ) where Value == Parsed? {
    self.init(
      name, value: placeholder, help: help, default: nil, shownDefault: nil, expects: expects,
      parse: { text -> Parsed?? in parse(text).map { Optional($0) } })
  }
}

// MARK: - Text and paths

extension Option where Value == String? {
  /// Free text, nil when absent.
  public init(_ name: String, short: Character? = nil, aliases: [String] = [], value placeholder: String, help: String) {
    self.init(
      name, short: short, aliases: aliases, value: placeholder, help: help, default: nil, shownDefault: nil, expects: "",
      parse: { $0 })
  }
}

extension Option where Value == String {
  /// Free text, `fallback` when absent.
  public init(_ name: String, value placeholder: String, help: String, default fallback: String) {
    self.init(name, value: placeholder, help: help, default: fallback, shownDefault: fallback, expects: "", parse: { $0 })
  }
}

extension Option where Value == URL? {
  /// A file or directory path, nil when absent.
  public init(path name: String, short: Character? = nil, aliases: [String] = [], value placeholder: String, help: String) {
    self.init(
      name, short: short, aliases: aliases, value: placeholder, help: help, default: nil, shownDefault: nil, expects: "",
      parse: { URL(fileURLWithPath: $0) })
  }
}

extension Option where Value == URL {
  /// A file or directory path, `fallback` when absent.
  public init(path name: String, value placeholder: String, help: String, default fallback: String) {
    self.init(
      name, value: placeholder, help: help, default: URL(fileURLWithPath: fallback), shownDefault: fallback, expects: "",
      parse: { URL(fileURLWithPath: $0) })
  }
}

extension Option where Value == [String]? {
  /// A comma-separated list (`--collections a,b`): its non-empty, trimmed items; nil when absent.
  public init(list name: String, value placeholder: String, help: String) {
    self.init(
      name, value: placeholder, help: help, default: nil, shownDefault: nil, expects: "",
      parse: { text in text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } })
  }
}

extension Option where Value == [String] {
  /// An option given any number of times, each time with one or more values (up to the next
  /// option): all of them in order, none when absent.
  public init(repeated name: String, value placeholder: String, help: String) {
    spec = OptionSpec(name, value: placeholder, help: help, repeated: true)
    read = { (given: [String]) throws(OptionValueError) -> [String] in given }
  }
}

// MARK: - Numbers

extension Option {
  /// A whole number in `range`, `fallback` when absent.
  public init(
    _ name: String, value placeholder: String, help: String, default fallback: Value, in range: ClosedRange<Value>
  ) where Value: FixedWidthInteger {
    self.init(
      name, value: placeholder, help: help, default: fallback, shownDefault: String(fallback),
      expects: "a whole number \(phrase(range))", parse: { Value($0).flatMap { range.contains($0) ? $0 : nil } })
  }

  /// A whole number in `range`, nil when absent.
  public init<Whole: FixedWidthInteger & Sendable>(
    _ name: String, value placeholder: String, help: String, in range: ClosedRange<Whole>
  ) where Value == Whole? {
    self.init(
      name, value: placeholder, help: help, default: nil, shownDefault: nil,
      expects: "a whole number \(phrase(range))",
      parse: { text -> Whole?? in Whole(text).flatMap { range.contains($0) ? Optional($0) : nil }.map { Optional($0) } })
  }

  /// A finite number in `range`, `fallback` when absent.
  /// - Parameter noun: what a value is, for the error message ("a share in [0, 1)").
  public init(
    _ name: String, value placeholder: String, help: String, default fallback: Double, in range: NumberRange,
    noun: String = "a number"
  ) where Value == Double {
    self.init(
      name, value: placeholder, help: help, default: fallback, shownDefault: NumberRange.show(fallback),
      expects: "\(noun) \(range.phrase)", parse: { range.value(parsing: $0) })
  }

  /// A finite number in `range`, nil when absent.
  public init(
    _ name: String, value placeholder: String, help: String, in range: NumberRange, noun: String = "a number"
  ) where Value == Double? {
    self.init(
      name, value: placeholder, help: help, default: nil, shownDefault: nil, expects: "\(noun) \(range.phrase)",
      parse: { text -> Double?? in range.value(parsing: text).map { Optional($0) } })
  }
}

/// "in [1, 64]", or "of at least 0" for a range up to the type's largest value.
private func phrase<Whole: FixedWidthInteger>(_ range: ClosedRange<Whole>) -> String {
  range.upperBound == .max ? "of at least \(range.lowerBound)" : "in [\(range.lowerBound), \(range.upperBound)]"
}

/// An interval of finite numbers, each end closed, open or unbounded: what a number option accepts.
public struct NumberRange: Sendable, Equatable {
  public var lower: Double
  public var upper: Double
  public var lowerIncluded: Bool
  public var upperIncluded: Bool

  /// [lower, upper]
  public static func closed(_ lower: Double, _ upper: Double) -> NumberRange { .init(lower, true, upper, true) }
  /// [lower, upper)
  public static func upperOpen(_ lower: Double, _ upper: Double) -> NumberRange { .init(lower, true, upper, false) }
  /// (lower, upper]
  public static func lowerOpen(_ lower: Double, _ upper: Double) -> NumberRange { .init(lower, false, upper, true) }
  /// (0, ∞): every finite number above 0.
  public static let positive = NumberRange(0, false, .infinity, false)
  /// [lower, ∞)
  public static func atLeast(_ lower: Double) -> NumberRange { .init(lower, true, .infinity, false) }

  init(_ lower: Double, _ lowerIncluded: Bool, _ upper: Double, _ upperIncluded: Bool) {
    self.lower = lower
    self.upper = upper
    self.lowerIncluded = lowerIncluded
    self.upperIncluded = upperIncluded
  }

  public func contains(_ x: Double) -> Bool {
    x.isFinite && (lowerIncluded ? x >= lower : x > lower) && (upperIncluded ? x <= upper : x < upper)
  }

  func value(parsing text: String) -> Double? {
    Double(text).flatMap { contains($0) ? $0 : nil }
  }

  /// A whole number without its ".0", any other as Swift prints it (0.0001).
  static func show(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)" }

  /// "in [0, 1)", or "above 0" for an unbounded upper end.
  var phrase: String {
    let show = Self.show
    guard upper.isFinite else { return lowerIncluded ? "of at least \(show(lower))" : "above \(show(lower))" }
    return "in \(lowerIncluded ? "[" : "(")\(show(lower)), \(show(upper))\(upperIncluded ? "]" : ")")"
  }
}

// MARK: - Choices

extension Option where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
  /// One of `Value`'s cases by raw value, `fallback` when absent. The placeholder lists the
  /// cases (`ta|ft`) unless one is given.
  public init(_ name: String, value placeholder: String? = nil, help: String, default fallback: Value) {
    self.init(
      name, value: placeholder ?? Self.cases(Value.self, separator: "|"), help: help, default: fallback,
      shownDefault: fallback.rawValue, expects: "one of \(Self.cases(Value.self, separator: ", "))",
      parse: { Value(rawValue: $0) })
  }
}

extension Option {
  /// One of `Choice`'s cases by raw value, nil when absent.
  public init<Choice: RawRepresentable & CaseIterable & Sendable>(
    _ name: String, value placeholder: String? = nil, help: String, choices: Choice.Type
  ) where Value == Choice?, Choice.RawValue == String {
    self.init(
      name, value: placeholder ?? Self.cases(Choice.self, separator: "|"), help: help, default: nil, shownDefault: nil,
      expects: "one of \(Self.cases(Choice.self, separator: ", "))",
      parse: { text -> Choice?? in Choice(rawValue: text).map { Optional($0) } })
  }

  static func cases<Choice: RawRepresentable & CaseIterable>(_: Choice.Type, separator: String) -> String
  where Choice.RawValue == String {
    Choice.allCases.map(\.rawValue).joined(separator: separator)
  }
}
