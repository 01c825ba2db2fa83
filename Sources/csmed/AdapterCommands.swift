import Adapters
import CLIKit
import Foundation
import Workflows

let exportAdapterCommand = Command(
  spec: CommandSpec(
    name: "csmed export-adapter", abstract: "Export a screener's LoRA/rsLoRA/DoRA/PiSSA adapter for Hugging Face PEFT.",
    options: [
      OptionSpec("model", value: "dir", help: "A screener written by `csmed train`."),
      Defaults.baseOption,
      OptionSpec("format", value: "peft", help: "Output format (only peft)."),
      OptionSpec("out", value: "dir", help: "Where the adapter directory is written.", short: "o"),
    ],
    discussion: """
      Writes adapter_config.json and adapter_model.safetensors (PEFT's names, F32), so that in Python
      PeftModel.from_pretrained(AutoModel.from_pretrained(BASE), OUT) gives the screener's encoder. PiSSA is
      written as a rank-2r LoRA against the original weights. A cross-encoder's head goes to
      csmed_head.safetensors (mean pooling over the attention mask, no pooler); csmed_reference.json holds
      csmed's outputs for a few fixed inputs (check them with scripts/peft_check.py).
      """),
  run: { arguments in
    let command = "csmed export-adapter"
    let format = arguments.value("format") ?? "peft"
    guard format == "peft" else { throw UsageError("--format expects peft, got '\(format)'", command: command) }
    let report = try PEFTWorkflow.export(
      screenerDirectory: URL(fileURLWithPath: try arguments.require("model")), base: Defaults.base(arguments),
      output: URL(fileURLWithPath: try arguments.require("out")))
    let targets = report.targetRegex.map { "regex \($0)" } ?? report.targetModules.joined(separator: ",")
    var text = "exported \(report.method.rawValue) (\(report.kind.rawValue)) to PEFT: r \(report.rank), lora_alpha "
    text += String(format: "%g", report.loraAlpha) + ", \(report.sites) site(s), target_modules \(targets)\n"
    if report.method == .pissa { text += "PiSSA written as a rank-2r LoRA against the original base weights\n" }
    text += "wrote \(report.files.joined(separator: ", ")) to \(report.output.path)\n"
    Terminal.out(text)
  })

let importAdapterCommand = Command(
  spec: CommandSpec(
    name: "csmed import-adapter",
    abstract: "Import a PEFT LoRA/rsLoRA/DoRA adapter of a BERT model as a bi-encoder screener.",
    options: [
      OptionSpec(
        "peft", value: "dir", help: "A PEFT adapter directory (adapter_config.json, adapter_model.safetensors)."),
      Defaults.baseOption,
      OptionSpec("out", value: "dir", help: "Where the screener is written.", short: "o"),
    ],
    discussion: """
      The adapted layers and modules are read from the tensor names; they must be the same modules in every
      layer from the lowest adapted one up. The output directory can be used with `csmed screen --model`.
      """),
  run: { arguments in
    let report = try PEFTWorkflow.import(
      peftDirectory: URL(fileURLWithPath: try arguments.require("peft")), base: Defaults.base(arguments),
      output: URL(fileURLWithPath: try arguments.require("out")))
    let c = report.configuration
    var text = "imported \(c.method.rawValue): r \(c.rank), alpha " + String(format: "%g", c.alpha ?? Double(c.rank))
    text +=
      ", targets \(c.targets.map(\.rawValue).joined(separator: ",")), layers \(c.freezeLayers)+, \(report.sites) site(s)\n"
    text += "bi-encoder screener written to \(report.output.path)\n"
    Terminal.out(text)
  })
