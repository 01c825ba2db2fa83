import Adapters
import Foundation
import Workflows

/// Workflow options as their workflows default them: where the CLI's option declarations take
/// their defaults from, so that each default is written once, in the workflow.
enum WorkflowDefaults {
  private static let nowhere = URL(fileURLWithPath: "/dev/null")

  static let train = TrainWorkflow.Options(database: nowhere, train: .none, base: nowhere, output: nowhere)
  static let labelledFile = TrainWorkflow.LabelledFile(url: nowhere, title: "")
  static let adapter = AdapterConfiguration(method: .lora)
  static let screen = ScreenWorkflow.Options(
    source: .file(nowhere, title: nil, criteria: nil), ranker: .zeroShot(.bm25), base: nowhere)
  static let simulate = SimulateWorkflow.Options(source: .file(nowhere, title: nil, criteria: nil))
  static let within = ExperimentWorkflow.WithinOptions(database: nowhere, reviews: .none, base: nowhere)
  static let loro = ExperimentWorkflow.LOROOptions(
    database: nowhere, reviews: .none, base: nowhere, train: ExperimentWorkflow.LOROOptions.defaultTraining(database: nowhere, base: nowhere, output: nowhere),
    scratch: nowhere)
  static let adapterExperiment = ExperimentWorkflow.AdapterOptions(database: nowhere, review: "", base: nowhere, adapter: adapter)
  static let bench = BenchWorkflow.Options(base: nowhere)
}
