import Corpus
import Encoder

/// One optimizer step's examples.
struct TrainingBatch {
  /// Bi-encoder: one query per review, its positive document at the same index, then
  /// `hardNegatives` excluded candidates of the same review per query.
  var queries: [String] = []
  var documents: [String] = []
  /// Cross-encoder: (query, text, label) pairs.
  var pairs: [(query: String, text: String, label: Int)] = []
}

/// Builds each epoch's batches from the training reviews, reproducibly from a generator.
struct Batcher {
  let train: [ScreeningData.Review]
  let options: TrainWorkflow.Options
  let positives: [(review: Int, doc: Int)]
  let negatives: [[Int]]

  init(train: [ScreeningData.Review], options: TrainWorkflow.Options) {
    self.train = train
    self.options = options
    var pos: [(Int, Int)] = []
    var neg: [[Int]] = []
    for (ri, r) in train.enumerated() {
      let usable = r.texts.indices.filter { !r.texts[$0].isEmpty }
      pos += usable.filter { r.labels[$0] == 1 }.map { (ri, $0) }
      neg.append(usable.filter { r.labels[$0] == 0 })
    }
    positives = pos
    negatives = neg
  }

  func epoch(using rng: inout SplitMix64) -> [TrainingBatch] {
    // At most `positivesPerReview` positives per review, shuffled.
    var byReview: [Int: [Int]] = [:]
    for p in positives.shuffled(using: &rng) where (byReview[p.review]?.count ?? 0) < options.positivesPerReview {
      byReview[p.review, default: []].append(p.doc)
    }
    let positivesByReview = byReview.keys.sorted().flatMap { r in byReview[r, default: []].map { (r, $0) } }
    // Length bucketing (by characters, a proxy for tokens) so that batches pad to similar lengths.
    let bucketed = LengthBucketing.batches(
      lengths: positivesByReview.map { train[$0.0].texts[$0.1].utf8.count }, batchSize: options.batchSize, using: &rng)
    var pool = bucketed.flatMap { $0.map { positivesByReview[$0] } }
    var out: [TrainingBatch] = []
    switch options.kind {
    case .crossEncoder:
      // Each positive with one excluded candidate of the same review, bucketed by length.
      var pairs: [(query: String, text: String, label: Int)] = []
      for (r, d) in pool {
        let review = train[r]
        pairs.append((review.query, review.texts[d], 1))
        if let n = negatives[r].randomElement(using: &rng) { pairs.append((review.query, review.texts[n], 0)) }
      }
      for ids in LengthBucketing.batches(lengths: pairs.map { $0.text.utf8.count }, batchSize: options.batchSize, using: &rng) {
        out.append(TrainingBatch(pairs: ids.map { pairs[$0] }))
      }
    default:
      // Distinct reviews in a batch, so no query's positive is another query's in-batch negative.
      while !pool.isEmpty {
        var b = TrainingBatch()
        var used = Set<Int>(), rest: [(Int, Int)] = []
        var hard: [String] = []
        for (r, d) in pool {
          if b.queries.count < options.batchSize, used.insert(r).inserted {
            b.queries.append(train[r].query)
            b.documents.append(train[r].texts[d])
            for _ in 0..<options.hardNegatives {
              if let n = negatives[r].randomElement(using: &rng) { hard.append(train[r].texts[n]) }
            }
          } else {
            rest.append((r, d))
          }
        }
        b.documents += hard
        out.append(b)
        pool = rest
      }
    }
    return out
  }
}
