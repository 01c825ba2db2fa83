import Corpus
import Encoder
import Foundation
import Ingest
import Tensor

/// What a `csmed screen --shard i/N` run writes beside its ranking (`RANKING.shard.json`), so
/// that `csmed merge` can check the shards belong together: the same candidate list, the same
/// ranker, every shard once. It also says where the scores were computed, since shards scored
/// on different CPUs agree only within rounding (README, "Sharding").
public struct ShardRecord: Codable, Sendable, Equatable {
  public static let currentFormat = "csmed-shard-1"

  public var format = Self.currentFormat
  /// 1-based shard index and shard count.
  public var shard: Int
  public var shards: Int
  public var reviewID: String
  /// Candidates in the whole list, and this shard's slice of them.
  public var records: Int
  public var first: Int
  public var end: Int
  /// Candidates per scoring block (`ScreenWorkflow.blockSize`); shards hold whole blocks.
  public var blockSize: Int
  /// SHA-256 of the whole candidate list as read: each record's id, title, label and the text
  /// the ranker reads, in order.
  public var inputDigest: String
  /// SHA-256 of what decides the scores: the ranker, its model files, the query, the maximum
  /// length and the stage.
  public var rankerDigest: String
  /// The ranker in words, for messages.
  public var ranker: String
  public var platform: ComputePlatform
  public var csmedVersion: String

  /// The record's file beside `ranking`.
  public static func url(besides ranking: URL) -> URL {
    ranking.deletingLastPathComponent().appendingPathComponent(ranking.lastPathComponent + ".shard.json")
  }

  public func write(besides ranking: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let file = Self.url(besides: ranking)
    do { try writeAtomically(try encoder.encode(self) + Data("\n".utf8), to: file) } catch {
      throw WorkflowError.io(path: file.path, reason: "cannot write the shard record: \(error)")
    }
  }

  /// Reads the record beside `ranking`.
  /// - Throws: ``WorkflowError`` when it is missing (a ranking not written by `screen --shard`)
  ///   or unreadable.
  public static func read(besides ranking: URL) throws -> ShardRecord {
    let file = url(besides: ranking)
    guard let data = FileManager.default.contents(atPath: file.path) else {
      throw WorkflowError.usage(
        "\(ranking.path) has no shard record (\(file.lastPathComponent)): merge joins the outputs of `csmed screen --shard i/N -o FILE`, which writes one beside each ranking")
    }
    do {
      let record = try JSONDecoder().decode(ShardRecord.self, from: data)
      guard record.format == currentFormat else {
        throw WorkflowError.io(path: file.path, reason: "format '\(record.format)', expected '\(currentFormat)'")
      }
      return record
    } catch let error as WorkflowError {
      throw error
    } catch {
      throw WorkflowError.io(path: file.path, reason: "not a shard record: \(JSONErrors.describe(error))")
    }
  }
}

/// SHA-256 over length-prefixed fields, so two inputs cannot collide by moving a boundary.
struct FieldDigest {
  private var hasher = SHA256()

  mutating func add(_ field: String) {
    hasher.update(Data("\(field.utf8.count):".utf8))
    hasher.update(Data(field.utf8))
  }

  mutating func add(file url: URL) throws {
    add(url.lastPathComponent)
    add(try SHA256.hex(ofFileAt: url))
  }

  consuming func hex() -> String { hasher.hexDigest() }
}
