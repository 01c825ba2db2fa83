import Foundation
import Screening
import Text

/// The features of the embedding models, `embed-lr` and `tfidf-embed-lr`: the L2-normalised
/// sentence embedding, for `tfidf-embed-lr` after the L2-normalised TF-IDF vector (so neither
/// block dominates the other). The TF-IDF vocabulary is fitted once (on a review's records in
/// `simulate`, on the training records in `train`) and kept, so a screener reads new records as
/// it read its training ones.
struct EmbeddingFeatures: Codable, Sendable {
  /// nil for `embed-lr`.
  var vectorizer: TFIDFVectorizer?

  init(fitting texts: [String], withTFIDF: Bool) throws {
    vectorizer = withTFIDF ? try TFIDFVectorizer(fitting: texts, configuration: SimulateWorkflow.hybridTFIDF) : nil
  }

  /// One row per text: the TF-IDF block (when there is one), then the embedding.
  func matrix(texts: [String], embeddings: [[Float]]) throws -> SparseMatrix {
    let dense = try SparseMatrix(dense: embeddings.map { $0.map(Double.init) }, columnCount: embeddings.first?.count ?? 384)
    guard let vectorizer else { return dense }
    return try vectorizer.transform(texts).horizontallyConcatenated(with: dense)
  }
}
