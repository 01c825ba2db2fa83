import Adapters
import CLIKit
import Foundation
import Workflows

/// `export-adapter --format`: the one format it writes, so far.
enum AdapterExportFormat: String, CaseIterable { case peft }

private enum AdapterTransfer {
  static let model = Option<URL?>(path: "model", value: "dir", help: "A screener written by `csmed train`.")
  static let format = Option("format", help: "Output format.", default: AdapterExportFormat.peft)
  static let exportOutput = Shared.output("dir", help: "Where the adapter directory is written.")
  static let peft = Option<URL?>(path: "peft", value: "dir", help: "A PEFT adapter directory (adapter_config.json, adapter_model.safetensors).")
  static let importOutput = Shared.output("dir", help: "Where the screener is written.")
}

let exportAdapterCommand = Command(
  spec: CommandSpec(
    name: "csmed export-adapter", abstract: "Export a screener's LoRA/rsLoRA/DoRA/PiSSA adapter for Hugging Face PEFT.",
    options: [AdapterTransfer.model, Shared.base, AdapterTransfer.format, AdapterTransfer.exportOutput],
    discussion: """
      Writes adapter_config.json and adapter_model.safetensors (PEFT's names, F32), so that in Python
      PeftModel.from_pretrained(AutoModel.from_pretrained(BASE), OUT) gives the screener's encoder. PiSSA is
      written as a rank-2r LoRA against the original weights. A cross-encoder's head goes to
      csmed_head.safetensors (mean pooling over the attention mask, no pooler); csmed_reference.json holds
      csmed's outputs for a few fixed inputs (check them with scripts/peft_check.py).
      """),
  run: { arguments in
    _ = try arguments[AdapterTransfer.format]
    let report = try PEFTWorkflow.export(
      screenerDirectory: try arguments.required(AdapterTransfer.model), base: try arguments[Shared.base],
      output: try arguments.required(AdapterTransfer.exportOutput))
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
    options: [AdapterTransfer.peft, Shared.base, AdapterTransfer.importOutput],
    discussion: """
      The adapted layers and modules are read from the tensor names; they must be the same modules in every
      layer from the lowest adapted one up. The output directory can be used with `csmed screen --model`.
      """),
  run: { arguments in
    let report = try PEFTWorkflow.import(
      peftDirectory: try arguments.required(AdapterTransfer.peft), base: try arguments[Shared.base],
      output: try arguments.required(AdapterTransfer.importOutput))
    let c = report.configuration
    var text = "imported \(c.method.rawValue): r \(c.rank), alpha " + String(format: "%g", c.alpha ?? Double(c.rank))
    text +=
      ", targets \(c.targets.map(\.rawValue).joined(separator: ",")), layers \(c.freezeLayers)+, \(report.sites) site(s)\n"
    text += "bi-encoder screener written to \(report.output.path)\n"
    Terminal.out(text)
  })
