import Corpus
import Foundation

/// A WordPiece vocabulary: token strings and their ids (the line number in `vocab.txt`).
///
/// Tokens are compared by their exact UTF-8 bytes (as Python and Rust do), not by Swift's
/// canonical-equivalence `String` equality. Lookups of the longest vocabulary prefix go through a
/// byte trie. `vocab.txt` is read whole and must be valid UTF-8 (no Latin-1 fallback); one token per
/// line, lines ending at LF or CRLF only (`Corpus.Lines`), so a lone CR, \v, \f, U+0085, U+2028 or
/// U+2029 is part of its token; a leading BOM is dropped and a final LF adds no token. Kept as they
/// stand: other whitespace (tokens are not trimmed), empty lines (empty tokens, so ids stay line
/// numbers), and a repeated token (it maps to its last id). Refused, as `TokenizerError`:
/// `.vocabularyNotFound(path:)`, `.vocabularyUnreadable(path:reason:)`, `.vocabularyNotUTF8(path:)`
/// and `.emptyVocabulary(path:)` for a file without lines. Throws only `TokenizerError` (typed).
public struct Vocabulary: Sendable {
  /// Token strings by id.
  public let tokens: [String]
  /// Where the vocabulary came from (a path, or "<memory>"), for error messages.
  public let source: String
  private let trie: ByteTrie

  /// Builds a vocabulary from tokens in id order. A repeated token maps to its last id, as in
  /// Hugging Face's loaders.
  public init(tokens: [String], source: String = "<memory>") {
    self.tokens = tokens
    self.source = source
    var trie = ByteTrie()
    for (id, token) in tokens.enumerated() { trie.insert(Array(token.utf8), id: Int32(id)) }
    self.trie = trie
  }

  /// Loads `vocab.txt`: one token per line, the id is the 0-based line number. A trailing
  /// `\r` (CRLF files) is removed; a final newline does not add an empty token.
  ///
  /// - Throws: ``TokenizerError`` when the file is missing, unreadable, not UTF-8 or empty.
  public init(contentsOf url: URL) throws(TokenizerError) {
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else {
      throw .vocabularyNotFound(path: path)
    }
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .vocabularyUnreadable(path: path, reason: "\(error.localizedDescription)")
    }
    // Token ids and trie nodes are Int32, and no line or node without a byte of its own.
    guard data.count < Int(Int32.max) else {
      throw .vocabularyUnreadable(path: path, reason: "\(data.count) bytes; a vocabulary is at most 2 GiB")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw .vocabularyNotUTF8(path: path)
    }
    // One token per line, as Hugging Face reads vocab.txt: only LF (or CRLF) ends a token.
    let lines = Lines.split(text).map(String.init)
    guard !lines.isEmpty else { throw .emptyVocabulary(path: path) }
    self.init(tokens: lines, source: path)
  }

  /// The number of tokens (ids are `0..<count`).
  public var count: Int { tokens.count }

  /// The id of `token` (exact bytes), or nil.
  public func id(for token: String) -> Int32? { trie.lookup(Array(token.utf8)) }

  /// The token for `id`, or nil when out of range.
  public func token(for id: Int32) -> String? {
    id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
  }

  /// The trie node reached from the root by `bytes`, or nil.
  func node(after bytes: [UInt8]) -> Int32? { trie.walk(from: 0, bytes[...]) }

  /// The longest vocabulary entry that prefixes `bytes[start...]`, starting at trie node `node`.
  /// - Returns: the token id and the end offset in `bytes`, or nil if no prefix is a token.
  func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, node: Int32)
    -> (id: Int32, end: Int)?
  {
    trie.longestMatch(bytes, from: start, node: node)
  }
}

/// A byte trie with edges in one hash map keyed by `(node << 8) | byte`.
struct ByteTrie: Sendable {
  private var edges: [Int64: Int32] = [:]
  private var ids: [Int32] = [-1]

  mutating func insert(_ bytes: [UInt8], id: Int32) {
    var node: Int32 = 0
    for b in bytes {
      let key = Int64(node) << 8 | Int64(b)
      if let next = edges[key] {
        node = next
      } else {
        let next = Int32(ids.count)
        ids.append(-1)
        edges[key] = next
        node = next
      }
    }
    ids[Int(node)] = id
  }

  func walk(from start: Int32, _ bytes: ArraySlice<UInt8>) -> Int32? {
    var node = start
    for b in bytes {
      guard let next = edges[Int64(node) << 8 | Int64(b)] else { return nil }
      node = next
    }
    return node
  }

  func lookup(_ bytes: [UInt8]) -> Int32? {
    guard let node = walk(from: 0, bytes[...]) else { return nil }
    let id = ids[Int(node)]
    return id >= 0 ? id : nil
  }

  func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, node start0: Int32)
    -> (id: Int32, end: Int)?
  {
    var node = start0
    var best: (id: Int32, end: Int)? = nil
    var i = start
    while i < bytes.count {
      guard let next = edges[Int64(node) << 8 | Int64(bytes[i])] else { break }
      node = next
      i += 1
      let id = ids[Int(node)]
      if id >= 0 { best = (id, i) }
    }
    return best
  }
}
