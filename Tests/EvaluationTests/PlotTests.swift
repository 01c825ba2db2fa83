import Foundation
import Testing

@testable import Evaluation

@Suite("RecallCurvePlot")
struct PlotTests {
  @Test("an SVG with the diagonal, one polyline per run, the WSS marker and a legend")
  func svg() throws {
    let labels = try QrelsReader.read(FortyThree.qrels, file: "qrels.txt")
    let good = try Evaluator.evaluate(try RunReader.read(FortyThree.run, file: "good"), labels: labels)
    let reversedRun = FortyThree.run.split(separator: "\n").reversed().joined(separator: "\n")
    let bad = try Evaluator.evaluate(try RunReader.read(reversedRun, file: "reversed", format: .clef), labels: labels)
    let curves = [
      RecallCurvePlot.curve(for: good, label: "ranked"),
      RecallCurvePlot.curve(for: bad, label: "reversed <&>"),
    ]
    expectClose(curves[0].wssPoint?.x, 0.477)
    expectClose(curves[0].wssValue, 0.473)
    let svg = RecallCurvePlot.svg(curves, title: "CD043")
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(svg.hasSuffix("</svg>\n"))
    #expect(svg.components(separatedBy: "<polyline").count == 3)
    #expect(svg.contains("stroke-dasharray=\"6 4\""))
    #expect(svg.contains("Random order"))
    #expect(svg.contains("reversed &lt;&amp;&gt;"))
    #expect(svg.contains("WSS@95 = 0.473"))
    #expect(svg.contains("Fraction of records screened"))
    if let path = ProcessInfo.processInfo.environment["CSMED_PLOT_OUT"] {
      try svg.write(toFile: path, atomically: true, encoding: .utf8)
    }
  }

  @Test("several reviews average recall on a grid")
  func multiReview() throws {
    let labels = LabelSet(
      source: "l",
      reviews: [
        ReviewLabels(reviewID: "A", candidates: ["a1", "a2"], relevant: ["a1"]),
        ReviewLabels(reviewID: "B", candidates: ["b1", "b2"], relevant: ["b2"]),
      ])
    let run = Run(
      name: "r", format: .csv,
      rankings: [
        Ranking(reviewID: "A", documentIDs: ["a1", "a2"]),
        Ranking(reviewID: "B", documentIDs: ["b1", "b2"]),
      ])
    let curve = RecallCurvePlot.curve(for: try Evaluator.evaluate(run, labels: labels), gridSize: 4)
    #expect(curve.points.map(\.y) == [0, 0, 0.5, 0.5, 1])
    expectClose(curve.wssPoint?.x, 0.75)
  }
}
