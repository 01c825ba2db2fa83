import Foundation

/// BERT's text normalisation and pre-tokenisation, as Hugging Face `tokenizers` implements it
/// (`BertNormalizer` with `lowercase: true`, then `BertPreTokenizer`), which is what
/// `transformers.BertTokenizer` runs:
///
/// 1. clean: drop NUL, U+FFFD and "other" characters (categories Cc, Cf, Co, Cs; tab, LF, CR
///    are kept), map White_Space characters to a space;
/// 2. put spaces around CJK ideographs (the ranges BERT lists);
/// 3. strip accents: NFD, then drop non-spacing marks (Mn);
/// 4. lowercase character by character (no context-dependent rules such as a final sigma);
/// 5. split on White_Space (removed) and on punctuation (each its own piece): ASCII
///    `!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~` and Unicode categories P*.
enum BertNormalizer {
  /// Normalises `text` and splits it into pre-tokens.
  static func preTokenize(_ text: Substring) -> [String] {
    // 1 + 2: clean and space CJK.
    var cleaned = String.UnicodeScalarView()
    for s in text.unicodeScalars {
      let v = s.value
      if v == 0 || v == 0xFFFD || isControl(s) { continue }
      if isWhitespace(s) {
        cleaned.append(" ")
      } else if isChineseCharacter(v) {
        cleaned.append(" ")
        cleaned.append(s)
        cleaned.append(" ")
      } else {
        cleaned.append(s)
      }
    }
    // 3: NFD, drop Mn. 4: per-scalar lowercase mapping.
    let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
    var pieces: [String] = []
    var current = String.UnicodeScalarView()
    func flush() {
      if !current.isEmpty {
        pieces.append(String(current))
        current = String.UnicodeScalarView()
      }
    }
    for s in decomposed.unicodeScalars {
      if s.properties.generalCategory == .nonspacingMark { continue }
      let lower = s.properties.lowercaseMapping
      for l in lower.unicodeScalars {
        if l.properties.isWhitespace {
          flush()
        } else if isPunctuation(l) {
          flush()
          pieces.append(String(Character(l)))
        } else {
          current.append(l)
        }
      }
    }
    flush()
    return pieces
  }

  /// Tab, LF and CR count as whitespace; otherwise the Unicode White_Space property.
  static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
    s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
  }

  /// Categories Cc, Cf, Co, Cs, except tab, LF and CR (which are whitespace).
  static func isControl(_ s: Unicode.Scalar) -> Bool {
    if s == "\t" || s == "\n" || s == "\r" { return false }
    switch s.properties.generalCategory {
    case .control, .format, .privateUse, .surrogate: return true
    default: return false
    }
  }

  /// ASCII symbol ranges (BERT treats `$`, `+`, `^`, ... as punctuation) or a Unicode P* category.
  static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v)
      || (123...126).contains(v)
    {
      return true
    }
    switch s.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation:
      return true
    default:
      return false
    }
  }

  /// The CJK ideograph ranges of `tokenizers`' BertNormalizer. Note 0x2B920 (not 0x2B820) as
  /// the start of the fifth range: this is what the Rust implementation does, verified by probing.
  static func isChineseCharacter(_ v: UInt32) -> Bool {
    (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v)
      || (0x20000...0x2A6DF).contains(v) || (0x2A700...0x2B73F).contains(v)
      || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
      || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
  }
}
