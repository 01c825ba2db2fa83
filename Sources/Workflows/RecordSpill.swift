import Corpus
import Foundation

/// The screened records with every field, kept on disk rather than in memory until they are
/// written in rank order: a screen appends each record as it reads it (one JSON line in a
/// temporary file) and the writer reads them back by offset. So `screen --format ris|csv` over
/// a 100,000-record export holds offsets in memory, not abstracts.
///
/// One owner at a time (a screen, then its writer); the file is removed when the spill goes.
public final class RecordSpill: @unchecked Sendable {
  private let url: URL
  private let handle: FileHandle
  private var offsets: [(offset: UInt64, length: Int)] = []
  private var end: UInt64 = 0
  private let encoder = JSONEncoder()
  private let decoder = JSONDecoder()

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("csmed-records-\(UUID().uuidString).jsonl")
    guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forUpdating: url) else {
      throw WorkflowError.io(path: url.path, reason: "cannot create the temporary record file")
    }
    self.handle = handle
  }

  deinit {
    try? handle.close()
    try? FileManager.default.removeItem(at: url)
  }

  /// Records kept so far.
  public var count: Int { offsets.count }

  func append(_ record: Record) throws {
    do {
      let data = try encoder.encode(record) + Data("\n".utf8)
      try handle.seek(toOffset: end)
      try handle.write(contentsOf: data)
      offsets.append((end, data.count))
      end += UInt64(data.count)
    } catch {
      throw WorkflowError.io(path: url.path, reason: "cannot keep a record for the output: \(error.localizedDescription)")
    }
  }

  /// The `index`-th record appended.
  public func record(_ index: Int) throws -> Record {
    let (offset, length) = offsets[index]
    do {
      try handle.seek(toOffset: offset)
      guard let data = try handle.read(upToCount: length), data.count == length else {
        throw WorkflowError.io(path: url.path, reason: "record \(index + 1) was cut short")
      }
      return try decoder.decode(Record.self, from: data)
    } catch let error as WorkflowError {
      throw error
    } catch {
      throw WorkflowError.io(path: url.path, reason: "cannot read back record \(index + 1): \(error.localizedDescription)")
    }
  }
}
