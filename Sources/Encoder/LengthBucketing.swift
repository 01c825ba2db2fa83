/// Dynamic padding pads a batch to its longest sequence, so a batch that mixes a 40-token title
/// with a 256-token abstract pays for 256 six times over. Length bucketing groups examples of
/// similar length: shuffle, cut into windows of `windowBatches` batches, sort each window by
/// length, cut it into batches, and shuffle the batches. Every example appears once per epoch
/// and the order stays random at the scale of windows.
public enum LengthBucketing {
  /// Batches of indices into `lengths`, reproducible from `rng`.
  /// - Precondition: `batchSize` and `windowBatches` are positive.
  public static func batches(
    lengths: [Int], batchSize: Int, windowBatches: Int = 50, using rng: inout some RandomNumberGenerator
  ) -> [[Int]] {
    precondition(batchSize > 0 && windowBatches > 0, "batch size \(batchSize), window \(windowBatches)")
    let shuffled = lengths.indices.shuffled(using: &rng)
    let window = batchSize * windowBatches
    var out: [[Int]] = []
    for start in stride(from: 0, to: shuffled.count, by: window) {
      let part = shuffled[start..<min(start + window, shuffled.count)].sorted { lengths[$0] < lengths[$1] }
      for b in stride(from: 0, to: part.count, by: batchSize) {
        out.append(Array(part[b..<min(b + batchSize, part.count)]))
      }
    }
    out.shuffle(using: &rng)
    return out
  }

  /// Padded tokens of `batches` over `lengths` (what dynamic padding computes).
  public static func paddedTokens(_ batches: [[Int]], lengths: [Int]) -> Int {
    batches.reduce(0) { $0 + $1.count * ($1.map { lengths[$0] }.max() ?? 0) }
  }
}
