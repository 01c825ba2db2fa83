import Corpus
// classical-bench: times TF-IDF and the classical screeners on the SAS2010 COPD review and checks
// that they rank sanely (5-fold cross-validated ROC AUC and WSS@95).
//
// Usage: swift build -c release && .build/release/classical-bench [--corpus DIR] [--runs N]
//        [--folds K] [--seed S] [--dump-tfidf FILE]
// --dump-tfidf writes the vocabulary and CSR matrix of the default (bigram, sublinear) TF-IDF as
// JSON, for comparing with scikit-learn on the whole review.
// DIR defaults to ../shared/corpora/sas2010/copd (Titles/<id>, Abstracts/<id>,
// copd_labeled_terms_only with lines `<id> <1|-1> ...`).

import Foundation
import Screening
import Text

// MARK: - Arguments

struct Options {
  var corpus = "../shared/corpora/sas2010/copd"
  var runs = 5
  var folds = 5
  var seed: UInt64 = 42
  var dumpPath: String?
}

func parseOptions() -> Options? {
  var options = Options()
  var arguments = CommandLine.arguments.dropFirst().makeIterator()
  while let argument = arguments.next() {
    switch argument {
    case "--corpus": if let value = arguments.next() { options.corpus = value } else { return nil }
    case "--runs":
      if let value = arguments.next().flatMap(Int.init), value > 0 { options.runs = value } else { return nil }
    case "--folds":
      if let value = arguments.next().flatMap(Int.init), value > 1 { options.folds = value } else { return nil }
    case "--dump-tfidf":
      if let value = arguments.next() { options.dumpPath = value } else { return nil }
    case "--seed": if let value = arguments.next().flatMap(UInt64.init) { options.seed = value } else { return nil }
    default: return nil
    }
  }
  return options
}

// MARK: - Data

struct Review {
  var ids: [String] = []
  var texts: [String] = []
  var labels: [Int] = []
}

func loadReview(_ directory: String) throws -> Review {
  let labelsPath = directory + "/copd_labeled_terms_only"
  let listing = try String(contentsOfFile: labelsPath, encoding: .utf8)
  var review = Review()
  for (number, line) in Lines.split(listing).enumerated() where !line.isEmpty {
    let fields = line.split(separator: " ")
    guard fields.count >= 2, let label = Int(fields[1]), label == 1 || label == -1 else {
      throw BenchError.malformed("\(labelsPath):\(number + 1): expected `<id> <1|-1> ...`, found '\(line.prefix(40))'")
    }
    let id = String(fields[0])
    let title = (try? String(contentsOfFile: "\(directory)/Titles/\(id)", encoding: .utf8)) ?? ""
    let abstract = (try? String(contentsOfFile: "\(directory)/Abstracts/\(id)", encoding: .utf8)) ?? ""
    review.ids.append(id)
    review.texts.append(
      title.trimmingCharacters(in: .whitespacesAndNewlines) + " "
        + abstract.trimmingCharacters(in: .whitespacesAndNewlines))
    review.labels.append(label == 1 ? 1 : 0)
  }
  return review
}

enum BenchError: Error, CustomStringConvertible {
  case malformed(String)
  var description: String {
    switch self {
    case .malformed(let message): return message
    }
  }
}

// MARK: - Timing and metrics

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func meanAndDeviation(_ values: [Double]) -> (Double, Double) {
  let mean = values.reduce(0, +) / Double(values.count)
  let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))
  return (mean, variance.squareRoot())
}

/// ROC AUC as the Mann–Whitney statistic (ties count one half).
func rocAUC(scores: [Double], labels: [Int]) -> Double {
  let order = scores.indices.sorted { scores[$0] < scores[$1] }
  var ranks = [Double](repeating: 0, count: scores.count)
  var start = 0
  while start < order.count {
    var end = start
    while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
    let averageRank = Double(start + end) / 2 + 1
    for k in start...end { ranks[order[k]] = averageRank }
    start = end + 1
  }
  let positives = Double(labels.reduce(0, +))
  let negatives = Double(labels.count) - positives
  let rankSum = zip(ranks, labels).reduce(0.0) { $0 + ($1.1 == 1 ? $1.0 : 0) }
  return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
}

/// WSS@95 as Cohen et al. (2006): (N − screened)/N − 0.05, where `screened` is the rank (by score,
/// ties in input order) at which recall first reaches 95 % (k = ceil(0.95 · R) relevant found).
func wss95(scores: [Double], labels: [Int]) -> Double {
  let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
  let relevant = labels.reduce(0, +)
  let needed = Int((0.95 * Double(relevant)).rounded(.up))
  var found = 0
  for (position, index) in order.enumerated() {
    found += labels[index]
    if found >= needed {
      return Double(labels.count - (position + 1)) / Double(labels.count) - 0.05
    }
  }
  return -0.05
}


/// Stratified folds: each class shuffled with the seed, then dealt round-robin.
func stratifiedFolds(labels: [Int], folds: Int, seed: UInt64) -> [Int] {
  var generator = SplitMix64(seed: seed)
  var assignment = [Int](repeating: 0, count: labels.count)
  for label in [0, 1] {
    var members = labels.indices.filter { labels[$0] == label }
    members.shuffle(using: &generator)
    for (position, index) in members.enumerated() { assignment[index] = position % folds }
  }
  return assignment
}

// MARK: - ASReview-style simulation

/// WSS at recall `r` as asreview-insights computes it: k = floor(r·R), measured against the random
/// curve `round(linspace(0, R, N))` (half to even).
func insightsWSS(labelsInOrder: [Int], recall r: Double) -> Double {
  let n = labelsInOrder.count
  let relevant = labelsInOrder.reduce(0, +)
  let k = Int((r * Double(relevant)).rounded(.down))
  guard k > 0, n > 1 else { return 0 }
  var found = 0
  var whenFound = n - 1
  for (index, label) in labelsInOrder.enumerated() {
    found += label
    if found >= k {
      whenFound = index
      break
    }
  }
  var whenRandom = n - 1
  for index in 0..<n {
    let value = (Double(index) * Double(relevant) / Double(n - 1)).rounded(.toNearestOrEven)
    if value >= Double(k) {
      whenRandom = index
      break
    }
  }
  return Double(whenRandom - whenFound) / Double(n)
}

/// One `asreview simulate` run without priors: file order until both classes are labelled, then
/// retrain on all labels after every label and query the top-scored unlabelled record (ties to
/// the lowest index, as ASReview's stable argsort), until the last relevant record is found.
/// Returns the labelling order's labels padded with zeros to N, the labels asked and the seconds.
func simulate(matrix: SparseMatrix, labels: [Int], make: () throws -> ClassicalModel) throws -> ([Int], Int, Double) {
  let n = labels.count
  let totalRelevant = labels.reduce(0, +)
  var labelled: [Int] = []
  var isLabelled = [Bool](repeating: false, count: n)
  var found = 0
  var model = try make()
  let elapsed = try seconds {
    var next = 0
    while found < totalRelevant {
      let labelledLabels = labelled.map { labels[$0] }
      let fittable = labelledLabels.contains(1) && labelledLabels.contains(0)
      var pick = -1
      if !fittable {
        while isLabelled[next] { next += 1 }
        pick = next
      } else {
        try model.fit(matrix.rows(labelled), labels: labelledLabels)
        let scores = try model.scores(matrix)
        var best = -Double.infinity
        for i in 0..<n where !isLabelled[i] && (pick < 0 || scores[i] > best) {
          best = scores[i]
          pick = i
        }
      }
      isLabelled[pick] = true
      labelled.append(pick)
      found += labels[pick]
    }
  }
  var order = labelled.map { labels[$0] }
  let asked = order.count
  order += [Int](repeating: 0, count: n - asked)
  return (order, asked, elapsed)
}

// MARK: - Main

guard let options = parseOptions() else {
  let usage = "usage: classical-bench [--corpus DIR] [--runs N] [--folds K] [--seed S] [--dump-tfidf FILE]\n"
  FileHandle.standardError.write(Data(usage.utf8))
  exit(64)
}

do {
  let review = try loadReview(options.corpus)
  let relevant = review.labels.reduce(0, +)
  print("# classical-bench: SAS2010 COPD")
  print("")
  print(
    "\(review.texts.count) records, \(relevant) relevant; runs = \(options.runs) (median reported), "
      + "\(options.folds)-fold stratified CV (seed \(options.seed)); TF-IDF fitted on all records, as ASReview does.")
  print("")

  // Feature sets.
  let featureSets: [(String, TFIDFVectorizer.Configuration)] = [
    ("bigram (1-2, sublinear)", .init()),
    ("elas_u4 (1-2, sublinear, max_df 0.95)", .asreviewELASU4),
    ("elas_u3 (unigram, English stop words)", .asreviewELASU3),
  ]
  var matrices: [String: SparseMatrix] = [:]
  print("| TF-IDF features | columns | stored entries | fit_transform s (median) | transform s (median) |")
  print("| --- | ---: | ---: | ---: | ---: |")
  for (name, configuration) in featureSets {
    var fitTimes: [Double] = []
    var transformTimes: [Double] = []
    var result: (vectorizer: TFIDFVectorizer, matrix: SparseMatrix)?
    for _ in 0..<options.runs {
      fitTimes.append(
        try seconds { result = try TFIDFVectorizer.fitTransform(review.texts, configuration: configuration) })
    }
    guard let (vectorizer, matrix) = result else { continue }
    for _ in 0..<options.runs {
      transformTimes.append(seconds { _ = vectorizer.transform(review.texts) })
    }
    matrices[name] = matrix
    if let path = options.dumpPath, name == featureSets[0].0 {
      struct Dump: Encodable {
        let vocabulary: [String]
        let matrix: SparseMatrix
      }
      try JSONEncoder().encode(Dump(vocabulary: vectorizer.vocabulary, matrix: matrix))
        .write(to: URL(fileURLWithPath: path))
    }
    print(
      "| \(name) | \(matrix.columnCount) | \(matrix.nonzeroCount) | "
        + String(format: "%.3f | %.3f |", median(fitTimes), median(transformTimes)))
  }
  print("")

  let models: [(String, String, () throws -> ClassicalModel)] = [
    (
      "NB α=3.822, balanced 1.2 (ASReview elas_u3)", "elas_u3 (unigram, English stop words)",
      {
        .naiveBayes(try NaiveBayes(configuration: .init(balance: .asreview(ratio: 1.2))))
      }
    ),
    ("NB α=3.822", "bigram (1-2, sublinear)", { .naiveBayes(try NaiveBayes()) }),
    ("LR C=1", "bigram (1-2, sublinear)", { .logisticRegression(try LogisticRegression()) }),
    (
      "LR C=1, class_weight balanced", "bigram (1-2, sublinear)",
      {
        .logisticRegression(try LogisticRegression(configuration: .init(balance: .inverseClassFrequency)))
      }
    ),
    (
      "SVM C=0.11 sq. hinge, balanced 9.8 (ASReview elas_u4)", "elas_u4 (1-2, sublinear, max_df 0.95)",
      {
        .linearSVM(try LinearSVM(configuration: .asreviewELASU4))
      }
    ),
    ("SVM C=1 sq. hinge (LinearSVC())", "bigram (1-2, sublinear)", { .linearSVM(try LinearSVM()) }),
  ]

  let folds = stratifiedFolds(labels: review.labels, folds: options.folds, seed: options.seed)
  var generator = SplitMix64(seed: options.seed &+ 1)
  let shuffled = Array(review.labels.indices).shuffled(using: &generator)
  let subset200 = Array(shuffled.prefix(200))
  let subset800 = Array(shuffled.prefix(800))

  print(
    "| model | features | fit s (all 1,606) | score s (1,606) | fit s (200 labelled) | fit s (800 labelled) "
      + "| iterations | CV ROC AUC | CV WSS@95 |")
  print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
  for (name, featureName, make) in models {
    guard let matrix = matrices[featureName] else { continue }
    var fitTimes: [Double] = []
    var scoreTimes: [Double] = []
    var fitted = try make()
    for _ in 0..<options.runs {
      var model = try make()
      fitTimes.append(try seconds { try model.fit(matrix, labels: review.labels) })
      fitted = model
    }
    for _ in 0..<options.runs {
      scoreTimes.append(try seconds { _ = try fitted.scores(matrix) })
    }
    var small: [Double] = []
    var medium: [Double] = []
    let matrix200 = matrix.rows(subset200)
    let labels200 = subset200.map { review.labels[$0] }
    let matrix800 = matrix.rows(subset800)
    let labels800 = subset800.map { review.labels[$0] }
    for _ in 0..<options.runs {
      var model = try make()
      small.append(try seconds { try model.fit(matrix200, labels: labels200) })
      model = try make()
      medium.append(try seconds { try model.fit(matrix800, labels: labels800) })
    }
    var iterations = "-"
    switch fitted {
    case .logisticRegression(let model): iterations = model.diagnostics.map { "\($0.iterations)" } ?? "-"
    case .linearSVM(let model): iterations = model.diagnostics.map { "\($0.iterations)" } ?? "-"
    case .naiveBayes: break
    }

    var aucs: [Double] = []
    var wsss: [Double] = []
    for fold in 0..<options.folds {
      let train = review.labels.indices.filter { folds[$0] != fold }
      let test = review.labels.indices.filter { folds[$0] == fold }
      var model = try make()
      try model.fit(matrix.rows(train), labels: train.map { review.labels[$0] })
      let scores = try model.scores(matrix.rows(test))
      let labels = test.map { review.labels[$0] }
      aucs.append(rocAUC(scores: scores, labels: labels))
      wsss.append(wss95(scores: scores, labels: labels))
    }
    let (auc, aucSD) = meanAndDeviation(aucs)
    let (wss, wssSD) = meanAndDeviation(wsss)
    print(
      "| \(name) | \(featureName) | "
        + String(
          format: "%.4f | %.4f | %.4f | %.4f | %@ | %.3f ± %.3f | %.3f ± %.3f |", median(fitTimes), median(scoreTimes),
          median(small), median(medium), iterations, auc, aucSD, wss, wssSD))
  }
  print("")
  print(
    "WSS@95: Cohen et al. 2006, (N − screened)/N − 0.05 at the first rank with recall ≥ 95 % "
      + "(k = ceil(0.95·R)), per held-out fold; mean ± sd over folds.")

  // Active-learning simulation, ASReview's protocol (no priors, file order warm-up, n_query 1).
  print("")
  print(
    "| simulation (retrain after every label) | labels asked | wall s | WSS@95 (insights) | WSS@100 | ASReview 3.0.8 anchor |"
  )
  print("| --- | ---: | ---: | ---: | ---: | --- |")
  let simulations: [(String, String, String, () throws -> ClassicalModel)] = [
    (
      "elas_u3: NB α=3.822, balanced 1.2", "elas_u3 (unigram, English stop words)",
      "WSS@95 0.668, WSS@100 0.140, 18.7 s",
      {
        .naiveBayes(try NaiveBayes(configuration: .init(balance: .asreview(ratio: 1.2))))
      }
    ),
    (
      "elas_u4: SVM C=0.11, balanced 9.8", "elas_u4 (1-2, sublinear, max_df 0.95)",
      "WSS@95 0.658, WSS@100 0.108, 34.0 s",
      {
        .linearSVM(try LinearSVM(configuration: .asreviewELASU4))
      }
    ),
    (
      "elas_u4 SVM, warm start (dual reused)", "elas_u4 (1-2, sublinear, max_df 0.95)", "-",
      {
        var configuration = LinearSVM.Configuration.asreviewELASU4
        configuration.warmStart = true
        return .linearSVM(try LinearSVM(configuration: configuration))
      }
    ),
    (
      "LR C=1 (bigram), warm start", "bigram (1-2, sublinear)", "-",
      {
        .logisticRegression(try LogisticRegression(configuration: .init(warmStart: true)))
      }
    ),
  ]
  for (name, featureName, anchor, make) in simulations {
    guard let matrix = matrices[featureName] else { continue }
    let (order, asked, elapsed) = try simulate(matrix: matrix, labels: review.labels, make: make)
    print(
      "| \(name) | \(asked) | "
        + String(
          format: "%.1f | %.3f | %.3f |", elapsed,
          insightsWSS(labelsInOrder: order, recall: 0.95), insightsWSS(labelsInOrder: order, recall: 1.0))
        + " \(anchor) |")
  }
} catch {
  FileHandle.standardError.write(Data("error: \(error)\n".utf8))
  exit(65)
}
