/// Bag-of-words counts of a corpus, the first step of both TF-IDF and BM25: term ids in order of
/// first occurrence and, per document (CSR), the distinct term ids it holds with their counts.
struct TermCounts {
  /// Term to id.
  private(set) var ids: [String: Int32] = [:]
  /// Id to term.
  private(set) var terms: [String] = []
  /// Document d's entries are `offsets[d]..<offsets[d + 1]`.
  private(set) var offsets = [0]
  private(set) var termIDs: [Int32] = []
  private(set) var counts: [Int32] = []
  private var scratch: [Int32] = []
  private var touched: [Int32] = []

  /// Counts one document's terms (entries in order of first occurrence within the document).
  mutating func add(_ documentTerms: some Sequence<String>) {
    for term in documentTerms {
      let id: Int32
      if let known = ids[term] {
        id = known
      } else {
        id = Int32(terms.count)
        ids[term] = id
        terms.append(term)
        scratch.append(0)
      }
      if scratch[Int(id)] == 0 { touched.append(id) }
      scratch[Int(id)] += 1
    }
    for id in touched {
      termIDs.append(id)
      counts.append(scratch[Int(id)])
      scratch[Int(id)] = 0
    }
    touched.removeAll(keepingCapacity: true)
    offsets.append(termIDs.count)
  }
}
