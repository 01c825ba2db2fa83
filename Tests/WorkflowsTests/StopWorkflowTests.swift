import Foundation
import Screening
import Testing
import TestSupport

@testable import Workflows

@Suite struct StopWorkflowTests {
  @Test("each rule answers for a partial labelling; a fixed fraction stops exactly at its share")
  func decide() throws {
    var csv = "order,document_id,label\n"
    for index in 1...50 { csv += "\(index),d\(index),\(index <= 5 ? 1 : 0)\n" }
    let file = try TestSupport.write(csv, to: "labels.csv", in: try TestSupport.temporaryDirectory())
    let answer = try StopWorkflow.decide(labels: file, total: 100, rules: "fraction:0.5,consecutive:45,consecutive:46", targetRecall: 0.95)
    #expect(answer.screened == 50 && answer.relevantFound == 5 && answer.total == 100)
    #expect(answer.decisions.map(\.decision.verdict) == [.stop, .stop, .continue])
    #expect(throws: StoppingError.self) {
      _ = try StopWorkflow.decide(labels: file, total: 100, rules: "nonsense", targetRecall: 0.95)
    }
  }
}
