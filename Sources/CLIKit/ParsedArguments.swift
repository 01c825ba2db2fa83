/// The parsed command line, read through the declarations: `arguments[option]`.
public struct ParsedArguments: Sendable, Equatable {
  public var command: String
  /// The texts given for each option, by its declared name (aliases folded in).
  var values: [String: [String]] = [:]
  var flags: Set<String> = []
  public var positionals: [String] = []
  public var helpRequested = false

  init(command: String) {
    self.command = command
  }

  /// The option's value: the one given, or its default (nil for an option without one).
  /// - Throws: `UsageError` naming the option when the value given does not parse or is out of range.
  public subscript<Value>(_ option: Option<Value>) -> Value {
    get throws {
      do {
        return try option.read(values[option.name] ?? [])
      } catch {
        throw UsageError(error.message, command: command)
      }
    }
  }

  /// Whether the flag was given.
  public subscript(_ flag: Flag) -> Bool { flags.contains(flag.spec.name) }

  /// The value of an option without a default that the command needs.
  /// - Throws: `UsageError("missing required option --name")` when it is absent.
  public func required<Value>(_ option: Option<Value?>) throws -> Value {
    guard let value = try self[option] else { throw UsageError("missing required option --\(option.name)", command: command) }
    return value
  }

  /// The option's value if it was given, nil when absent (whatever its default): for settings a
  /// command lays over defaults of its own.
  public func ifGiven<Value>(_ option: Option<Value>) throws -> Value? {
    isGiven(option) ? try self[option] : nil
  }

  /// Whether the option or flag appears on the command line.
  public func isGiven(_ option: some OptionDeclaration) -> Bool {
    values[option.spec.name] != nil || flags.contains(option.spec.name)
  }

  /// The arguments that pass these options on as given (`--name value`, `--flag`), in the
  /// order of `options`: for a child process of the same command line.
  public func forwarding(_ options: [any OptionDeclaration]) -> [String] {
    options.flatMap { option -> [String] in
      let name = option.spec.name
      if flags.contains(name) { return ["--\(name)"] }
      return (values[name] ?? []).flatMap { ["--\(name)", $0] }
    }
  }
}
