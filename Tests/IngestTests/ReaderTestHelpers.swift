import Foundation
import Testing

@testable import Ingest

/// Writes `contents` to a fresh temporary file and returns its URL.
func fixtureFile(_ contents: Data, name: String) throws -> URL {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("csmed-readers-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  let url = directory.appendingPathComponent(name)
  try contents.write(to: url)
  return url
}

/// Writes UTF-8 `text` to a fresh temporary file.
func fixtureFile(_ text: String, name: String) throws -> URL {
  try fixtureFile(Data(text.utf8), name: name)
}

/// Runs `body` and returns the `IngestError` it throws, recording an issue when it throws none.
func ingestError(_ body: () throws -> Void) -> IngestError? {
  do {
    try body()
    Issue.record("expected an IngestError, got success")
    return nil
  } catch let error as IngestError {
    return error
  } catch {
    Issue.record("expected an IngestError, got \(error)")
    return nil
  }
}

/// The `shared/corpora` mirror: `CSMED_CORPORA` if set, else the first `shared/corpora` found
/// walking up from this source file. Nil when neither exists.
let sharedCorporaDirectory: URL? = {
  let fileManager = FileManager.default
  if let path = ProcessInfo.processInfo.environment["CSMED_CORPORA"], !path.isEmpty {
    return fileManager.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
  }
  var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  while directory.path != "/" {
    let candidate = directory.appendingPathComponent("shared/corpora", isDirectory: true)
    var isDirectory: ObjCBool = false
    if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      return candidate
    }
    directory = directory.deletingLastPathComponent()
  }
  return nil
}()
