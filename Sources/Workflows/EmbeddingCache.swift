import Encoder
import Foundation
import Ingest
import Tensor

/// Sentence embeddings kept on disk, keyed by the base model's checksum, the maximum length, the
/// kernels in use, the precision and the texts themselves, so re-running `simulate` on a review (other seeds, rules, models) does
/// not embed its records again. One file per text list: `<sha256>.f32`, raw little-endian Float32
/// rows. A file of the wrong size is ignored and rewritten.
struct EmbeddingCache {
  let directory: URL

  func embeddings(
    of texts: [String], with embedder: SentenceEmbedder, base: URL, progress: ProgressHandler
  ) throws -> [[Float]] {
    var hasher = SHA256()
    hasher.update(Data(try BaseModelIdentity.of(directory: base).sha256.utf8))
    hasher.update(Data("max-length \(embedder.maxLength)\n".utf8))
    // The kernels decide the last bits, so an embedding cached under one CKernels variant or
    // OpenBLAS core is not reused under another (CSMED_KERNELS, another CPU sharing the folder).
    let platform = ComputePlatform.current
    hasher.update(Data("kernels \(platform.kernels) openblas \(platform.openBLASCore)\n".utf8))
    // int8 embeddings differ from fp32 ones; fp32 keys stay as they were, so old caches hold.
    if embedder.model.precision != .fp32 { hasher.update(Data("precision \(embedder.model.precision.rawValue)\n".utf8)) }
    for text in texts {
      // Length-prefixed, so two lists cannot collide by moving a boundary.
      hasher.update(Data("\(text.utf8.count):".utf8))
      hasher.update(Data(text.utf8))
    }
    let file = directory.appendingPathComponent(hasher.hexDigest() + ".f32")
    let dimension = embedder.model.configuration.hiddenSize
    if let data = try? Data(contentsOf: file), data.count == texts.count * dimension * 4 {
      let floats = data.withUnsafeBytes { raw in (0..<texts.count * dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
      return (0..<texts.count).map { Array(floats[$0 * dimension..<($0 + 1) * dimension]) }
    }
    let vectors = try ScreenWorkflow.embedInChunks(texts, with: embedder, progress: progress)
    var data = Data(capacity: texts.count * dimension * 4)
    for vector in vectors { for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } } }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try writeAtomically(data, to: file)
    } catch {
      throw WorkflowError.io(path: file.path, reason: "cannot write the embedding cache: \(error)")
    }
    return vectors
  }
}
