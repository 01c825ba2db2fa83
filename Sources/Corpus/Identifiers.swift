import Foundation

/// Normalization of the identifiers that link one document across collections.
public enum Identifiers {
  /// A PubMed id from a bare number, `PMID: 123`, or a PubMed URL; nil when there is none.
  public static func pmid(_ raw: String?) -> String? {
    guard let raw else { return nil }
    var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    if let range = text.range(of: "pubmed.ncbi.nlm.nih.gov/") ?? text.range(of: "/pubmed/") {
      text = String(text[range.upperBound...])
    }
    if text.lowercased().hasPrefix("pmid") {
      text = String(text.dropFirst(4)).trimmingCharacters(in: CharacterSet(charactersIn: ": "))
    }
    let digits = text.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, digits.count <= 10 else { return nil }
    let trimmed = digits.drop { $0 == "0" }
    return trimmed.isEmpty ? nil : String(trimmed)
  }

  /// A DOI in its canonical lower-case form without resolver prefix; nil when there is none.
  public static func doi(_ raw: String?) -> String? {
    guard let raw else { return nil }
    var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    let lower = text.lowercased()
    for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:", "doi "] {
      if lower.hasPrefix(prefix) {
        text = String(text.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        break
      }
    }
    guard text.hasPrefix("10."), text.contains("/") else { return nil }
    return text.lowercased()
  }
}
