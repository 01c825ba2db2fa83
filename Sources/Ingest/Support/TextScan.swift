/// Small scanners shared by the readers: whitespace, years, DOIs and PMIDs inside free text.
enum TextScan {
  /// Collapses every run of whitespace (including newlines) into one space and trims the ends.
  ///
  /// Unicode whitespace (no-break space, em space, …) counts too; ASCII text takes a byte-level
  /// fast path.
  static func collapseWhitespace(_ text: some StringProtocol) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(text.utf8.count)
    var pendingSpace = false
    var sawNonASCII = false
    for byte in text.utf8 {
      if isASCIIWhitespace(byte) {
        pendingSpace = !output.isEmpty
        continue
      }
      if byte >= 0x80 { sawNonASCII = true }
      if pendingSpace {
        output.append(0x20)
        pendingSpace = false
      }
      output.append(byte)
    }
    let result = String(decoding: output, as: UTF8.self)
    guard sawNonASCII,
      result.unicodeScalars.contains(where: { $0.value >= 0x80 && $0.properties.isWhitespace })
    else { return result }
    return collapseUnicodeWhitespace(result)
  }

  /// Removes ASCII whitespace (space, tab, CR, LF, VT, FF) at both ends.
  static func trimmed(_ text: some StringProtocol) -> String {
    let utf8 = Substring(text).utf8
    guard let first = utf8.firstIndex(where: { !isASCIIWhitespace($0) }),
      let last = utf8.lastIndex(where: { !isASCIIWhitespace($0) })
    else { return "" }
    return String(Substring(utf8[first...last]))
  }

  /// True when `text` is empty or only ASCII whitespace.
  static func isBlank(_ text: some StringProtocol) -> Bool {
    text.utf8.allSatisfy(isASCIIWhitespace)
  }

  static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
  }

  private static func collapseUnicodeWhitespace(_ text: String) -> String {
    var result = String.UnicodeScalarView()
    var pendingSpace = false
    for scalar in text.unicodeScalars {
      if scalar.properties.isWhitespace {
        pendingSpace = !result.isEmpty
      } else {
        if pendingSpace { result.append(" ") }
        pendingSpace = false
        result.append(scalar)
      }
    }
    return String(result)
  }

  /// The first plausible publication year (1500–2099) standing alone in `text`, if any.
  static func year(in text: some StringProtocol) -> Int? {
    let digits = Array(text.utf8)
    var index = 0
    while index + 4 <= digits.count {
      let window = digits[index..<(index + 4)]
      let before = index > 0 ? digits[index - 1] : nil
      let after = index + 4 < digits.count ? digits[index + 4] : nil
      if window.allSatisfy(isDigit), !(before.map(isDigit) ?? false),
        !(after.map(isDigit) ?? false)
      {
        let value = window.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        if (1500...2099).contains(value) { return value }
      }
      index += 1
    }
    return nil
  }

  /// Finds a DOI (`10.NNNN/suffix`) in `text`.
  ///
  /// - Parameter requireMarker: when true, only DOIs introduced by `doi:`, `doi.org/` or
  ///   `dx.doi.org/` (case-insensitive) are returned, so that other `10.` strings in notes and
  ///   URLs are not mistaken for DOIs.
  /// - Returns: the DOI without prefix and without trailing punctuation.
  static func doi(in text: some StringProtocol, requireMarker: Bool = false) -> String? {
    let scalars = Array(String(text).unicodeScalars)
    var index = 0
    while index + 3 < scalars.count {
      if scalars[index] == "1", scalars[index + 1] == "0", scalars[index + 2] == ".",
        index == 0 || !isAlphanumeric(scalars[index - 1])
      {
        if requireMarker && !hasMarker(scalars, before: index) {
          index += 1
          continue
        }
        if let found = doiCandidate(scalars, from: index) { return found }
        // Every later start inside this run of digits and dots ends its registrant where this
        // one did and fails alike: skip the run, so `10.10.10...` costs one scan, not n.
        var end = index + 3
        while end < scalars.count, ("0"..."9").contains(scalars[end]) || scalars[end] == "." { end += 1 }
        index = max(index + 1, end)
        continue
      }
      index += 1
    }
    return nil
  }

  /// A PubMed identifier written as `PMID: 123`, `PMID 123` or `PMID:123` in `text`.
  static func markedPMID(in text: some StringProtocol) -> String? {
    let upper = String(text).uppercased()
    var searchStart = upper.startIndex
    while let range = upper.range(of: "PMID", range: searchStart..<upper.endIndex) {
      var index = range.upperBound
      while index < upper.endIndex, upper[index] == ":" || upper[index] == " " {
        index = upper.index(after: index)
      }
      let digits = upper[index...].prefix { $0.isASCII && $0.isNumber }
      if !digits.isEmpty && digits.count <= 9 { return String(digits) }
      searchStart = range.upperBound
    }
    return nil
  }

  /// A PMID taken from a PubMed URL (`pubmed.ncbi.nlm.nih.gov/123` or `.../pubmed/123`).
  static func pubMedURLPMID(in text: some StringProtocol) -> String? {
    let lower = String(text).lowercased()
    for marker in ["pubmed.ncbi.nlm.nih.gov/", "ncbi.nlm.nih.gov/pubmed/"] {
      if let range = lower.range(of: marker) {
        let digits = lower[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty && digits.count <= 9 { return String(digits) }
      }
    }
    return nil
  }

  /// True when `text` is a plausible PMID: 1 to 8 ASCII digits.
  static func isPMID(_ text: some StringProtocol) -> Bool {
    !text.isEmpty && text.count <= 8 && text.allSatisfy { $0.isASCII && $0.isNumber }
  }

  // MARK: - Private

  private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

  private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
  }

  private static func hasMarker(_ scalars: [Unicode.Scalar], before index: Int) -> Bool {
    var start = index
    // Skip spaces between a `doi:` marker and the DOI.
    while start > 0, scalars[start - 1] == " " { start -= 1 }
    let window = scalars[max(0, start - 12)..<start]
    let prefix = String(String.UnicodeScalarView(window)).lowercased()
    return prefix.hasSuffix("doi:") || prefix.hasSuffix("doi.org/") || prefix.hasSuffix("doi")
  }

  private static func doiCandidate(_ scalars: [Unicode.Scalar], from start: Int) -> String? {
    var index = start + 3
    var registrantDigits = 0
    while index < scalars.count, ("0"..."9").contains(scalars[index]) || scalars[index] == "." {
      registrantDigits += 1
      index += 1
    }
    guard registrantDigits >= 4, index < scalars.count, scalars[index] == "/" else { return nil }
    index += 1
    let suffixStart = index
    while index < scalars.count {
      let scalar = scalars[index]
      if scalar.properties.isWhitespace || scalar == "\"" || scalar == "<" || scalar == ">" {
        break
      }
      index += 1
    }
    var doi = String(String.UnicodeScalarView(scalars[start..<index]))
    while let last = doi.last,
      ".,;:".contains(last) || (last == ")" && !doi.contains("("))
        || (last == "]" && !doi.contains("["))
    {
      doi.removeLast()
    }
    return index > suffixStart && doi.count > (suffixStart - start) ? doi : nil
  }
}
