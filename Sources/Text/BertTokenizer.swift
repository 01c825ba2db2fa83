import Foundation

/// Token ids for one input (single text or pair), ready for the encoder.
public struct Encoding: Sendable, Equatable {
  /// `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]` as vocabulary ids.
  public var inputIDs: [Int32]
  /// 0 for `[CLS] a [SEP]`, 1 for `b [SEP]`.
  public var tokenTypeIDs: [Int32]

  /// The number of tokens.
  public var count: Int { inputIDs.count }

  /// Creates an encoding.
  /// - Precondition: both arrays have the same length.
  public init(inputIDs: [Int32], tokenTypeIDs: [Int32]) {
    precondition(inputIDs.count == tokenTypeIDs.count, "ids and type ids differ in length")
    self.inputIDs = inputIDs
    self.tokenTypeIDs = tokenTypeIDs
  }
}

/// The BERT WordPiece tokenizer with lower-casing, identical in output to Hugging Face's
/// `BertTokenizer` (`do_lower_case=True`, the `tokenizers` implementation).
///
/// Takes any `String` (callers decode bytes first). Literal special tokens (`[CLS]`, `[SEP]`, `[PAD]`,
/// `[UNK]`, `[MASK]`, where in the vocabulary) are split off the raw text first, case-sensitively, and
/// kept whole; the rest is normalised and pre-tokenised (`BertNormalizer`: NUL, U+FFFD and Cc/Cf/Co
/// scalars, \v, \f and U+0085 among them, are dropped, joining their neighbours; tab, LF, CR and every
/// other White_Space scalar, U+2028 and U+2029 too, separate; CJK ideographs and punctuation stand
/// alone; accents stripped; lower-cased), then each piece is split by greedy longest-match WordPiece
/// with the `##` continuation prefix. A piece longer than `maxInputCharsPerWord` Unicode scalars, or
/// one vocabulary entries cannot cover, becomes one `[UNK]`. No text is refused: `tokenIDs` and
/// `tokenize` do not throw; `encode` throws only `TokenizerError.maxLengthTooSmall(maxLength:minimum:)`
/// when `maxLength` cannot hold the 2 or 3 special tokens (zero or negative too), else its ids and
/// types have equal lengths, at most `maxLength`. `init` refuses a vocabulary without `[UNK]`,
/// `[CLS]`, `[SEP]` or `[PAD]` (`.missingSpecialToken`).
public struct BertTokenizer: Sendable {
  /// The vocabulary.
  public let vocabulary: Vocabulary
  /// Pieces longer than this (in Unicode scalars) become `[UNK]`. BERT uses 100.
  public let maxInputCharsPerWord: Int
  /// The id of `[UNK]`.
  public let unknownID: Int32
  /// The id of `[CLS]`.
  public let classID: Int32
  /// The id of `[SEP]`.
  public let separatorID: Int32
  /// The id of `[PAD]`.
  public let paddingID: Int32

  private let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
  private let continuationNode: Int32?

  /// Creates a tokenizer over `vocabulary`.
  /// - Throws: ``TokenizerError/missingSpecialToken(path:token:)`` when `[UNK]`, `[CLS]`, `[SEP]`
  ///   or `[PAD]` is missing.
  public init(vocabulary: Vocabulary, maxInputCharsPerWord: Int = 100) throws(TokenizerError) {
    func required(_ token: String) throws(TokenizerError) -> Int32 {
      guard let id = vocabulary.id(for: token) else {
        throw .missingSpecialToken(path: vocabulary.source, token: token)
      }
      return id
    }
    self.vocabulary = vocabulary
    self.maxInputCharsPerWord = maxInputCharsPerWord
    unknownID = try required("[UNK]")
    classID = try required("[CLS]")
    separatorID = try required("[SEP]")
    paddingID = try required("[PAD]")
    specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
      vocabulary.id(for: token).map { (Array(token.unicodeScalars), $0) }
    }
    continuationNode = vocabulary.node(after: Array("##".utf8))
  }

  /// Loads `vocab.txt` and creates a tokenizer.
  /// - Throws: ``TokenizerError`` for a missing, unreadable or incomplete vocabulary.
  public init(vocabularyURL: URL) throws(TokenizerError) {
    try self.init(vocabulary: Vocabulary(contentsOf: vocabularyURL))
  }

  // MARK: - Tokenisation

  /// The token ids of `text`, without special tokens or truncation.
  public func tokenIDs(_ text: String) -> [Int32] {
    var out: [Int32] = []
    for segment in splitSpecialTokens(text) {
      switch segment {
      case .special(let id): out.append(id)
      case .text(let t):
        for piece in BertNormalizer.preTokenize(t) { wordPiece(piece, into: &out) }
      }
    }
    return out
  }

  /// The token strings of `text`, without special tokens or truncation.
  public func tokenize(_ text: String) -> [String] {
    tokenIDs(text).map { vocabulary.token(for: $0) ?? "[UNK]" }
  }

  /// Encodes one text, or a pair, with special tokens and optional truncation.
  ///
  /// Single: `[CLS] a [SEP]`. Pair: `[CLS] a [SEP] b [SEP]`, token types 0 then 1.
  /// Truncation is `longest_first` as `tokenizers` implements it: when the pair does not fit
  /// `maxLength - 3`, the shorter keeps its length if it can and the longer takes the rest;
  /// when both are too long, the first gets `budget / 2` and the second `budget / 2 + budget % 2`.
  ///
  /// - Parameters:
  ///   - text: the first sequence.
  ///   - pair: the optional second sequence; an empty string counts as no pair (as in
  ///     transformers, where `tokenizer(text, "")` encodes `text` alone).
  ///   - maxLength: the maximum total length including special tokens, or nil for none.
  /// - Throws: ``TokenizerError/maxLengthTooSmall(maxLength:minimum:)``.
  public func encode(_ text: String, pair: String? = nil, maxLength: Int? = nil)
    throws(TokenizerError) -> Encoding
  {
    var a = tokenIDs(text)
    // Like transformers, an empty second text means "no pair".
    var b = pair.flatMap { $0.isEmpty ? nil : tokenIDs($0) }
    let added = b == nil ? 2 : 3
    if let maxLength {
      guard maxLength >= added else { throw .maxLengthTooSmall(maxLength: maxLength, minimum: added) }
      let budget = maxLength - added
      if var second = b {
        let (n1, n2) = Self.longestFirst(a.count, second.count, budget: budget)
        a.removeLast(a.count - n1)
        second.removeLast(second.count - n2)
        b = second
      } else if a.count > budget {
        a.removeLast(a.count - budget)
      }
    }
    var ids = [classID] + a + [separatorID]
    var types = [Int32](repeating: 0, count: ids.count)
    if let b {
      ids += b + [separatorID]
      types += [Int32](repeating: 1, count: b.count + 1)
    }
    return Encoding(inputIDs: ids, tokenTypeIDs: types)
  }

  /// Kept lengths of a pair under `longest_first` truncation to `budget` tokens (Rust
  /// `tokenizers::utils::truncation::truncate_encodings`).
  public static func longestFirst(_ first: Int, _ second: Int, budget: Int) -> (Int, Int) {
    if first + second <= budget { return (first, second) }
    var (n1, n2) = (first, second)
    let swapped = n1 > n2
    if swapped { swap(&n1, &n2) }
    n2 = n1 > budget ? n1 : max(n1, budget - n1)
    if n1 + n2 > budget {
      n1 = budget / 2
      n2 = n1 + budget % 2
    }
    if swapped { swap(&n1, &n2) }
    return (min(n1, first), min(n2, second))
  }

  // MARK: - Internals

  private enum Segment {
    case special(Int32)
    case text(Substring)
  }

  /// Splits literal special tokens off the raw text (leftmost, longest match, case-sensitive).
  private func splitSpecialTokens(_ text: String) -> [Segment] {
    guard text.contains("[") else { return [.text(text[...])] }
    var segments: [Segment] = []
    let scalars = text.unicodeScalars
    var segmentStart = scalars.startIndex
    var i = scalars.startIndex
    outer: while i < scalars.endIndex {
      if scalars[i] == "[" {
        var best: (end: String.UnicodeScalarView.Index, id: Int32, length: Int)? = nil
        for (tokenScalars, id) in specialTokens {
          var j = i
          var matched = true
          for t in tokenScalars {
            guard j < scalars.endIndex, scalars[j] == t else {
              matched = false
              break
            }
            j = scalars.index(after: j)
          }
          if matched, tokenScalars.count > (best?.length ?? 0) {
            best = (j, id, tokenScalars.count)
          }
        }
        if let best {
          if segmentStart < i { segments.append(.text(Substring(scalars[segmentStart..<i]))) }
          segments.append(.special(best.id))
          i = best.end
          segmentStart = i
          continue outer
        }
      }
      i = scalars.index(after: i)
    }
    if segmentStart < scalars.endIndex {
      segments.append(.text(Substring(scalars[segmentStart..<scalars.endIndex])))
    }
    return segments
  }

  /// Greedy longest-match WordPiece of one pre-token.
  private func wordPiece(_ piece: String, into out: inout [Int32]) {
    if piece.unicodeScalars.count > maxInputCharsPerWord {
      out.append(unknownID)
      return
    }
    let bytes = Array(piece.utf8)
    let start = out.count
    let ok = bytes.withUnsafeBufferPointer { buffer -> Bool in
      var position = 0
      while position < buffer.count {
        let node: Int32
        if position == 0 {
          node = 0
        } else {
          guard let c = continuationNode else { return false }
          node = c
        }
        guard let match = vocabulary.longestMatch(buffer, from: position, node: node) else {
          return false
        }
        out.append(match.id)
        position = match.end
      }
      return true
    }
    if !ok {
      out.removeLast(out.count - start)
      out.append(unknownID)
    }
  }
}
