import Foundation

/// Turns raw text into the terms a bag-of-words model counts, exactly as scikit-learn's default
/// word analyzer does (`CountVectorizer(analyzer="word")`, which `TfidfVectorizer` shares).
///
/// The steps, in scikit-learn's order (`sklearn/feature_extraction/text.py`, `_analyze`):
/// 1. lower-case the whole text as Python's `str.lower` (`String.lowercased()` plus Python's
///    context-dependent final sigma: `ΣΟΦΟΣ` → `σοφος`);
/// 2. split it into tokens with the default `token_pattern` `(?u)\b\w\w+\b`: maximal runs of at
///    least two *word* code points, where a word code point is a letter (general categories Lu,
///    Ll, Lt, Lm, Lo), a code point with a numeric value (Nd, Nl, No and numeric ideographs), or
///    `_`, as Python's `re` defines `\w`. Combining marks (Mn, Mc) are not word code points, so a
///    decomposed `é` splits a word, as in Python;
/// 3. drop stop words (scikit-learn's `ENGLISH_STOP_WORDS`, 318 words) when asked;
/// 4. emit the n-grams for every `n` in `ngramRange`, unigrams first, each n-gram joined by one
///    space (`_word_ngrams`).
///
/// Accents are kept (`strip_accents=None`, scikit-learn's default). Code points whose properties
/// differ between the Unicode versions of Python and Swift may classify differently.
public struct TextAnalyzer: Sendable, Hashable, Codable {
  /// Which stop words to remove before building n-grams.
  public enum StopWords: String, Sendable, Hashable, Codable, CaseIterable {
    /// Keep every token (scikit-learn's `stop_words=None`).
    case none
    /// scikit-learn's `ENGLISH_STOP_WORDS` (`stop_words="english"`).
    case english
  }

  /// Whether to lower-case the text before tokenization (scikit-learn's `lowercase=True`).
  public let lowercase: Bool
  /// The stop words removed from the token sequence before n-grams are built.
  public let stopWords: StopWords
  /// The smallest n-gram length emitted (at least 1).
  public let minimumNGramLength: Int
  /// The largest n-gram length emitted (at least `minimumNGramLength`).
  public let maximumNGramLength: Int

  /// Creates an analyzer.
  ///
  /// - Parameters:
  ///   - lowercase: Lower-case the text first (default `true`).
  ///   - stopWords: Stop words to remove (default none).
  ///   - ngramRange: The n-gram lengths to emit, as scikit-learn's `ngram_range` (default `1...1`).
  /// - Throws: `VectorizerError.invalidParameter` when the range starts below 1.
  public init(lowercase: Bool = true, stopWords: StopWords = .none, ngramRange: ClosedRange<Int> = 1...1)
    throws
  {
    guard ngramRange.lowerBound >= 1 else {
      throw VectorizerError.invalidParameter(
        name: "ngram_range", expected: "a range of lengths starting at 1 or more",
        found: "\(ngramRange.lowerBound)...\(ngramRange.upperBound)")
    }
    self.lowercase = lowercase
    self.stopWords = stopWords
    self.minimumNGramLength = ngramRange.lowerBound
    self.maximumNGramLength = ngramRange.upperBound
  }

  /// The analyzer of scikit-learn's defaults: lower-case, no stop words, unigrams.
  public init() {
    lowercase = true
    stopWords = .none
    minimumNGramLength = 1
    maximumNGramLength = 1
  }

  /// The n-gram lengths emitted.
  public var ngramRange: ClosedRange<Int> { minimumNGramLength...maximumNGramLength }

  // MARK: - Analysis

  /// The tokens of `text` after lower-casing, tokenization and stop-word removal, in text order.
  public func tokens(in text: String) -> [String] {
    let source = lowercase ? Self.pythonLowercased(text) : text
    var tokens = Self.wordTokens(in: source)
    if stopWords == .english {
      tokens.removeAll { Self.englishStopWords.contains($0) }
    }
    return tokens
  }

  /// The terms of `text`: every n-gram of its tokens for the configured lengths, unigrams first,
  /// then bigrams, and so on, each in text order (scikit-learn's `build_analyzer()(text)`).
  public func terms(in text: String) -> [String] {
    ngrams(of: tokens(in: text))
  }

  /// The n-grams of an already analysed token sequence, in scikit-learn's order.
  public func ngrams(of tokens: [String]) -> [String] {
    if maximumNGramLength == 1 { return minimumNGramLength == 1 ? tokens : [] }
    var result: [String] = []
    var firstLength = minimumNGramLength
    if firstLength == 1 {
      result = tokens
      firstLength = 2
    }
    let longest = min(maximumNGramLength, tokens.count)
    guard firstLength <= longest else { return result }
    result.reserveCapacity(result.count + tokens.count * (longest - firstLength + 1))
    for length in firstLength...longest {
      for start in 0...(tokens.count - length) {
        var gram = tokens[start]
        for next in (start + 1)..<(start + length) {
          gram += " "
          gram += tokens[next]
        }
        result.append(gram)
      }
    }
    return result
  }

  /// Splits `text` (not lower-cased) into maximal runs of at least two word code points, as
  /// Python's `re.findall(r"(?u)\b\w\w+\b", text)`.
  ///
  /// - Complexity: O(*n*) in the number of Unicode scalars of `text`.
  public static func wordTokens(in text: String) -> [String] {
    var tokens: [String] = []
    let scalars = text.unicodeScalars
    var runStart = scalars.startIndex
    var runLength = 0
    var index = scalars.startIndex
    while index != scalars.endIndex {
      let scalar = scalars[index]
      if isWordScalar(scalar) {
        if runLength == 0 { runStart = index }
        runLength += 1
      } else {
        if runLength >= 2 { tokens.append(String(scalars[runStart..<index])) }
        runLength = 0
      }
      scalars.formIndex(after: &index)
    }
    if runLength >= 2 { tokens.append(String(scalars[runStart..<scalars.endIndex])) }
    return tokens
  }

  /// `text` lower-cased as Python's `str.lower()`: `String.lowercased()`, except that a capital
  /// sigma in the Final_Sigma context (after a cased letter, not before one, skipping
  /// case-ignorable code points) becomes `ς` (U+03C2), as CPython's `handle_capital_sigma` does.
  public static func pythonLowercased(_ text: String) -> String {
    let capitalSigma: Unicode.Scalar = "\u{03A3}"
    guard text.unicodeScalars.contains(capitalSigma) else { return text.lowercased() }
    let scalars = Array(text.unicodeScalars)
    var result = ""
    var pending = String.UnicodeScalarView()
    for (position, scalar) in scalars.enumerated() {
      guard scalar == capitalSigma else {
        pending.append(scalar)
        continue
      }
      result += String(pending).lowercased()
      pending.removeAll()
      result.unicodeScalars.append(isFinalSigma(scalars, at: position) ? "\u{03C2}" : "\u{03C3}")
    }
    result += String(pending).lowercased()
    return result
  }

  private static func isFinalSigma(_ scalars: [Unicode.Scalar], at position: Int) -> Bool {
    var before = position - 1
    while before >= 0 && scalars[before].properties.isCaseIgnorable { before -= 1 }
    guard before >= 0, scalars[before].properties.isCased else { return false }
    var after = position + 1
    while after < scalars.count && scalars[after].properties.isCaseIgnorable { after += 1 }
    return after == scalars.count || !scalars[after].properties.isCased
  }

  /// Whether Python's `re` counts `scalar` as `\w` in Unicode mode: `str.isalnum()` or `_`.
  @inline(__always)
  static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if value < 0x80 {
      return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A)
        || (value >= 0x61 && value <= 0x7A) || value == 0x5F
    }
    let properties = scalar.properties
    switch properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
      return true
    default:
      return properties.numericType != nil
    }
  }

  // MARK: - Stop words

  /// scikit-learn's `ENGLISH_STOP_WORDS` (318 words, from the Glasgow Information Retrieval Group
  /// list), sorted.
  public static let englishStopWordList: [String] = [
    "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost",
    "alone", "along", "already", "also", "although", "always", "am", "among", "amongst",
    "amoungst", "amount", "an", "and", "another", "any", "anyhow", "anyone", "anything", "anyway",
    "anywhere", "are", "around", "as", "at", "back", "be", "became", "because", "become",
    "becomes", "becoming", "been", "before", "beforehand", "behind", "being", "below", "beside",
    "besides", "between", "beyond", "bill", "both", "bottom", "but", "by", "call", "can", "cannot",
    "cant", "co", "con", "could", "couldnt", "cry", "de", "describe", "detail", "do", "done",
    "down", "due", "during", "each", "eg", "eight", "either", "eleven", "else", "elsewhere",
    "empty", "enough", "etc", "even", "ever", "every", "everyone", "everything", "everywhere",
    "except", "few", "fifteen", "fifty", "fill", "find", "fire", "first", "five", "for", "former",
    "formerly", "forty", "found", "four", "from", "front", "full", "further", "get", "give", "go",
    "had", "has", "hasnt", "have", "he", "hence", "her", "here", "hereafter", "hereby", "herein",
    "hereupon", "hers", "herself", "him", "himself", "his", "how", "however", "hundred", "i", "ie",
    "if", "in", "inc", "indeed", "interest", "into", "is", "it", "its", "itself", "keep", "last",
    "latter", "latterly", "least", "less", "ltd", "made", "many", "may", "me", "meanwhile",
    "might", "mill", "mine", "more", "moreover", "most", "mostly", "move", "much", "must", "my",
    "myself", "name", "namely", "neither", "never", "nevertheless", "next", "nine", "no", "nobody",
    "none", "noone", "nor", "not", "nothing", "now", "nowhere", "of", "off", "often", "on", "once",
    "one", "only", "onto", "or", "other", "others", "otherwise", "our", "ours", "ourselves", "out",
    "over", "own", "part", "per", "perhaps", "please", "put", "rather", "re", "same", "see",
    "seem", "seemed", "seeming", "seems", "serious", "several", "she", "should", "show", "side",
    "since", "sincere", "six", "sixty", "so", "some", "somehow", "someone", "something",
    "sometime", "sometimes", "somewhere", "still", "such", "system", "take", "ten", "than", "that",
    "the", "their", "them", "themselves", "then", "thence", "there", "thereafter", "thereby",
    "therefore", "therein", "thereupon", "these", "they", "thick", "thin", "third", "this",
    "those", "though", "three", "through", "throughout", "thru", "thus", "to", "together", "too",
    "top", "toward", "towards", "twelve", "twenty", "two", "un", "under", "until", "up", "upon",
    "us", "very", "via", "was", "we", "well", "were", "what", "whatever", "when", "whence",
    "whenever", "where", "whereafter", "whereas", "whereby", "wherein", "whereupon", "wherever",
    "whether", "which", "while", "whither", "who", "whoever", "whole", "whom", "whose", "why",
    "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself",
    "yourselves",
  ]

  /// `englishStopWordList` as a set.
  public static let englishStopWords: Set<String> = Set(englishStopWordList)

  // MARK: - Codable

  private enum CodingKeys: String, CodingKey {
    case lowercase
    case stopWords = "stop_words"
    case minimumNGramLength = "ngram_min"
    case maximumNGramLength = "ngram_max"
  }

  /// Decodes an analyzer, rejecting an n-gram range that does not start at 1 or more or is empty.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let minimum = try container.decode(Int.self, forKey: .minimumNGramLength)
    let maximum = try container.decode(Int.self, forKey: .maximumNGramLength)
    guard minimum >= 1, maximum >= minimum else {
      throw DecodingError.dataCorruptedError(
        forKey: .maximumNGramLength, in: container,
        debugDescription: "expected 1 <= ngram_min <= ngram_max, found \(minimum) and \(maximum)")
    }
    lowercase = try container.decode(Bool.self, forKey: .lowercase)
    stopWords = try container.decode(StopWords.self, forKey: .stopWords)
    minimumNGramLength = minimum
    maximumNGramLength = maximum
  }

  /// Encodes the analyzer with snake_case keys.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(lowercase, forKey: .lowercase)
    try container.encode(stopWords, forKey: .stopWords)
    try container.encode(minimumNGramLength, forKey: .minimumNGramLength)
    try container.encode(maximumNGramLength, forKey: .maximumNGramLength)
  }
}
