import Adapters
import CLIKit
import Corpus
import Evaluation
import Foundation
import Screening
import Workflows

/// `--model NAME`, where `bi-encoder+ADAPTER` names the adapter too.
struct SimulationModelChoice: Sendable {
  var model: SimulateWorkflow.SimulationModel
  var adapter: AdapterMethod?

  init?(parsing text: String) {
    let parts = text.split(separator: "+", maxSplits: 1).map(String.init)
    guard let first = parts.first, let model = SimulateWorkflow.SimulationModel(rawValue: first) else { return nil }
    self.model = model
    guard parts.count == 2 else { return }
    guard model == .biEncoder, let method = AdapterMethod(rawValue: parts[1]) else { return nil }
    adapter = method
  }

  init(_ model: SimulateWorkflow.SimulationModel) {
    self.model = model
  }
}

/// `--priors N_INCL,N_EXCL`.
struct PriorCounts: Sendable {
  var included: Int
  var excluded: Int

  init(included: Int, excluded: Int) {
    self.included = included
    self.excluded = excluded
  }

  init?(parsing text: String) {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let included = parts[0], let excluded = parts[1], included >= 0, excluded >= 0 else { return nil }
    self.init(included: included, excluded: excluded)
  }
}

private enum Simulate {
  static let defaults = WorkflowDefaults.simulate

  static let review = Shared.review(help: "A review of the meta-dataset (numeric id, collection/id, or unique id).")
  static let input = Shared.input(help: "Or a labelled search export (CSV, RIS, PubMed XML, MEDLINE, BibTeX).")
  static let reviewTitle = Shared.reviewTitle(help: "The review's title, for --input.")
  static let criteria = Shared.criteria(help: "The review's eligibility criteria, for --input.")
  static let stage = Shared.stage(help: "Which stage's labels.")
  static let model = Option(
    "model", value: "name",
    help: "tfidf-svm (ASReview's default), tfidf-nb, tfidf-lr, embed-lr, tfidf-embed-lr, bi-encoder[+adapter].",
    default: SimulationModelChoice(defaults.model), shownDefault: defaults.model.rawValue,
    expects: "one of \(SimulateWorkflow.SimulationModel.allCases.map(\.rawValue).joined(separator: ", ")), or bi-encoder+ADAPTER "
      + "with ADAPTER one of \(AdapterMethod.allCases.map(\.rawValue).joined(separator: "|"))",
    parse: SimulationModelChoice.init(parsing:))
  static let warmStart = Option("warm-start", help: "Order before both classes are labelled.", default: defaults.coldStart)
  static let priorHalfLife = Option(
    "prior-half-life", value: "h",
    help: "With --warm-start zero-shot: blend the prior into the model's ranking, weight h/(h + relevant found); 0: model only.",
    default: defaults.priorHalfLife, in: .atLeast(0))
  static let embeddingCache = Shared.embeddingCache()
  static let priorModel = Option<URL?>(
    path: "prior-model", value: "dir",
    help: "With --warm-start zero-shot: the prior is this trained screener's ranking (one trained on reviews of the same kind) instead of the untuned encoder's similarity.")
  static let priors = Option(
    "priors", value: "incl,excl", help: "Random prior records per class, as asreview --n-prior-*.",
    default: PriorCounts(included: defaults.priorIncluded, excluded: defaults.priorExcluded),
    shownDefault: "\(defaults.priorIncluded),\(defaults.priorExcluded)", expects: "N_INCL,N_EXCL (two whole numbers of at least 0)",
    parse: PriorCounts.init(parsing:))
  static let seed = Shared.seed(help: "Seed of priors and random order.", default: defaults.seed)
  static let seeds = Option(
    "seeds", value: "k", help: "Repeat with seeds s, s+1, ... and report each rule's reliability.", default: defaults.seeds,
    in: 1...1_000)
  static let batch = Option("batch", value: "b", help: "Records queried per retraining.", default: defaults.batchSize, in: 1...100_000)
  static let rules = Shared.rules(help: "Stopping rules.", default: defaults.rules)
  static let targetRecall = Shared.targetRecall(help: "Recall the stopping rules aim for.", default: defaults.targetRecall)
  static let wssConvention = Option("wss-convention", help: "WSS convention of the metrics.", default: defaults.wssConvention)
  static let output = Shared.output(help: "Write the labelling order (CSV) here.")
  static let plot = Option<URL?>(path: "plot", value: "file.svg", help: "Write the recall curve(s) as SVG.")
  static let steps = Option(
    "steps", value: "n", help: "bi-encoder: optimizer steps per retraining.", default: defaults.biEncoder.steps, in: 0...10_000)
  static let learningRate = Option(
    "lr", value: "rate", help: "bi-encoder: learning rate.", default: defaults.biEncoder.learningRate, in: .lowerOpen(0, 1))
  static let maxLength = Shared.maxLength(help: "bi-encoder: tokens per record.", default: defaults.biEncoder.maxLength)
  static let freezeLayers = AdapterFlags.freezeLayers(default: defaults.adapter.freezeLayers)
}

let simulateCommand = Command(
  spec: CommandSpec(
    name: "csmed simulate", abstract: "Simulate prioritised screening on a labelled review, with stopping rules.",
    options: [
      Shared.database, Simulate.review, Simulate.input, Simulate.reviewTitle, Simulate.criteria, Simulate.stage, Simulate.model,
      Simulate.warmStart, Simulate.priorHalfLife, Simulate.priorModel, Simulate.embeddingCache, Shared.base, Shared.precision, Simulate.priors, Simulate.seed,
      Simulate.seeds, Simulate.batch, Simulate.rules, Simulate.targetRecall, Simulate.wssConvention, Simulate.output, Simulate.plot,
      Simulate.steps, Simulate.learningRate, Simulate.maxLength, Simulate.freezeLayers,
    ] + AdapterFlags.settings,
    discussion: """
      bi-encoder fine-tunes MiniLM inside the loop: at every retraining a few contrastive steps (the review's
      question closer to a relevant record than to the irrelevant ones labelled so far), then every record is
      embedded again; it retrains in growing batches, B += ceil(B/10). The adapter is named after a plus sign
      (bi-encoder+dora; default lora; not smt, whose warm-up has no place in the loop) and takes the adapter
      flags of `csmed train`.

      The tfidf-* models read each record's title and abstract, as ASReview's models do; embed-lr,
      tfidf-embed-lr and the bi-encoder also read its keywords where the file has them.
      """),
  run: { arguments in
    let source: ReviewSource
    if let input = try arguments[Simulate.input] {
      source = .file(input, title: try arguments[Simulate.reviewTitle], criteria: try arguments[Simulate.criteria])
    } else {
      source = .database(
        try arguments[Shared.database], review: try arguments.required(Simulate.review), stage: try arguments[Simulate.stage])
    }
    let priors = try arguments[Simulate.priors]
    let choice = try arguments[Simulate.model]
    var options = SimulateWorkflow.Options(
      source: source, model: choice.model, coldStart: try arguments[Simulate.warmStart], base: try arguments[Shared.base],
      priorIncluded: priors.included, priorExcluded: priors.excluded, seed: try arguments[Simulate.seed],
      seeds: try arguments[Simulate.seeds], batchSize: try arguments[Simulate.batch], rules: try arguments[Simulate.rules],
      targetRecall: try arguments[Simulate.targetRecall], wssConvention: try arguments[Simulate.wssConvention])
    options.priorHalfLife = try arguments[Simulate.priorHalfLife]
    options.embeddingCache = try arguments[Simulate.embeddingCache]
    options.priorModel = try arguments[Simulate.priorModel]
    options.precision = try arguments[Shared.precision]
    if choice.model == .biEncoder {
      var adapter = try AdapterFlags.configuration(arguments, seed: options.seed, freezeLayers: Simulate.freezeLayers)
      if let method = choice.adapter {
        adapter.method = method
        if !arguments.isGiven(AdapterFlags.targets) { adapter.targets = AdapterConfiguration.defaultTargets(method) }
      }
      options.adapter = adapter
      options.biEncoder.steps = try arguments[Simulate.steps]
      options.biEncoder.learningRate = try arguments[Simulate.learningRate]
      options.biEncoder.maxLength = try arguments[Simulate.maxLength]
    }
    let result = try SimulateWorkflow.run(options, progress: ProgressBar().handler)
    for note in result.notes { Terminal.err("note: \(note)\n") }
    if let output = try arguments[Simulate.output] {
      try OutputFile.write(SimulateWorkflow.orderCSV(result), to: output)
    }
    if let plot = try arguments[Simulate.plot] {
      try OutputFile.write(EvaluateWorkflow.plot(result.runs.map(\.evaluation), wssTarget: options.targetRecall), to: plot)
    }
    Terminal.out(Render.simulation(result, model: choice.model.rawValue))
  })

extension Render {
  static func simulation(_ result: SimulateWorkflow.Result, model: String) -> String {
    let labels = result.included.map { result.review.labels[$0] ?? 0 }
    var text = "review \(result.review.reviewID): \(labels.count) records, \(labels.reduce(0, +)) included; model \(model)\n\n"
    let metrics = ["wss@95", "wss@100", "recall@10%", "erf@10%", "atd", "asreview_loss", "ndcg"]
    text += table(
      ["seed", "labels to last incl."] + metrics + ["seconds"],
      result.runs.map { run in
        let lastRelevant = run.steps.lastIndex(where: \.label).map { $0 + 1 } ?? 0
        return [String(run.seed), String(lastRelevant)]
          + metrics.map { name in run.evaluation.mean(named: name).map { String(format: "%.4f", $0) } ?? "-" }
          + [String(format: "%.2f", run.seconds)]
      })
    text += "\nstopping rules (target recall \(result.runs.first.map { String($0.stopping.targetRecall) } ?? "")):\n"
    if result.runs.count == 1, let run = result.runs.first {
      text += table(
        ["rule", "stopped at", "reviewed", "recall", "work saved", "met target"],
        run.stopping.outcomes.map {
          [
            $0.rule, $0.stopPosition.map(String.init) ?? "never", String($0.reviewedCount), String(format: "%.4f", $0.recall),
            String(format: "%.4f", $0.workSaved), $0.metTarget ? "yes" : "no",
          ]
        })
    } else {
      text += table(
        ["rule", "runs", "met target", "reliability", "mean recall", "mean work saved"],
        result.reliability.map {
          [
            $0.rule, String($0.runs), String($0.runsMeetingTarget), String(format: "%.2f", $0.reliability),
            String(format: "%.4f", $0.meanRecall), String(format: "%.4f", $0.meanWorkSaved),
          ]
        })
    }
    return text
  }
}
