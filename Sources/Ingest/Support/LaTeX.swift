import Foundation

/// Converts the LaTeX found in BibTeX field values to plain Unicode text.
///
/// Handles accent commands in every usual spelling (`\'e`, `\'{e}`, `{\"u}`, `\c{c}`, `\c c`,
/// `\v{s}`, `\'{\i}`), letter commands (`\aa`, `\ss`, `\o`, `\l`, `\ae`, …), escaped specials
/// (`\&`, `\%`, `\_`, `\#`, `\$`), dashes (`--` en dash, `---` em dash), `~` as a space, TeX quotes
/// (` `` ` and `''`), a table of common text and math symbols (`\pm`, `\mu`, `\leq`, Greek letters,
/// `^\circ` as °), and math mode (`$...$` is kept as text without the dollars). Any other command
/// name is dropped while its arguments are kept as text (`\emph{x}` → `x`). Braces are removed
/// (BibTeX uses them to protect case), whitespace runs become one space, and the result is in
/// Unicode Normalization Form C.
enum LaTeX {
  /// Plain Unicode text for a BibTeX value.
  static func toUnicode(_ raw: String) -> String {
    guard raw.utf8.contains(where: { specialBytes.contains($0) }) else {
      return TextScan.collapseWhitespace(raw)
    }
    var decoder = Decoder(Array(raw.unicodeScalars))
    let decoded = decoder.decodeAll()
    let composed =
      decoded.unicodeScalars.contains { (0x300...0x36F).contains($0.value) }
      ? decoded.precomposedStringWithCanonicalMapping : decoded
    return TextScan.collapseWhitespace(composed)
  }

  /// Text for identifier fields (DOI, URL): braces removed and `\_`, `\%`, `\&`, `\#`, `\$`, `\~`
  /// unescaped, without any other LaTeX interpretation (so `--` and `~` stay as written).
  static func verbatim(_ raw: String) -> String {
    var out = String.UnicodeScalarView()
    var iterator = raw.unicodeScalars.makeIterator()
    while let scalar = iterator.next() {
      switch scalar {
      case "{", "}": continue
      case "\\":
        if let next = iterator.next() { out.append(next) }
      default: out.append(scalar)
      }
    }
    return TextScan.collapseWhitespace(String(out))
  }

  // MARK: - Tables

  /// Bytes that may start LaTeX markup: `\\ { } ~ $ - ` ' ^`.
  private static let specialBytes: Set<UInt8> = Set("\\{}~$-`'^".utf8)

  static let combiningAccents: [String: Unicode.Scalar] = [
    "'": "\u{0301}", "`": "\u{0300}", "^": "\u{0302}", "\"": "\u{0308}", "~": "\u{0303}",
    "=": "\u{0304}", ".": "\u{0307}", "u": "\u{0306}", "v": "\u{030C}", "H": "\u{030B}",
    "c": "\u{0327}", "k": "\u{0328}", "r": "\u{030A}", "d": "\u{0323}", "b": "\u{0331}",
    "t": "\u{0361}",
  ]

  static let symbols: [String: String] = [
    "aa": "å", "AA": "Å", "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
    "ldots": "…", "dots": "…", "textellipsis": "…", "textregistered": "®",
    "texttrademark": "™", "copyright": "©", "textcopyright": "©", "textendash": "–",
    "textemdash": "—", "textasciitilde": "~", "textbackslash": "\\", "textless": "<",
    "textgreater": ">", "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "textbullet": "•",
    "textquoteright": "’", "textquoteleft": "‘", "textquotedblleft": "“",
    "textquotedblright": "”", "euro": "€", "texteuro": "€", "pounds": "£", "textdegree": "°",
    "deg": "°", "degree": "°", "textmu": "µ", "textperthousand": "‰", "quad": " ", "qquad": " ",
    "pm": "±", "mp": "∓", "times": "×", "div": "÷", "cdot": "·", "circ": "∘", "bullet": "•",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "infty": "∞", "propto": "∝", "partial": "∂",
    "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃",
    "neg": "¬", "wedge": "∧", "vee": "∨", "rightarrow": "→", "to": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "leftrightarrow": "↔", "Leftrightarrow": "⇔",
    "uparrow": "↑", "downarrow": "↓", "ell": "ℓ", "hbar": "ℏ", "prime": "′", "ast": "∗",
    "star": "⋆", "lbrace": "{", "rbrace": "}", "langle": "⟨", "rangle": "⟩", "mid": "|",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
  ]

  // MARK: - Decoder

  private struct Decoder {
    let input: [Unicode.Scalar]
    /// How many accent arguments enclose this text: each level decodes its argument with a
    /// decoder of its own, so nesting is bounded to keep hostile input off the stack.
    let level: Int
    var index = 0
    var out = String.UnicodeScalarView()

    /// Accents nest a few levels in real titles (`\'{\i}`); beyond this the text is kept as written.
    static let maximumLevel = 32

    init(_ input: [Unicode.Scalar], level: Int = 0) {
      self.input = input
      self.level = level
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      index + offset < input.count ? input[index + offset] : nil
    }

    static func isLetter(_ scalar: Unicode.Scalar?) -> Bool {
      guard let scalar else { return false }
      return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    mutating func decodeAll() -> String {
      while let scalar = peek() {
        switch scalar {
        case "\\":
          decodeCommand()
        case "{", "}", "$":
          index += 1
        case "~":
          out.append(" ")
          index += 1
        case "-":
          var run = 0
          while peek() == "-" {
            run += 1
            index += 1
          }
          switch run {
          case 2: out.append("–")
          case 3: out.append("—")
          default: out.append(contentsOf: String(repeating: "-", count: run).unicodeScalars)
          }
        case "`" where peek(1) == "`":
          out.append("“")
          index += 2
        case "'" where peek(1) == "'":
          out.append("”")
          index += 2
        case "^" where isDegree():
          out.append("°")
        default:
          out.append(scalar)
          index += 1
        }
      }
      return String(out)
    }

    /// Consumes `^\circ` or `^{\circ}` (a degree sign) when it is next.
    mutating func isDegree() -> Bool {
      for pattern in ["^\\circ", "^{\\circ}"] {
        let scalars = Array(pattern.unicodeScalars)
        if index + scalars.count <= input.count,
          Array(input[index..<(index + scalars.count)]) == scalars,
          !(pattern == "^\\circ" && Decoder.isLetter(peek(scalars.count)))
        {
          index += scalars.count
          return true
        }
      }
      return false
    }

    mutating func decodeCommand() {
      index += 1  // the backslash
      guard let next = peek() else { return }
      if !Decoder.isLetter(next) {
        index += 1
        switch next {
        case "'", "`", "^", "\"", "~", "=", ".":
          applyAccent(next)
        case "\\": out.append(" ")
        case ",", ";", ":", " ", "\n", "\t": out.append(" ")
        case "!", "/", "-", "@": break
        default: out.append(next)  // \& \% \_ \# \$ \{ \}
        }
        return
      }
      var name = ""
      while Decoder.isLetter(peek()), let scalar = peek() {
        name.unicodeScalars.append(scalar)
        index += 1
      }
      while peek() == " " || peek() == "\t" || peek() == "\n" { index += 1 }
      if name.count == 1, let accent = name.unicodeScalars.first,
        "uvHckrdbt".unicodeScalars.contains(accent)
      {
        applyAccent(accent)
      } else if let symbol = LaTeX.symbols[name] {
        out.append(contentsOf: symbol.unicodeScalars)
      }
      // Any other command: drop its name; its arguments follow as ordinary text.
    }

    /// Reads one accent argument (`e`, `{e}`, `{\i}`, `\i`) and appends it with the accent.
    mutating func applyAccent(_ accent: Unicode.Scalar) {
      while peek() == " " { index += 1 }
      var base = ""
      if peek() == "{" {
        index += 1
        var depth = 1
        var argument = String.UnicodeScalarView()
        while let scalar = peek() {
          index += 1
          if scalar == "{" { depth += 1 }
          if scalar == "}" {
            depth -= 1
            if depth == 0 { break }
          }
          argument.append(scalar)
        }
        base = Decoder.decodeArgument(Array(argument), level: level + 1)
      } else if peek() == "\\" {
        var argument: [Unicode.Scalar] = ["\\"]
        index += 1
        while Decoder.isLetter(peek()), let scalar = peek() {
          argument.append(scalar)
          index += 1
        }
        while peek() == " " || peek() == "\t" || peek() == "\n" { index += 1 }
        base = Decoder.decodeArgument(argument, level: level + 1)
      } else if let scalar = peek() {
        index += 1
        base = String(scalar)
      }
      guard let mark = LaTeX.combiningAccents[String(accent)] else { return }
      var scalars = Array(base.unicodeScalars)
      if scalars.isEmpty {
        // `\'{}` alone: keep the spacing form of the accent character.
        out.append(accent)
        return
      }
      scalars.insert(mark, at: 1)
      out.append(contentsOf: scalars)
    }

    static func decodeArgument(_ scalars: [Unicode.Scalar], level: Int) -> String {
      let text = String(String.UnicodeScalarView(scalars))
      switch text {
      case "\\i": return "i"
      case "\\j": return "j"
      default:
        guard level <= maximumLevel else { return text }
        var decoder = Decoder(scalars, level: level)
        return decoder.decodeAll()
      }
    }
  }
}
