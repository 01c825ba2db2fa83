import Adapters
import CLIKit
import Corpus
import Encoder
import Foundation
import Workflows

/// The fine-tuning options shared by `train` and `bench adapters`.
enum AdapterFlags {
  static let options: [OptionSpec] = [
    OptionSpec("adapter", value: "method", help: "lora|rslora|dora|pissa|sorsa|goat|s2ft|smt|adalink|full (default lora)."),
    OptionSpec("rank", value: "r", help: "Adapter rank (default 8; GOAT: total over its experts)."),
    OptionSpec("alpha", value: "a", help: "Scale numerator (default: r, so LoRA's scale is 1; GOAT 2r)."),
    OptionSpec("targets", value: "list", help: "query,key,value,attention.output,intermediate,output or all-linear."),
    OptionSpec("dropout", value: "p", help: "Dropout on the adapter input (lora, rslora, pissa; default 0)."),
    OptionSpec("experts", value: "E", help: "GOAT experts (default 4)."),
    OptionSpec("top-k", value: "k", help: "GOAT experts per token (default 2)."),
    OptionSpec("aux-weight", value: "c", help: "GOAT load-balancing loss weight (default 0.001)."),
    OptionSpec("sorsa-gamma", value: "g", help: "SORSA orthonormal regulariser (default 4e-4)."),
    OptionSpec("smt-blocks", value: "n", help: "SMT blocks trained (default 18)."),
    OptionSpec("smt-block-size", value: "b", help: "SMT block side (default 64)."),
    OptionSpec("smt-warmup-steps", value: "n", help: "SMT gradient warm-up batches (default 10)."),
    OptionSpec("s2ft-heads", value: "n", help: "S2FT attention heads over all layers (default 3)."),
    OptionSpec("s2ft-channels", value: "n", help: "S2FT FFN channels over all layers (default 184)."),
    OptionSpec("freeze-layers", value: "n", help: "Keep the lowest n layers frozen (layer skipping; default 0)."),
  ]

  static func configuration(
    _ a: ParsedArguments, command: String, seed: UInt64, defaultFreezeLayers: Int = 0
  ) throws -> AdapterConfiguration {
    let method = try a.choice("adapter", default: AdapterMethod.lora)
    func double(_ name: String) throws -> Double? {
      guard let text = a.value(name) else { return nil }
      guard let v = Double(text) else { throw UsageError("--\(name) expects a number, got '\(text)'", command: command) }
      return v
    }
    var c = AdapterConfiguration(
      method: method, rank: try a.int("rank", default: 8, in: 1...4096), alpha: try double("alpha"),
      targets: try a.value("targets").map { try LinearModule.parseList($0) }, dropout: try double("dropout") ?? 0,
      experts: try a.int("experts", default: 4, in: 1...64), topK: try a.int("top-k", default: 2, in: 1...64),
      auxiliaryLossWeight: try double("aux-weight") ?? 1e-3, sorsaGamma: try double("sorsa-gamma") ?? 4e-4,
      smtBlocks: try a.int("smt-blocks", default: 18, in: 1...1_000_000),
      smtBlockSize: try a.int("smt-block-size", default: 64, in: 1...4096),
      smtWarmupSteps: try a.int("smt-warmup-steps", default: 10, in: 1...100_000),
      s2ftHeads: try a.int("s2ft-heads", default: 3, in: 0...100_000),
      s2ftChannels: try a.int("s2ft-channels", default: 184, in: 0...10_000_000),
      freezeLayers: try a.int("freeze-layers", default: defaultFreezeLayers, in: 0...1000), seed: seed)
    if method == .goat, a.value("experts") == nil, c.rank % c.experts != 0 { c.experts = 1 }
    return c
  }
}

let trainCommand = Command(
  spec: CommandSpec(
    name: "csmed train", abstract: "Train a screener on reviews already screened (bi-encoder, cross-encoder, TF-IDF).",
    options: [
      Defaults.databaseOption,
      OptionSpec("train", value: "spec", help: "Training reviews: split:NAME, collection:NAME, review:ID[+ID...], -term to remove."),
      OptionSpec("valid", value: "spec", help: "Held-out reviews for validation each epoch (best epoch kept)."),
      OptionSpec("input", value: "file", help: "Or your own labelled records: a search export with a label column (a screening page's export) or label tags."),
      OptionSpec("review-title", value: "text", help: "The review's title, for --input."),
      OptionSpec("criteria", value: "file", help: "Eligibility criteria added to the query, for --input."),
      OptionSpec("valid-fraction", value: "f", help: "With --input: hold out this stratified share of the labels for validation (default 0)."),
      OptionSpec("stage", value: "ta|ft", help: "Which labels to learn (default ta)."),
      OptionSpec("model", value: "kind", help: "bi-encoder|cross-encoder|tfidf-lr|tfidf-svm|embed-lr|tfidf-embed-lr (default bi-encoder; tfidf-embed-lr with --input)."),
      Defaults.baseOption,
    ] + AdapterFlags.options + [
      OptionSpec("epochs", value: "n", help: "Epochs (default 1)."),
      OptionSpec("lr", value: "rate", help: "Peak learning rate (default 1e-4; linear warm-up 10%, then decay)."),
      OptionSpec("batch", value: "n", help: "Queries or pairs per step (default 16)."),
      OptionSpec("max-len", value: "n", help: "Tokens per candidate (default 256)."),
      OptionSpec("query-max-len", value: "n", help: "Tokens per review query (default 128)."),
      OptionSpec("max-steps", value: "n", help: "Stop after n optimizer steps."),
      OptionSpec("temperature", value: "t", help: "Bi-encoder contrastive temperature (default 0.05)."),
      OptionSpec("hard-negatives", value: "n", help: "Bi-encoder: excluded candidates of the same review per query (default 1)."),
      OptionSpec("positives-per-review", value: "n", help: "Included candidates per review per epoch (default 32)."),
      OptionSpec("patience", value: "n", help: "Epochs without improvement before stopping (default 2)."),
      OptionSpec("encoder-dropout", value: "p", help: "BERT's hidden and attention dropout while training (default 0.1)."),
      OptionSpec("seed", value: "s", help: "Seed for initialisation, sampling and dropout (default 42)."),
      OptionSpec("out", value: "dir", help: "Where the screener is written.", short: "o"),
      OptionSpec("resume", help: "Continue the training state in --out after an interruption."),
      OptionSpec("plan", help: "Print the trainable parameters per module and stop."),
    ],
    discussion: """
      --input FILE trains on the labelled records of one review (unlabelled ones are skipped): the screen of
      the rest is then `csmed screen --model DIR --input FILE`. Its default model is TF-IDF + logistic
      regression: ranking a review's unseen half from the other half (cohen2006/ADHD) it reached a higher
      AP than each of the ten fine-tuned adapters.
      The encoders read each candidate's title, abstract and keywords (MeSH, author keywords); the TF-IDF
      screeners title and abstract. screen feeds a screener the same text.
      The output directory holds screener.json (kind, base model and its SHA-256, adapter options, the kept
      epoch, its validation metrics and the text it read), adapter_model.safetensors (only the trained tensors), validation.json,
      train-log.jsonl (one line per step and epoch) and state/ (what --resume needs).
      """),
  run: { arguments in
    let command = "csmed train"
    let seed = UInt64(try arguments.int("seed", default: 42, in: 0...Int.max))
    let adapter = try AdapterFlags.configuration(arguments, command: command, seed: seed)
    let input = arguments.value("input")
    let kind = try arguments.choice("model", default: input == nil ? ScreenerKind.biEncoder : .hybridLR)
    if arguments.flag("plan") {
      let plan = try TrainWorkflow.plan(adapter: adapter, base: Defaults.base(arguments), kind: kind)
      var rows = plan.modules.map { [$0.module, String($0.count)] }
      if plan.headParameters > 0 { rows.append(["head", String(plan.headParameters)]) }
      rows.append(["total", String(plan.total + plan.headParameters)])
      Terminal.out("adapter \(plan.method.rawValue)\n" + Render.table(["module", "trainable"], rows))
      return
    }
    let output = URL(fileURLWithPath: try arguments.require("out"))
    var options: TrainWorkflow.Options
    if let input {
      guard arguments.value("train") == nil, arguments.value("valid") == nil else {
        throw UsageError("--input trains on a file: give --train and --valid (meta-dataset reviews) or --input, not both", command: command)
      }
      var fraction = 0.0
      if let text = arguments.value("valid-fraction") {
        // Its range is checked where the labels are split (ScreeningData.labelled).
        guard let v = Double(text) else {
          throw UsageError("--valid-fraction expects a share in [0, 1), got '\(text)'", command: command)
        }
        fraction = v
      }
      let file = TrainWorkflow.LabelledFile(
        url: URL(fileURLWithPath: input), title: try arguments.require("review-title"),
        criteria: arguments.value("criteria").map { URL(fileURLWithPath: $0) }, validFraction: fraction)
      options = TrainWorkflow.Options(input: file, base: Defaults.base(arguments), output: output)
    } else {
      for name in ["review-title", "criteria", "valid-fraction"] where arguments.value(name) != nil {
        throw UsageError("--\(name) goes with --input", command: command)
      }
      options = TrainWorkflow.Options(
        database: Defaults.database(arguments), train: try ReviewSelection(parsing: try arguments.require("train")),
        base: Defaults.base(arguments), output: output)
      options.valid = try arguments.value("valid").map { try ReviewSelection(parsing: $0) }
    }
    options.stage = try arguments.choice("stage", default: Stage.titleAbstract)
    options.kind = kind
    options.adapter = adapter
    options.epochs = try arguments.int("epochs", default: 1, in: 1...10_000)
    if let lr = arguments.value("lr") {
      guard let v = Double(lr), v > 0 else { throw UsageError("--lr expects a positive number, got '\(lr)'", command: command) }
      options.learningRate = v
    }
    options.batchSize = try arguments.int("batch", default: 16, in: 1...4096)
    options.maxLength = try arguments.int("max-len", default: 256, in: 8...512)
    options.queryMaxLength = try arguments.int("query-max-len", default: 128, in: 8...512)
    options.maxSteps = try arguments.value("max-steps").map { _ in try arguments.int("max-steps", default: 1, in: 1...Int.max) }
    if let t = arguments.value("temperature") {
      guard let v = Double(t), v > 0 else { throw UsageError("--temperature expects a positive number", command: command) }
      options.temperature = v
    }
    options.hardNegatives = try arguments.int("hard-negatives", default: 1, in: 0...64)
    options.positivesPerReview = try arguments.int("positives-per-review", default: 32, in: 1...1_000_000)
    options.patience = try arguments.int("patience", default: 2, in: 1...1000)
    if let p = arguments.value("encoder-dropout") {
      guard let v = Double(p), (0..<1).contains(v) else { throw UsageError("--encoder-dropout expects a number in [0, 1)", command: command) }
      options.encoderDropout = v
    }
    options.seed = seed
    options.resume = arguments.flag("resume")
    let report = try TrainWorkflow.run(options, progress: ProgressBar().handler)
    var text = String(
      format: "trained %d step(s) over %d epoch(s) in %.1f s (%.0f tokens/s); kept epoch %d\n", report.steps,
      report.epochs, report.seconds, report.tokensPerSecond, report.selectedEpoch)
    if !report.validation.isEmpty {
      text += "validation (macro over held-out reviews): "
        + report.validation.keys.sorted().map { String(format: "%@ %.4f", $0, report.validation[$0] ?? 0) }.joined(separator: ", ") + "\n"
    }
    if report.selectedEpoch == 0 {
      text += "note: no epoch beat the untuned encoder on the validation data, so the screener is the untuned encoder "
        + "and ranks as `screen --zero-shot embed` does; more steps, another rate, or a linear model on this review's own "
        + "labels (--model tfidf-embed-lr) may do better\n"
    }
    text += "screener written to \(report.output.path)\n"
    Terminal.out(text)
  })
