import Adapters
import CLIKit
import Corpus
import Encoder
import Foundation
import Workflows

/// The fine-tuning options shared by `train`, `simulate`, `experiment` and `bench adapters`,
/// their defaults those of `AdapterConfiguration`.
enum AdapterFlags {
  private static let defaults = WorkflowDefaults.adapter

  static let method = Option(
    "adapter", value: "method", help: AdapterMethod.allCases.map(\.rawValue).joined(separator: "|") + ".", default: defaults.method)
  static let rank = Option("rank", value: "r", help: "Adapter rank, for GOAT the total over its experts.", default: defaults.rank, in: 1...4096)
  static let alpha = Option<Double?>("alpha", value: "a", help: "Scale numerator (default: r, so LoRA's scale is 1; GOAT 2r).", in: .positive)
  static let targets = Option<String?>(
    "targets", value: "list", help: "query,key,value,attention.output,intermediate,output or all-linear (default per method).")
  static let dropout = Option(
    "dropout", value: "p", help: "Dropout on the adapter input of lora, rslora and pissa.", default: defaults.dropout, in: .upperOpen(0, 1))
  static let experts = Option("experts", value: "E", help: "GOAT experts.", default: defaults.experts, in: 1...64)
  static let topK = Option("top-k", value: "k", help: "GOAT experts per token.", default: defaults.topK, in: 1...64)
  static let auxiliaryWeight = Option(
    "aux-weight", value: "c", help: "GOAT load-balancing loss weight.", default: defaults.auxiliaryLossWeight, in: .atLeast(0))
  static let sorsaGamma = Option("sorsa-gamma", value: "g", help: "SORSA orthonormal regulariser.", default: defaults.sorsaGamma, in: .atLeast(0))
  static let smtBlocks = Option("smt-blocks", value: "n", help: "SMT blocks trained.", default: defaults.smtBlocks, in: 1...1_000_000)
  static let smtBlockSize = Option("smt-block-size", value: "b", help: "SMT block side.", default: defaults.smtBlockSize, in: 1...4096)
  static let smtWarmupSteps = Option(
    "smt-warmup-steps", value: "n", help: "SMT gradient warm-up batches.", default: defaults.smtWarmupSteps, in: 1...100_000)
  static let s2ftHeads = Option("s2ft-heads", value: "n", help: "S2FT attention heads over all layers.", default: defaults.s2ftHeads, in: 0...100_000)
  static let s2ftChannels = Option(
    "s2ft-channels", value: "n", help: "S2FT FFN channels over all layers.", default: defaults.s2ftChannels, in: 0...10_000_000)

  /// `--freeze-layers`, whose default is the command's.
  static func freezeLayers(default fallback: Int, in range: ClosedRange<Int> = 0...1000) -> Option<Int> {
    Option("freeze-layers", value: "n", help: "Layer skipping: keep the lowest n layers frozen.", default: fallback, in: range)
  }

  /// The settings of every method but SMT's (all but `--adapter` and `--freeze-layers`).
  static let settings: [any OptionDeclaration] = [rank, alpha, targets, dropout, experts, topK, auxiliaryWeight, sorsaGamma, s2ftHeads, s2ftChannels]
  static let smtSettings: [any OptionDeclaration] = [smtBlocks, smtBlockSize, smtWarmupSteps]

  /// Every adapter option, as `train` shows them.
  static func options(freezeLayers: Option<Int>) -> [any OptionDeclaration] {
    [method, rank, alpha, targets, dropout, experts, topK, auxiliaryWeight, sorsaGamma] + smtSettings + [s2ftHeads, s2ftChannels, freezeLayers]
  }

  static func configuration(_ a: ParsedArguments, seed: UInt64, freezeLayers: Option<Int>) throws -> AdapterConfiguration {
    let method = try a[Self.method]
    var c = AdapterConfiguration(
      method: method, rank: try a[rank], alpha: try a[alpha], targets: try a[targets].map { try LinearModule.parseList($0) },
      dropout: try a[dropout], experts: try a[experts], topK: try a[topK], auxiliaryLossWeight: try a[auxiliaryWeight],
      sorsaGamma: try a[sorsaGamma], smtBlocks: try a[smtBlocks], smtBlockSize: try a[smtBlockSize],
      smtWarmupSteps: try a[smtWarmupSteps], s2ftHeads: try a[s2ftHeads], s2ftChannels: try a[s2ftChannels],
      freezeLayers: try a[freezeLayers], seed: seed)
    if method == .goat, !a.isGiven(experts), c.rank % c.experts != 0 { c.experts = 1 }
    return c
  }
}

private enum Train {
  static let defaults = WorkflowDefaults.train
  /// `--model`'s default with `--input`: the linear model on a review's own labels.
  static let inputKind = ScreenerKind.hybridLR

  static let train = Option<String?>(
    "train", value: "spec", help: "Training reviews: split:NAME, collection:NAME, review:ID[+ID...], -term to remove.")
  static let valid = Option<String?>("valid", value: "spec", help: "Held-out reviews for validation each epoch (best epoch kept).")
  static let input = Shared.input(
    help: "Or your own labelled records: a search export with a label column (a screening page's export) or label tags.")
  static let reviewTitle = Shared.reviewTitle(help: "The review's title, for --input.")
  static let criteria = Shared.criteria()
  static let validFraction = Option(
    "valid-fraction", value: "f", help: "With --input: hold out this stratified share of the labels for validation.",
    default: WorkflowDefaults.labelledFile.validFraction, in: .upperOpen(0, 1), noun: "a share")
  static let stage = Shared.stage(help: "Which labels to learn.")
  static let model = Option(
    "model", value: "kind",
    help: ScreenerKind.allCases.map(\.rawValue).joined(separator: "|")
      + " (default \(defaults.kind.rawValue); \(inputKind.rawValue) with --input).",
    choices: ScreenerKind.self)
  static let freezeLayers = AdapterFlags.freezeLayers(default: defaults.adapter.freezeLayers)
  static let epochs = Option("epochs", value: "n", help: "Epochs.", default: defaults.epochs, in: 1...10_000)
  static let learningRate = Option(
    "lr", value: "rate", help: "Peak learning rate; linear warm-up 10%, then decay.", default: defaults.learningRate, in: .positive)
  static let batch = Option("batch", value: "n", help: "Queries or pairs per step.", default: defaults.batchSize, in: 1...4096)
  static let maxLength = Shared.maxLength(help: "Tokens per candidate.", default: defaults.maxLength)
  static let queryMaxLength = Option(
    "query-max-len", value: "n", help: "Tokens per review query.", default: defaults.queryMaxLength, in: 8...512)
  static let maxSteps = Option<Int?>("max-steps", value: "n", help: "Stop after n optimizer steps.", in: 1...Int.max)
  static let temperature = Option(
    "temperature", value: "t", help: "Bi-encoder contrastive temperature.", default: defaults.temperature, in: .positive)
  static let hardNegatives = Option(
    "hard-negatives", value: "n", help: "Bi-encoder: excluded candidates of the same review per query.",
    default: defaults.hardNegatives, in: 0...64)
  static let positivesPerReview = Option(
    "positives-per-review", value: "n", help: "Included candidates per review per epoch.", default: defaults.positivesPerReview,
    in: 1...1_000_000)
  static let patience = Option(
    "patience", value: "n", help: "Epochs without improvement before stopping.", default: defaults.patience, in: 1...1000)
  static let encoderDropout = Option(
    "encoder-dropout", value: "p", help: "BERT's hidden and attention dropout while training.", default: defaults.encoderDropout,
    in: .upperOpen(0, 1))
  static let seed = Shared.seed(help: "Seed for initialisation, sampling and dropout.", default: defaults.seed)
  static let output = Shared.output("dir", help: "Where the screener is written.")
  static let resume = Flag("resume", help: "Continue the training state in --output after an interruption.")
  static let plan = Flag("plan", help: "Print the trainable parameters per module and stop.")
}

let trainCommand = Command(
  spec: CommandSpec(
    name: "csmed train", abstract: "Train a screener on reviews already screened (bi-encoder, cross-encoder, TF-IDF).",
    options: [
      Shared.database, Train.train, Train.valid, Train.input, Train.reviewTitle, Train.criteria, Train.validFraction, Train.stage,
      Train.model, Shared.base,
    ] + AdapterFlags.options(freezeLayers: Train.freezeLayers) + [
      Train.epochs, Train.learningRate, Train.batch, Train.maxLength, Train.queryMaxLength, Train.maxSteps, Train.temperature,
      Train.hardNegatives, Train.positivesPerReview, Train.patience, Train.encoderDropout, Train.seed, Train.output, Train.resume,
      Train.plan,
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
    let seed = try arguments[Train.seed]
    let adapter = try AdapterFlags.configuration(arguments, seed: seed, freezeLayers: Train.freezeLayers)
    let input = try arguments[Train.input]
    let kind = try arguments[Train.model] ?? (input == nil ? Train.defaults.kind : Train.inputKind)
    let base = try arguments[Shared.base]
    if arguments[Train.plan] {
      let plan = try TrainWorkflow.plan(adapter: adapter, base: base, kind: kind)
      var rows = plan.modules.map { [$0.module, String($0.count)] }
      if plan.headParameters > 0 { rows.append(["head", String(plan.headParameters)]) }
      rows.append(["total", String(plan.total + plan.headParameters)])
      Terminal.out("adapter \(plan.method.rawValue)\n" + Render.table(["module", "trainable"], rows))
      return
    }
    let output = try arguments.required(Train.output)
    var options: TrainWorkflow.Options
    if let input {
      guard !arguments.isGiven(Train.train), !arguments.isGiven(Train.valid) else {
        throw UsageError("--input trains on a file: give --train and --valid (meta-dataset reviews) or --input, not both", command: command)
      }
      let file = TrainWorkflow.LabelledFile(
        url: input, title: try arguments.required(Train.reviewTitle), criteria: try arguments[Train.criteria],
        validFraction: try arguments[Train.validFraction])
      options = TrainWorkflow.Options(input: file, base: base, output: output)
    } else {
      for option in [Train.reviewTitle, Train.criteria, Train.validFraction] as [any OptionDeclaration] where arguments.isGiven(option) {
        throw UsageError("--\(option.spec.name) goes with --input", command: command)
      }
      options = TrainWorkflow.Options(
        database: try arguments[Shared.database], train: try ReviewSelection(parsing: try arguments.required(Train.train)),
        base: base, output: output)
      options.valid = try arguments[Train.valid].map { try ReviewSelection(parsing: $0) }
    }
    options.stage = try arguments[Train.stage]
    options.kind = kind
    options.adapter = adapter
    options.epochs = try arguments[Train.epochs]
    options.learningRate = try arguments[Train.learningRate]
    options.batchSize = try arguments[Train.batch]
    options.maxLength = try arguments[Train.maxLength]
    options.queryMaxLength = try arguments[Train.queryMaxLength]
    options.maxSteps = try arguments[Train.maxSteps]
    options.temperature = try arguments[Train.temperature]
    options.hardNegatives = try arguments[Train.hardNegatives]
    options.positivesPerReview = try arguments[Train.positivesPerReview]
    options.patience = try arguments[Train.patience]
    options.encoderDropout = try arguments[Train.encoderDropout]
    options.seed = seed
    options.resume = arguments[Train.resume]
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
