import Adapters
import CLIKit
import Corpus
import Evaluation
import Foundation
import Screening
import Workflows

let simulateCommand = Command(
  spec: CommandSpec(
    name: "csmed simulate", abstract: "Simulate prioritised screening on a labelled review, with stopping rules.",
    options: [
      Defaults.databaseOption,
      OptionSpec("review", value: "id", help: "A review of the meta-dataset (numeric id, collection/id, or unique id)."),
      OptionSpec("input", value: "file", help: "Or a labelled search export (CSV, RIS, PubMed XML, MEDLINE, BibTeX)."),
      OptionSpec("review-title", value: "text", help: "The review's title, for --input."),
      OptionSpec("criteria", value: "file", help: "The review's eligibility criteria, for --input."),
      OptionSpec("stage", value: "ta|ft", help: "Which stage's labels (default ta)."),
      OptionSpec(
        "model", value: "name",
        help: "tfidf-svm (ASReview's default), tfidf-nb, tfidf-lr, embed-lr, tfidf-embed-lr, bi-encoder[+adapter] (default tfidf-svm)."),
      OptionSpec("warm-start", value: "file-order|random|zero-shot", help: "Order before both classes are labelled (default file-order)."),
      OptionSpec(
        "prior-half-life", value: "h",
        help: "With --warm-start zero-shot: blend the prior into the model's ranking, weight h/(h + relevant found) (default 3; 0: model only)."),
      OptionSpec("embedding-cache", value: "dir", help: "Keep sentence embeddings here between runs (embed-lr, tfidf-embed-lr, zero-shot)."),
      Defaults.baseOption,
      OptionSpec("priors", value: "incl,excl", help: "Random prior records per class, as asreview --n-prior-* (default 0,0)."),
      OptionSpec("seed", value: "s", help: "Seed of priors and random order (default 42)."),
      OptionSpec("seeds", value: "k", help: "Repeat with seeds s, s+1, ... and report each rule's reliability (default 1)."),
      OptionSpec("batch", value: "b", help: "Records queried per retraining (default 1)."),
      OptionSpec("stop", value: "rules", help: "Stopping rules (default \(SimulateWorkflow.defaultRules))."),
      OptionSpec("target-recall", value: "r", help: "Recall the stopping rules aim for (default 0.95)."),
      OptionSpec("wss-convention", value: "asreview|clef|cohen", help: "WSS convention of the metrics (default asreview)."),
      OptionSpec("output", value: "file", help: "Write the labelling order (CSV) here.", short: "o"),
      OptionSpec("plot", value: "file.svg", help: "Write the recall curve(s) as SVG."),
      OptionSpec("steps", value: "n", help: "bi-encoder: optimizer steps per retraining (default 8)."),
      OptionSpec("lr", value: "rate", help: "bi-encoder: learning rate (default 1e-3)."),
      OptionSpec("max-len", value: "n", help: "bi-encoder: tokens per record (default 128)."),
      OptionSpec("freeze-layers", value: "n", help: "bi-encoder: keep the lowest n layers frozen, computed once (default 4)."),
    ] + AdapterFlags.options.filter { !["adapter", "freeze-layers"].contains($0.name) && !$0.name.hasPrefix("smt-") },
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
    let stage = try arguments.choice("stage", default: Stage.titleAbstract)
    let source: ReviewSource
    if let input = arguments.value("input") {
      source = .file(
        URL(fileURLWithPath: input), title: arguments.value("review-title"),
        criteria: arguments.value("criteria").map { URL(fileURLWithPath: $0) })
    } else {
      source = .database(Defaults.database(arguments), review: try arguments.require("review"), stage: stage)
    }
    let priors = try arguments.list("priors").map { parts -> (Int, Int) in
      guard parts.count == 2, let included = Int(parts[0]), let excluded = Int(parts[1]), included >= 0, excluded >= 0 else {
        throw UsageError("--priors expects N_INCL,N_EXCL, got '\(parts.joined(separator: ","))'", command: "csmed simulate")
      }
      return (included, excluded)
    } ?? (0, 0)
    let (model, adapterMethod) = try parseModel(arguments.value("model") ?? "tfidf-svm")
    var options = SimulateWorkflow.Options(
      source: source, model: model,
      coldStart: try arguments.choice("warm-start", default: SimulateWorkflow.ColdStartChoice.fileOrder),
      base: Defaults.base(arguments),
      priorIncluded: priors.0, priorExcluded: priors.1,
      seed: UInt64(try arguments.int("seed", default: 42, in: 0...Int.max)),
      seeds: try arguments.int("seeds", default: 1, in: 1...1_000), batchSize: try arguments.int("batch", default: 1, in: 1...100_000),
      rules: arguments.value("stop") ?? SimulateWorkflow.defaultRules,
      targetRecall: try Double(arguments.value("target-recall") ?? "0.95").flatMap { $0 > 0 && $0 <= 1 ? $0 : nil }
        ?? { throw UsageError("--target-recall expects a number in (0, 1]", command: "csmed simulate") }(),
      wssConvention: try arguments.choice("wss-convention", default: WSSConvention.asreview))
    options.priorHalfLife = try arguments.double("prior-half-life", default: SimulateWorkflow.defaultPriorHalfLife, in: 0...1e9)
    options.embeddingCache = arguments.value("embedding-cache").map { URL(fileURLWithPath: $0) }
    if model == .biEncoder {
      var adapter = try AdapterFlags.configuration(arguments, command: "csmed simulate", seed: options.seed, defaultFreezeLayers: 4)
      if let adapterMethod {
        adapter.method = adapterMethod
        if arguments.value("targets") == nil { adapter.targets = AdapterConfiguration.defaultTargets(adapterMethod) }
      }
      options.adapter = adapter
      options.biEncoder.steps = try arguments.int("steps", default: options.biEncoder.steps, in: 0...10_000)
      options.biEncoder.learningRate = try arguments.double("lr", default: options.biEncoder.learningRate, in: 1e-9...1)
      options.biEncoder.maxLength = try arguments.int("max-len", default: options.biEncoder.maxLength, in: 8...512)
    }
    let result = try SimulateWorkflow.run(options, progress: ProgressBar().handler)
    for note in result.notes { Terminal.err("note: \(note)\n") }
    if let output = arguments.value("output") {
      try OutputFile.write(SimulateWorkflow.orderCSV(result), to: URL(fileURLWithPath: output))
    }
    if let plot = arguments.value("plot") {
      try OutputFile.write(EvaluateWorkflow.plot(result.runs.map(\.evaluation), wssTarget: options.targetRecall), to: URL(fileURLWithPath: plot))
    }
    Terminal.out(Render.simulation(result, model: options.model.rawValue))
  })

/// `--model NAME`, where `bi-encoder+ADAPTER` names the adapter too.
private func parseModel(_ text: String) throws -> (SimulateWorkflow.SimulationModel, AdapterMethod?) {
  let parts = text.split(separator: "+", maxSplits: 1).map(String.init)
  let known = SimulateWorkflow.SimulationModel.allCases.map(\.rawValue).joined(separator: ", ")
  guard let first = parts.first, let model = SimulateWorkflow.SimulationModel(rawValue: first) else {
    throw UsageError("--model expects one of \(known) (bi-encoder+ADAPTER), got '\(text)'", command: "csmed simulate")
  }
  guard parts.count == 2 else { return (model, nil) }
  guard model == .biEncoder, let method = AdapterMethod(rawValue: parts[1]) else {
    let methods = AdapterMethod.allCases.map(\.rawValue).joined(separator: "|")
    throw UsageError("--model: only bi-encoder takes an adapter (bi-encoder+\(methods)), got '\(text)'", command: "csmed simulate")
  }
  return (model, method)
}

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
