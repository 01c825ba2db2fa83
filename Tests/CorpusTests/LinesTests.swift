import Corpus
import Testing

/// The characters Swift's `isNewline` takes for line ends but `Lines` keeps inside a line.
let inLineBreaks = ["\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\r"]

@Suite struct LinesTests {
  @Test("LF ends a line; CRLF is one line end; the last line needs no LF")
  func ends() {
    #expect(Lines.split("") == [])
    #expect(Lines.split("\n") == [""])
    #expect(Lines.split("a") == ["a"])
    #expect(Lines.split("a\nb\n") == ["a", "b"])
    #expect(Lines.split("a\nb") == ["a", "b"])
    #expect(Lines.split("a\r\nb\r\n") == ["a", "b"])
    #expect(Lines.split("a\r\n\r\nb") == ["a", "", "b"])
    #expect(Lines.split("a\n\n") == ["a", ""])
    // A CR at the very end is a CRLF cut short.
    #expect(Lines.split("a\r") == ["a"])
    #expect(Lines.split("\u{FEFF}a\nb") == ["a", "b"])
  }

  @Test("\\v, \\f, U+0085, U+2028, U+2029 and a lone CR are characters inside a line", arguments: inLineBreaks)
  func insideALine(character: String) {
    let text = "first\(character)half\nsecond \(character) line\r\n\(character)"
    #expect(Lines.split(text) == ["first\(character)half", "second \(character) line", Substring(character == "\r" ? "" : character)])
  }

  @Test("line numbers count LF-ended lines")
  func numbers() {
    var seen: [(String, Int)] = []
    Lines.forEach(in: "x\u{2028}y\n\nz") { seen.append((String($0), $1)) }
    #expect(seen.map(\.0) == ["x\u{2028}y", "", "z"])
    #expect(seen.map(\.1) == [1, 2, 3])
  }

  @Test("the assembler gives the same lines whatever the pieces, a BOM split across them too")
  func chunkBoundaries() {
    let text = "a\r\nb\rc\u{2028}d\n\u{0B}e\u{85}\nlast"
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
    for split in 0...bytes.count {
      var assembler = LineAssembler()
      var lines: [String] = []
      var numbers: [Int] = []
      let collect: ([UInt8], Int) -> Void = {
        lines.append(String(decoding: $0, as: UTF8.self))
        numbers.append($1)
      }
      assembler.feed(bytes[0..<split], collect)
      assembler.feed(bytes[split...], collect)
      assembler.finish(collect)
      #expect(lines == ["a", "b\rc\u{2028}d", "\u{0B}e\u{85}", "last"], "split at \(split)")
      #expect(numbers == [1, 2, 3, 4])
      #expect(lines == Lines.split(text).map(String.init))
    }
  }

  @Test("a lone BOM or nothing at all is no line")
  func emptyInputs() {
    for bytes: [UInt8] in [[], [0xEF, 0xBB, 0xBF], [0xEF, 0xBB]] {
      var assembler = LineAssembler()
      var lines: [[UInt8]] = []
      assembler.feed(bytes) { lines.append($0); _ = $1 }
      assembler.finish { lines.append($0); _ = $1 }
      #expect(lines == (bytes.count == 2 ? [[0xEF, 0xBB]] : []), "\(bytes)")
    }
  }
}
