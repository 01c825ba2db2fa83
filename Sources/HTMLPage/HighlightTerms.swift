import Text

/// The words of a review's query and criteria that the screening page marks in titles and
/// abstracts.
///
/// A term is a word of the text (a run of word code points, as the TF-IDF analyzer splits
/// them), lower-cased, at least three characters, not all digits, neither an English stop word
/// nor a word that describes the review rather than its topic (`include`, `studies`,
/// `criteria`, ...). Each is reduced to a stem by stripping one plural or verb ending, and the
/// page marks every word that starts with a stem, so `children` marks `children` and
/// `child` marks `childhood`, and `studies` marks `study`.
public enum HighlightTerms {
  /// The distinct stems of `text`, in the order they first appear.
  public static func stems(in text: String) -> [String] {
    var seen = Set<String>()
    var stems: [String] = []
    for word in TextAnalyzer.wordTokens(in: TextAnalyzer.pythonLowercased(text)) {
      guard word.count >= 3, !word.allSatisfy(\.isNumber), !word.contains("_"),
        !TextAnalyzer.englishStopWords.contains(word), !reviewWords.contains(word)
      else { continue }
      let stem = self.stem(word)
      if seen.insert(stem).inserted { stems.append(stem) }
    }
    return stems
  }

  /// `word` without one plural or verb ending (`ies`, `es`, `s`, `ing`, `ed`), when at least
  /// four characters remain; words ending in `ss` keep their `s`.
  public static func stem(_ word: String) -> String {
    for suffix in ["ies", "ing", "es", "ed", "s"] where word.hasSuffix(suffix) {
      if suffix == "s" && word.hasSuffix("ss") { continue }
      let kept = word.dropLast(suffix.count)
      if kept.count >= 4 { return String(kept) }
    }
    return word
  }

  /// Words of eligibility criteria that say how a review works, not what it is about: marking
  /// them would mark half of every abstract.
  static let reviewWords: Set<String> = [
    "criteria", "criterion", "inclusion", "exclusion", "include", "included", "includes", "including",
    "exclude", "excluded", "excludes", "excluding", "eligible", "eligibility", "study", "studies", "review",
    "reviews", "systematic", "published", "publication", "english", "language", "article", "articles",
    "paper", "papers", "report", "reports", "reported", "using", "based", "versus", "compared", "comparing",
    "effect", "effects", "outcome", "outcomes", "use",
  ]
}
