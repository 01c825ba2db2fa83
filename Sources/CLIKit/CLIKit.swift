import Failures
import Foundation

/// A deliberately small command-line parser: long options (`--name value`, `--name=value`),
/// flags, repeated options, positionals, `--help`, and help text generated from the declaration.

/// One option of a command.
public struct OptionSpec: Sendable, Equatable {
  public var name: String
  /// The placeholder of the value; nil for a flag.
  public var valueName: String?
  public var help: String
  /// Whether it may be given several times (or take several values up to the next option).
  public var repeated: Bool
  public var short: Character?

  public init(_ name: String, value: String? = nil, help: String, repeated: Bool = false, short: Character? = nil) {
    self.name = name
    self.valueName = value
    self.help = help
    self.repeated = repeated
    self.short = short
  }
}

/// A positional argument.
public struct PositionalSpec: Sendable, Equatable {
  public var name: String
  public var help: String
  public var optional: Bool
  /// Takes every remaining argument (the last positional only).
  public var repeated: Bool
  public init(_ name: String, help: String, optional: Bool = false, repeated: Bool = false) {
    self.name = name
    self.help = help
    self.optional = optional
    self.repeated = repeated
  }
}

/// A command's declaration.
public struct CommandSpec: Sendable, Equatable {
  public var name: String
  public var abstract: String
  public var options: [OptionSpec]
  public var positionals: [PositionalSpec]
  /// Extra paragraphs shown after the options (examples, notes).
  public var discussion: String

  public init(name: String, abstract: String, options: [OptionSpec] = [], positionals: [PositionalSpec] = [], discussion: String = "") {
    self.name = name
    self.abstract = abstract
    self.options = options
    self.positionals = positionals
    self.discussion = discussion
  }

  /// The help text: usage line, abstract, arguments, options, discussion.
  public var helpText: String {
    var usage = "usage: \(name)"
    for option in options where option.name != "help" {
      let value = option.valueName.map { " <\($0)>" } ?? ""
      usage += " [--\(option.name)\(value)\(option.repeated ? " ..." : "")]"
    }
    for positional in positionals {
      usage += positional.optional ? " [\(positional.name)]" : " <\(positional.name)>"
    }
    var lines = [abstract, "", usage]
    if !positionals.isEmpty {
      lines += ["", "ARGUMENTS:"]
      for positional in positionals { lines.append(Self.row("<\(positional.name)>", positional.help)) }
    }
    lines += ["", "OPTIONS:"]
    for option in options + [OptionSpec("help", help: "Show this help.", short: "h")] where option.name != "help" || !options.contains(where: { $0.name == "help" }) {
      var left = option.short.map { "-\($0), " } ?? ""
      left += "--\(option.name)" + (option.valueName.map { " <\($0)>" } ?? "")
      lines.append(Self.row(left, option.help))
    }
    if !discussion.isEmpty { lines += ["", discussion] }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func row(_ left: String, _ help: String) -> String {
    let padded = left.count < 28 ? left + String(repeating: " ", count: 28 - left.count) : left + "\n" + String(repeating: " ", count: 30)
    return "  " + padded + help
  }
}

/// A usage mistake: what was wrong, and the usage to show with it.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible, CategorizedError {
  public var message: String
  public var command: String
  public init(_ message: String, command: String) {
    self.message = message
    self.command = command
  }
  public var description: String { "\(message)\n(see `\(command) --help`)" }
  public var category: ErrorCategory { .usage }
}

/// The parsed command line.
public struct ParsedArguments: Sendable, Equatable {
  public var command: String
  public var values: [String: [String]] = [:]
  public var flags: Set<String> = []
  public var positionals: [String] = []
  public var helpRequested = false

  public func value(_ name: String) -> String? { values[name]?.last }
  public func values(_ name: String) -> [String] { values[name] ?? [] }
  public func flag(_ name: String) -> Bool { flags.contains(name) }

  /// A required option's value.
  public func require(_ name: String) throws -> String {
    guard let value = value(name) else { throw UsageError("missing required option --\(name)", command: command) }
    return value
  }

  /// An integer option within bounds, or the default.
  public func int(_ name: String, default fallback: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
    guard let text = value(name) else { return fallback }
    guard let number = Int(text), range.contains(number) else {
      throw UsageError("--\(name) expects a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'", command: command)
    }
    return number
  }

  /// A finite number option within bounds, or the default.
  public func double(_ name: String, default fallback: Double, in range: ClosedRange<Double>) throws -> Double {
    guard let text = value(name) else { return fallback }
    guard let number = Double(text), number.isFinite, range.contains(number) else {
      throw UsageError("--\(name) expects a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'", command: command)
    }
    return number
  }

  /// One of a fixed set of choices, or the default.
  public func choice<T: RawRepresentable>(_ name: String, default fallback: T) throws -> T where T.RawValue == String, T: CaseIterable {
    guard let text = value(name) else { return fallback }
    guard let choice = T(rawValue: text) else {
      let options = T.allCases.map(\.rawValue).joined(separator: ", ")
      throw UsageError("--\(name) expects one of \(options), got '\(text)'", command: command)
    }
    return choice
  }

  /// A comma-separated list option (`--collections a,b`), nil when absent.
  public func list(_ name: String) -> [String]? {
    guard values[name] != nil else { return nil }
    return values(name).flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
  }
}

extension CommandSpec {
  /// Parses arguments (without the program and command names).
  /// - Throws: `UsageError` for unknown options, missing values or missing positionals.
  public func parse(_ arguments: [String]) throws -> ParsedArguments {
    var parsed = ParsedArguments(command: name)
    var index = 0
    var onlyPositionals = false
    func option(named key: String) throws -> OptionSpec {
      guard let option = options.first(where: { $0.name == key }) else {
        let close = options.map(\.name).filter { $0.hasPrefix(String(key.prefix(3))) }
        let hint = close.isEmpty ? "" : " (did you mean --\(close[0])?)"
        throw UsageError("unknown option --\(key)\(hint)", command: name)
      }
      return option
    }
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
        parsed.positionals.append(argument)
        continue
      }
      if argument == "--" {
        onlyPositionals = true
        continue
      }
      if argument == "--help" || argument == "-h" {
        parsed.helpRequested = true
        continue
      }
      var key: String
      var inline: String?
      if argument.hasPrefix("--") {
        key = String(argument.dropFirst(2))
        if let equals = key.firstIndex(of: "=") {
          inline = String(key[key.index(after: equals)...])
          key = String(key[..<equals])
        }
      } else {
        guard argument.count == 2, let match = options.first(where: { $0.short == argument.last }) else {
          throw UsageError("unknown option \(argument)", command: name)
        }
        key = match.name
      }
      let spec = try option(named: key)
      guard spec.valueName != nil else {
        if inline != nil { throw UsageError("--\(key) is a flag and takes no value", command: name) }
        parsed.flags.insert(key)
        continue
      }
      if let inline {
        parsed.values[key, default: []].append(inline)
      } else {
        guard index < arguments.count, !arguments[index].hasPrefix("--") else {
          throw UsageError("--\(key) needs a value <\(spec.valueName ?? "value")>", command: name)
        }
        parsed.values[key, default: []].append(arguments[index])
        index += 1
        // A repeated option also takes the values that follow it up to the next option.
        while spec.repeated, index < arguments.count, !arguments[index].hasPrefix("-") {
          parsed.values[key, default: []].append(arguments[index])
          index += 1
        }
      }
      if !spec.repeated, (parsed.values[key]?.count ?? 0) > 1 {
        throw UsageError("--\(key) given more than once", command: name)
      }
    }
    if parsed.helpRequested { return parsed }
    let required = positionals.filter { !$0.optional }.count
    if parsed.positionals.count < required {
      throw UsageError("missing argument <\(positionals[parsed.positionals.count].name)>", command: name)
    }
    if parsed.positionals.count > positionals.count, positionals.last?.repeated != true {
      throw UsageError("unexpected argument '\(parsed.positionals[positionals.count])'", command: name)
    }
    return parsed
  }
}

/// The sysexits codes csmed ends with.
public enum ExitCode: Int32, Sendable {
  case success = 0
  case usage = 64
  case dataError = 65
  case noInput = 66
  case software = 70
  case ioError = 74

  /// The code for a failure of this category.
  public init(_ category: ErrorCategory) {
    switch category {
    case .usage: self = .usage
    case .data: self = .dataError
    case .noInput: self = .noInput
    case .io: self = .ioError
    case .software: self = .software
    }
  }
}
