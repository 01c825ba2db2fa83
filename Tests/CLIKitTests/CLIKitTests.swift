import Foundation
import Testing

@testable import CLIKit

@Suite struct CLIKitTests {
  enum Demo {
    static let db = Option<String?>("db", value: "path", help: "The database.")
    static let pubmed = Option(repeated: "pubmed", value: "file", help: "Files.")
    static let offline = Flag("offline", help: "A flag.")
    static let output = Option<String?>("output", short: "o", value: "file", help: "Output.")
  }

  let spec = CommandSpec(
    name: "csmed demo", abstract: "A demo command.",
    options: [Demo.db, Demo.pubmed, Demo.offline, Demo.output],
    positionals: [PositionalSpec("query", help: "The query."), PositionalSpec("extra", help: "More.", optional: true)])

  @Test("options, inline values, flags, short options, repeated values and positionals")
  func parse() throws {
    let parsed = try spec.parse(["--db=x.sqlite", "q", "--offline", "-o", "out.csv", "--pubmed", "a.xml", "b.nbib", "--pubmed", "c.xml"])
    #expect(try parsed[Demo.db] == "x.sqlite")
    #expect(parsed[Demo.offline])
    #expect(try parsed[Demo.output] == "out.csv")
    #expect(try parsed[Demo.pubmed] == ["a.xml", "b.nbib", "c.xml"])
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
    #expect(try parsed[Option("db", value: "n", help: "", default: 0, in: 1...20)] == 12)
    #expect(throws: UsageError.self) { _ = try parsed[Option("db", value: "n", help: "", default: 0, in: 1...5)] }
    #expect(throws: UsageError.self) { _ = try parsed[Option("db", help: "", default: Color.red)] }
    #expect(try parsed[Option("output", help: "", default: Color.blue)] == .blue)
    #expect(throws: UsageError("missing required option --output", command: "csmed demo")) { _ = try parsed.required(Demo.output) }
    #expect(try spec.parse(["--db", "a, b,,c", "q"])[Option(list: "db", value: "a,b", help: "")] == ["a", "b", "c"])
  }

  @Test("a value that does not parse or is out of range names the option, the range and what was given", arguments: [
    ("--n=0", "--n expects a whole number in [1, 20], got '0'"),
    ("--n=two", "--n expects a whole number in [1, 20], got 'two'"),
    ("--seed=-1", "--seed expects a whole number of at least 0, got '-1'"),
    ("--rate=0", "--rate expects a number above 0, got '0'"),
    ("--rate=nan", "--rate expects a number above 0, got 'nan'"),
    ("--share=1", "--share expects a share in [0, 1), got '1'"),
    ("--color=green", "--color expects one of red, blue, got 'green'"),
    ("--maybe=green", "--maybe expects one of red, blue, got 'green'"),
  ])
  func strictValues(argument: String, message: String) throws {
    enum Color: String, CaseIterable { case red, blue }
    let n = Option("n", value: "n", help: "", default: 5, in: 1...20)
    let seed = Option<UInt64>("seed", value: "s", help: "", default: 42, in: 0...UInt64.max)
    let rate = Option<Double?>("rate", value: "r", help: "", in: .positive)
    let share = Option("share", value: "f", help: "", default: 0, in: .upperOpen(0, 1), noun: "a share")
    let color = Option("color", help: "", default: Color.red)
    let maybe = Option("maybe", help: "", choices: Color.self)
    let spec = CommandSpec(name: "csmed strict", abstract: "", options: [n, seed, rate, share, color, maybe])
    let parsed = try spec.parse([argument])
    #expect(throws: UsageError(message, command: "csmed strict")) {
      _ = (try parsed[n], try parsed[seed], try parsed[rate], try parsed[share], try parsed[color], try parsed[maybe])
    }
    let absent = try spec.parse([])
    #expect(try absent[n] == 5 && absent[seed] == 42 && absent[rate] == nil && absent[share] == 0 && absent[maybe] == nil)
    #expect(try absent.ifGiven(n) == nil && spec.parse(["--n", "7"]).ifGiven(n) == 7)
  }

  @Test("an alias reads as the declared name; forwarding passes given options on")
  func aliasesAndForwarding() throws {
    let output = Option<String?>("output", short: "o", aliases: ["out"], value: "dir", help: "")
    let spec = CommandSpec(name: "csmed alias", abstract: "", options: [output, Demo.offline, Demo.pubmed])
    let parsed = try spec.parse(["--out", "x", "--offline"])
    #expect(try parsed[output] == "x")
    #expect(parsed.forwarding([Demo.pubmed, output, Demo.offline]) == ["--output", "x", "--offline"])
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

  @Test("the help shows each default from the declaration, before the full stop")
  func helpDefaults() {
    enum Stage: String, CaseIterable { case ta, ft }
    let spec = CommandSpec(
      name: "csmed defaults", abstract: "Defaults.",
      options: [
        Option("batch", value: "n", help: "Queries per step.", default: 16, in: 1...4096),
        Option("lr", value: "rate", help: "Peak learning rate; warm-up 10%", default: 1e-4, in: .positive),
        Option("stage", help: "Which labels.", default: Stage.ta),
      ])
    #expect(spec.helpText.contains("  --batch <n>                 Queries per step (default 16).\n"))
    #expect(spec.helpText.contains("  --lr <rate>                 Peak learning rate; warm-up 10% (default 0.0001).\n"))
    #expect(spec.helpText.contains("  --stage <ta|ft>             Which labels (default ta).\n"))
  }
}
