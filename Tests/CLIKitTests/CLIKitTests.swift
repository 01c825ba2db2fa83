import Testing

@testable import CLIKit

@Suite struct CLIKitTests {
  let spec = CommandSpec(
    name: "csmed demo", abstract: "A demo command.",
    options: [
      OptionSpec("db", value: "path", help: "The database."),
      OptionSpec("pubmed", value: "file", help: "Files.", repeated: true),
      OptionSpec("offline", help: "A flag."),
      OptionSpec("output", value: "file", help: "Output.", short: "o"),
    ],
    positionals: [PositionalSpec("query", help: "The query."), PositionalSpec("extra", help: "More.", optional: true)])

  @Test("options, inline values, flags, short options, repeated values and positionals")
  func parse() throws {
    let parsed = try spec.parse(["--db=x.sqlite", "q", "--offline", "-o", "out.csv", "--pubmed", "a.xml", "b.nbib", "--pubmed", "c.xml"])
    #expect(parsed.value("db") == "x.sqlite")
    #expect(parsed.flag("offline"))
    #expect(parsed.value("output") == "out.csv")
    #expect(parsed.values("pubmed") == ["a.xml", "b.nbib", "c.xml"])
    #expect(parsed.positionals == ["q"])
  }

  @Test("usage errors say what is wrong", arguments: [
    (["--nope", "q"], "unknown option --nope"),
    (["--db"], "--db needs a value <path>"),
    (["--offline=1", "q"], "--offline is a flag and takes no value"),
    ([], "missing argument <query>"),
    (["a", "b", "c"], "unexpected argument 'c'"),
    (["--db", "a", "--db", "b", "q"], "--db given more than once"),
  ])
  func errors(arguments: [String], message: String) {
    #expect(throws: UsageError(message, command: "csmed demo")) { _ = try spec.parse(arguments) }
  }

  @Test("typed accessors validate")
  func accessors() throws {
    enum Color: String, CaseIterable { case red, blue }
    let parsed = try spec.parse(["--db", "12", "q"])
    #expect(try parsed.int("db", default: 0, in: 1...20) == 12)
    #expect(throws: UsageError.self) { _ = try parsed.int("db", default: 0, in: 1...5) }
    #expect(throws: UsageError.self) { _ = try parsed.choice("db", default: Color.red) }
    #expect(try parsed.choice("output", default: Color.blue) == .blue)
    #expect(throws: UsageError("missing required option --output", command: "csmed demo")) { _ = try parsed.require("output") }
    #expect(try spec.parse(["--db", "a, b,,c", "q"]).list("db") == ["a", "b", "c"])
  }

  @Test("--help is recognised anywhere and the help text is generated from the declaration")
  func help() throws {
    #expect(try spec.parse(["q", "--help"]).helpRequested)
    let expected = """
      A demo command.

      usage: csmed demo [--db <path>] [--pubmed <file> ...] [--offline] [--output <file>] <query> [extra]

      ARGUMENTS:
        <query>                     The query.
        <extra>                     More.

      OPTIONS:
        --db <path>                 The database.
        --pubmed <file>             Files.
        --offline                   A flag.
        -o, --output <file>         Output.
        -h, --help                  Show this help.

      """
    #expect(spec.helpText == expected)
  }
}
