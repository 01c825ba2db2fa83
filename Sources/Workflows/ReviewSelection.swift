import Corpus
import Foundation
import Store

/// Which reviews a training or experiment run uses: `split:NAME`, `collection:NAME`,
/// `review:ID` (numeric id, `collection/source_id`, or a unique source or Cochrane id), joined by
/// commas; a term starting with `-` removes reviews (`collection:cohen2006,-review:cohen2006/ADHD`).
/// `review:` takes several ids separated by `;` or `+` (`review:3+7+9`).
public struct ReviewSelection: Sendable, Equatable, CustomStringConvertible {
  public enum Term: Sendable, Equatable {
    case split(String), collection(String), reviews([String])
  }

  public var include: [Term]
  public var exclude: [Term]
  public let description: String

  /// No review (a run that trains on a file instead).
  public static let none = ReviewSelection(include: [], exclude: [], description: "")

  private init(include: [Term], exclude: [Term], description: String) {
    self.include = include
    self.exclude = exclude
    self.description = description
  }

  /// - Throws: ``WorkflowError/usage(_:)`` naming the bad term.
  public init(parsing spec: String) throws {
    description = spec
    include = []
    exclude = []
    for raw in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !raw.isEmpty {
      let negated = raw.hasPrefix("-")
      let body = negated ? String(raw.dropFirst()) : raw
      guard let colon = body.firstIndex(of: ":") else {
        throw WorkflowError.usage("review selection '\(raw)': expected split:NAME, collection:NAME or review:ID")
      }
      let (kind, value) = (body[..<colon].lowercased(), String(body[body.index(after: colon)...]))
      guard !value.isEmpty else { throw WorkflowError.usage("review selection '\(raw)': no value after '\(kind):'") }
      let term: Term
      switch kind {
      case "split": term = .split(value)
      case "collection": term = .collection(value)
      case "review", "reviews":
        term = .reviews(value.split(whereSeparator: { $0 == ";" || $0 == "+" }).map(String.init))
      default:
        throw WorkflowError.usage("review selection '\(raw)': unknown kind '\(kind)' (use split, collection or review)")
      }
      if negated { exclude.append(term) } else { include.append(term) }
    }
    guard !include.isEmpty else { throw WorkflowError.usage("review selection '\(spec)' selects nothing") }
  }

  /// The selected reviews in the order the terms name them, without duplicates.
  public func resolve(in store: DatasetStore) throws -> [ReviewRef] {
    func refs(_ term: Term) throws -> [ReviewRef] {
      switch term {
      case .split(let name):
        let found = try store.reviews(inSplit: name)
        if found.isEmpty {
          let known = try store.splitSizes().map(\.name).joined(separator: ", ")
          throw WorkflowError.usage("split '\(name)' has no reviews (known splits: \(known))")
        }
        return found
      case .collection(let name):
        let found = try store.reviews(inCollection: name)
        if found.isEmpty {
          throw WorkflowError.usage(
            "collection '\(name)' has no reviews (known: \(try store.collectionIDs().joined(separator: ", ")))")
        }
        return found
      case .reviews(let keys): return try keys.map { try store.review(matching: $0) }
      }
    }
    let removed = Set(try exclude.flatMap(refs).map(\.id))
    var seen = Set<Int>()
    return try include.flatMap(refs).filter { !removed.contains($0.id) && seen.insert($0.id).inserted }
  }
}
