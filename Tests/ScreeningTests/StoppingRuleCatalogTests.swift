import Testing

@testable import Screening

@Suite struct StoppingRuleCatalogTests {
  @Test("specifications parse, and every name parses back to itself")
  func roundTrip() throws {
    let list =
      "consecutive:100, consecutive:5%, knee, knee:1000, knee:150:6+max-ratio, budget, target, target:20, "
      + "quant, quant:0.8, quantci, quantci:0.9:3, hypergeometric, cmh:0.9:0.01, buscar+random, fraction:0.5"
    let rules = try StoppingRuleCatalog.rules(from: list, targetRecall: 0.95)
    #expect(
      rules.map(\.name) == [
        "consecutive:100", "consecutive:5%", "knee", "knee:1000", "knee:150:6+max-ratio", "budget", "target:10",
        "target:20", "quant:0.95", "quant:0.8", "quantci:0.95", "quantci:0.9:3", "hypergeometric:0.95",
        "hypergeometric:0.9:0.01", "hypergeometric:0.95+random", "fraction:0.5",
      ])
    for rule in rules {
      #expect(try StoppingRuleCatalog.rule(from: rule.name).name == rule.name)
    }
    #expect(try StoppingRuleCatalog.defaultRules().count == 8)
  }

  @Test("unknown names and bad parameters are reported")
  func errors() {
    #expect(throws: StoppingError.unknownRule(specification: "elbow", known: StoppingRuleCatalog.knownNames)) {
      try StoppingRuleCatalog.rule(from: "elbow")
    }
    #expect(throws: StoppingError.self) { try StoppingRuleCatalog.rule(from: "target:ten") }
    #expect(throws: StoppingError.self) { try StoppingRuleCatalog.rule(from: "budget:3") }
    #expect(throws: StoppingError.self) { try StoppingRuleCatalog.rule(from: "knee+random") }
    #expect(throws: StoppingError.self) { try StoppingRuleCatalog.rules(from: " , ") }
    #expect(
      throws: StoppingError.invalidParameter(
        rule: "quant", parameter: "the target recall", expected: "a value in (0, 1]", found: "1.5")
    ) { try StoppingRuleCatalog.rule(from: "quant:1.5") }
  }

  @Test("decisions for a live state, one per rule")
  func decisions() throws {
    let rules = try StoppingRuleCatalog.defaultRules()
    let state = try ScreeningProgress(labels: stoppingRun(true, 5) + stoppingRun(false, 200), total: 1000)
    let decisions = StoppingRuleCatalog.decisions(of: rules, for: state)
    #expect(decisions.map(\.rule) == rules.map(\.name))
    let verdicts = Dictionary(uniqueKeysWithValues: decisions.map { ($0.rule, $0.decision.verdict) })
    #expect(verdicts["consecutive:100"] == .stop)
    #expect(verdicts["knee"] == .stop)  // knee at 5, ρ = 200 ≥ 151, 205 ≥ 150
    #expect(verdicts["budget"] == .continue)  // 10 · 1000 / 5 = 2000 > 205
    #expect(verdicts["target:10"] == .notApplicable)
    #expect(verdicts["quant:0.95"] == .notApplicable)
    #expect(verdicts["fraction:0.5"] == .continue)
  }
}
