import Foundation

/// A point of a recall curve.
public struct CurvePoint: Sendable, Hashable {
  /// Fraction of the records screened, 0…1.
  public var x: Double
  /// Recall, 0…1.
  public var y: Double

  /// Creates a point.
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}

/// One run's recall curve, ready to plot.
public struct RecallCurve: Sendable, Hashable {
  /// The legend label.
  public var label: String
  /// The curve, x increasing from 0 to 1.
  public var points: [CurvePoint]
  /// Where the run reaches the WSS recall target (mean fraction screened, target), if it does.
  public var wssPoint: CurvePoint?
  /// The (mean) WSS at that target, shown next to the marker.
  public var wssValue: Double?

  /// Creates a curve.
  public init(label: String, points: [CurvePoint], wssPoint: CurvePoint? = nil, wssValue: Double? = nil) {
    self.label = label
    self.points = points
    self.wssPoint = wssPoint
    self.wssValue = wssValue
  }
}

/// Draws recall curves (recall against fraction screened) as a self-contained SVG document.
public enum RecallCurvePlot {
  /// The recall curve of a report.
  ///
  /// With one review the curve is exact (one step per record). With several reviews it is the
  /// mean recall over reviews on a grid of `gridSize + 1` fractions screened, where a review's
  /// recall at fraction f is found(⌊f·N⌋)/R. The WSS marker sits at the mean fraction screened
  /// when the target recall is reached (per the report's WSS convention) and the target recall.
  public static func curve(
    for report: EvaluationReport, label: String? = nil, wssTarget: Double = 0.95,
    gridSize: Int = 400
  ) -> RecallCurve {
    let reviews = report.reviews
    var points: [CurvePoint] = []
    if reviews.count == 1, let only = reviews.first, only.ranking.effectiveCount <= 5000 {
      points = RankingMetrics.recallCurve(in: only.ranking).map { CurvePoint(x: $0.x, y: $0.y) }
    } else if !reviews.isEmpty {
      let found = reviews.map(\.ranking.cumulativeFound)
      for j in 0...max(1, gridSize) {
        let f = Double(j) / Double(max(1, gridSize))
        var sum = 0.0
        for (review, cumulative) in zip(reviews, found) {
          let rank = Int((f * Double(review.ranking.effectiveCount)).rounded(.down))
          let value = cumulative[min(rank, cumulative.count - 1)]
          sum += Double(value) / Double(max(1, review.ranking.relevantCount))
        }
        points.append(CurvePoint(x: f, y: sum / Double(reviews.count)))
      }
    }
    var fractions: [Double] = []
    for review in reviews {
      let ranking = review.ranking
      let t = WorkSavedMetrics.targetCount(
        forRecall: wssTarget, relevantCount: ranking.relevantCount,
        convention: report.options.wssConvention)
      if let k = ranking.rank(ofRelevant: t) {
        fractions.append(Double(k) / Double(ranking.effectiveCount))
      }
    }
    let marker =
      fractions.isEmpty
      ? nil : CurvePoint(x: fractions.reduce(0, +) / Double(fractions.count), y: wssTarget)
    let wssName = "wss@\(Evaluator.levelName(wssTarget * 100))"
    return RecallCurve(
      label: label ?? report.runName, points: points, wssPoint: marker,
      wssValue: report.mean(named: wssName))
  }

  static let palette = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
  ]

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func number(_ value: Double) -> String { String(format: "%.2f", value) }

  /// An SVG document plotting the curves over the random-order diagonal, with ticks, axis
  /// labels, a legend and each curve's WSS point marked.
  ///
  /// - Parameters:
  ///   - curves: The curves to overlay (colours cycle through eight).
  ///   - title: The plot title.
  ///   - wssLabel: The marker's name in the legend, e.g. `WSS@95`.
  public static func svg(
    _ curves: [RecallCurve], title: String = "Recall curve", wssLabel: String = "WSS@95",
    width: Int = 720, height: Int = 540
  ) -> String {
    let left = 70.0, right = 24.0, top = 44.0, bottom = 62.0
    let plotWidth = Double(width) - left - right
    let plotHeight = Double(height) - top - bottom
    func px(_ x: Double) -> Double { left + min(max(x, 0), 1) * plotWidth }
    func py(_ y: Double) -> Double { top + (1 - min(max(y, 0), 1)) * plotHeight }

    var svg: [String] = []
    svg.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        + "viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\">")
    svg.append("<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"white\"/>")
    svg.append(
      "<text x=\"\(number(left + plotWidth / 2))\" y=\"26\" font-size=\"17\" text-anchor=\"middle\">"
        + "\(escape(title))</text>")
    // Grid and ticks.
    for i in 0...10 {
      let v = Double(i) / 10
      let major = i % 2 == 0
      let colour = major ? "#d0d0d0" : "#ececec"
      svg.append(
        "<line x1=\"\(number(px(v)))\" y1=\"\(number(py(0)))\" x2=\"\(number(px(v)))\" "
          + "y2=\"\(number(py(1)))\" stroke=\"\(colour)\" stroke-width=\"1\"/>")
      svg.append(
        "<line x1=\"\(number(px(0)))\" y1=\"\(number(py(v)))\" x2=\"\(number(px(1)))\" "
          + "y2=\"\(number(py(v)))\" stroke=\"\(colour)\" stroke-width=\"1\"/>")
      guard major else { continue }
      let label = String(format: "%.1f", v)
      svg.append(
        "<line x1=\"\(number(px(v)))\" y1=\"\(number(py(0)))\" x2=\"\(number(px(v)))\" "
          + "y2=\"\(number(py(0) + 6))\" stroke=\"black\"/>")
      svg.append(
        "<text x=\"\(number(px(v)))\" y=\"\(number(py(0) + 21))\" font-size=\"13\" "
          + "text-anchor=\"middle\">\(label)</text>")
      svg.append(
        "<line x1=\"\(number(px(0) - 6))\" y1=\"\(number(py(v)))\" x2=\"\(number(px(0)))\" "
          + "y2=\"\(number(py(v)))\" stroke=\"black\"/>")
      svg.append(
        "<text x=\"\(number(px(0) - 10))\" y=\"\(number(py(v) + 4.5))\" font-size=\"13\" "
          + "text-anchor=\"end\">\(label)</text>")
    }
    // Axes.
    svg.append(
      "<rect x=\"\(number(left))\" y=\"\(number(top))\" width=\"\(number(plotWidth))\" "
        + "height=\"\(number(plotHeight))\" fill=\"none\" stroke=\"black\" stroke-width=\"1.2\"/>")
    svg.append(
      "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(Double(height) - 16))\" "
        + "font-size=\"14\" text-anchor=\"middle\">Fraction of records screened</text>")
    svg.append(
      "<text x=\"20\" y=\"\(number(top + plotHeight / 2))\" font-size=\"14\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 20 \(number(top + plotHeight / 2)))\">Recall</text>")
    // Random-order diagonal.
    svg.append(
      "<line x1=\"\(number(px(0)))\" y1=\"\(number(py(0)))\" x2=\"\(number(px(1)))\" "
        + "y2=\"\(number(py(1)))\" stroke=\"#777777\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>")
    // Curves and WSS markers.
    for (index, curve) in curves.enumerated() {
      let colour = palette[index % palette.count]
      let path = curve.points.map { "\(number(px($0.x))),\(number(py($0.y)))" }
        .joined(separator: " ")
      svg.append(
        "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" "
          + "stroke-linejoin=\"round\"/>")
      if let point = curve.wssPoint {
        svg.append(
          "<line x1=\"\(number(px(point.x)))\" y1=\"\(number(py(point.y)))\" "
            + "x2=\"\(number(px(point.x)))\" y2=\"\(number(py(0)))\" stroke=\"\(colour)\" "
            + "stroke-width=\"1\" stroke-dasharray=\"2 3\"/>")
        svg.append(
          "<circle cx=\"\(number(px(point.x)))\" cy=\"\(number(py(point.y)))\" r=\"5\" "
            + "fill=\"white\" stroke=\"\(colour)\" stroke-width=\"2.5\"/>")
        if let value = curve.wssValue {
          let anchorRight = point.x > 0.75
          svg.append(
            "<text x=\"\(number(px(point.x) + (anchorRight ? -9 : 9)))\" "
              + "y=\"\(number(py(point.y) + 18 + Double(index) * 15))\" font-size=\"12\" "
              + "fill=\"\(colour)\" text-anchor=\"\(anchorRight ? "end" : "start")\">"
              + "\(escape(wssLabel)) = \(String(format: "%.3f", value))</text>")
        }
      }
    }
    // Legend (bottom right, inside the plot).
    let entries = curves.count + 2
    let legendWidth = min(
      plotWidth * 0.6,
      max(170, 7.4 * Double(curves.map(\.label.count).max() ?? 10) + 48))
    let legendHeight = Double(entries) * 20 + 12
    let lx = px(1) - legendWidth - 10
    let ly = py(0) - legendHeight - 10
    svg.append(
      "<rect x=\"\(number(lx))\" y=\"\(number(ly))\" width=\"\(number(legendWidth))\" "
        + "height=\"\(number(legendHeight))\" fill=\"white\" fill-opacity=\"0.92\" "
        + "stroke=\"#999999\"/>")
    for (index, curve) in curves.enumerated() {
      let y = ly + 18 + Double(index) * 20
      svg.append(
        "<line x1=\"\(number(lx + 10))\" y1=\"\(number(y - 4))\" x2=\"\(number(lx + 34))\" "
          + "y2=\"\(number(y - 4))\" stroke=\"\(palette[index % palette.count])\" stroke-width=\"2.5\"/>")
      svg.append(
        "<text x=\"\(number(lx + 42))\" y=\"\(number(y))\" font-size=\"12\">\(escape(curve.label))</text>")
    }
    let ry = ly + 18 + Double(curves.count) * 20
    svg.append(
      "<line x1=\"\(number(lx + 10))\" y1=\"\(number(ry - 4))\" x2=\"\(number(lx + 34))\" "
        + "y2=\"\(number(ry - 4))\" stroke=\"#777777\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>")
    svg.append("<text x=\"\(number(lx + 42))\" y=\"\(number(ry))\" font-size=\"12\">Random order</text>")
    let my = ry + 20
    svg.append(
      "<circle cx=\"\(number(lx + 22))\" cy=\"\(number(my - 4))\" r=\"5\" fill=\"white\" "
        + "stroke=\"#333333\" stroke-width=\"2.5\"/>")
    svg.append(
      "<text x=\"\(number(lx + 42))\" y=\"\(number(my))\" font-size=\"12\">"
        + "\(escape(wssLabel)) point</text>")
    svg.append("</svg>")
    return svg.joined(separator: "\n") + "\n"
  }
}
