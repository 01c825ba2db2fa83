import Foundation

// A deliberately small command-line parser: long options (`--name value`, `--name=value`),
// flags, repeated options, positionals, `--help`, and help text generated from the declaration.
// Options are declared once, as `Option<Value>` or `Flag` (Option.swift); the parser, the help
// text and the reader (`ParsedArguments[option]`) all read that one declaration.

/// One option as the parser and the help text see it, whatever the type of its value.
///
/// Made by ``Option`` and ``Flag``; read back only through them, so that a misspelt name is a
/// compile error rather than an option that reads as absent.
public struct OptionSpec: Sendable, Equatable {
  public var name: String
  /// The placeholder of the value; nil for a flag.
  public var valueName: String?
  public var help: String
  /// Whether it may be given several times (or take several values up to the next option).
  public var repeated: Bool
  public var short: Character?
  /// Older spellings still accepted for `name` (not shown in the help).
  public var aliases: [String]
  /// The default as the help text shows it, `(default 16)`; nil when there is none to show.
  public var defaultText: String?

  init(
    _ name: String, value: String? = nil, help: String, repeated: Bool = false, short: Character? = nil,
    aliases: [String] = [], defaultText: String? = nil
  ) {
    self.name = name
    self.valueName = value
    self.help = help
    self.repeated = repeated
    self.short = short
    self.aliases = aliases
    self.defaultText = defaultText
  }

  /// The help line's text: the help, with the default before its closing full stop.
  var helpWithDefault: String {
    guard let defaultText else { return help }
    let stem = help.hasSuffix(".") ? String(help.dropLast()) : help
    return "\(stem) (default \(defaultText))."
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

  /// - Precondition: no two options share a name, an alias or a short name.
  public init(
    name: String, abstract: String, options: [any OptionDeclaration] = [], positionals: [PositionalSpec] = [],
    discussion: String = ""
  ) {
    self.name = name
    self.abstract = abstract
    self.options = options.map(\.spec)
    self.positionals = positionals
    self.discussion = discussion
    let spellings = self.options.flatMap { [$0.name] + $0.aliases }
    precondition(Set(spellings).count == spellings.count, "\(name): an option is declared twice")
    let shorts = self.options.compactMap(\.short)
    precondition(Set(shorts).count == shorts.count, "\(name): a short option is declared twice")
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
    for option in options + [OptionSpec("help", help: "Show this help.", short: "h")] {
      var left = option.short.map { "-\($0), " } ?? ""
      left += "--\(option.name)" + (option.valueName.map { " <\($0)>" } ?? "")
      lines.append(Self.row(left, option.helpWithDefault))
    }
    if !discussion.isEmpty { lines += ["", discussion] }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func row(_ left: String, _ help: String) -> String {
    let padded = left.count < 28 ? left + String(repeating: " ", count: 28 - left.count) : left + "\n" + String(repeating: " ", count: 30)
    return "  " + padded + help
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
      guard let option = options.first(where: { $0.name == key || $0.aliases.contains(key) }) else {
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
      key = spec.name
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
