import Foundation
import Testing

@testable import Text

private struct FixtureCase: Decodable {
  let text: String
  let pair: String?
  let max_length: Int?
  let input_ids: [Int32]
  let token_type_ids: [Int32]
}

private func fixtureURL(_ name: String) throws -> URL {
  try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
}

private func loadTokenizer() throws -> BertTokenizer {
  try BertTokenizer(vocabularyURL: fixtureURL("vocab.txt"))
}

@Suite("BertTokenizer")
struct BertTokenizerTests {
  @Test("ids identical to Hugging Face BertTokenizer on the committed fixture")
  func matchesHuggingFaceFixture() throws {
    let tokenizer = try loadTokenizer()
    let data = try Data(contentsOf: fixtureURL("tokenizer_fixture.jsonl"))
    let lines = data.split(separator: UInt8(ascii: "\n"))
    #expect(lines.count >= 200)
    var failures = 0
    for line in lines {
      let c = try JSONDecoder().decode(FixtureCase.self, from: line)
      let e = try tokenizer.encode(c.text, pair: c.pair, maxLength: c.max_length)
      if e.inputIDs != c.input_ids || e.tokenTypeIDs != c.token_type_ids {
        failures += 1
        if failures <= 10 {
          Issue.record(
            """
            mismatch for \(String(reflecting: String(c.text.prefix(120)))) pair=\(c.pair.map { String($0.prefix(40)) } ?? "nil") max=\(String(describing: c.max_length))
              expected \(c.input_ids.prefix(40))
              got      \(e.inputIDs.prefix(40))
            """)
        }
      }
    }
    #expect(failures == 0, "\(failures) of \(lines.count) fixture cases differ")
  }

  @Test("basic tokenization splits punctuation, lowercases and strips accents")
  func basicTokens() throws {
    let t = try loadTokenizer()
    #expect(t.tokenize("Hello, World!") == ["hello", ",", "world", "!"])
    #expect(t.tokenize("Café naïve") == ["cafe", "naive"])
    #expect(t.tokenize("unaffable") == ["una", "##ffa", "##ble"])  // as tokenizers gives
    #expect(t.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
    #expect(t.tokenize("中文") == ["中", "文"])
    #expect(t.tokenize("x[SEP]y") == ["x", "[SEP]", "y"])
  }

  @Test("empty text encodes to [CLS] [SEP]")
  func emptyText() throws {
    let t = try loadTokenizer()
    #expect(try t.encode("").inputIDs == [t.classID, t.separatorID])
  }

  @Test("longest_first truncation matches tokenizers' arithmetic")
  func longestFirst() {
    #expect(BertTokenizer.longestFirst(10, 10, budget: 5) == (2, 3))
    #expect(BertTokenizer.longestFirst(10, 9, budget: 5) == (3, 2))
    #expect(BertTokenizer.longestFirst(2, 9, budget: 5) == (2, 3))
    #expect(BertTokenizer.longestFirst(9, 2, budget: 5) == (3, 2))
    #expect(BertTokenizer.longestFirst(3, 2, budget: 5) == (3, 2))
    #expect(BertTokenizer.longestFirst(0, 9, budget: 5) == (0, 5))
  }

  @Test("max length smaller than the special tokens throws")
  func maxLengthTooSmall() throws {
    let t = try loadTokenizer()
    #expect(throws: TokenizerError.maxLengthTooSmall(maxLength: 2, minimum: 3)) {
      try t.encode("a", pair: "b", maxLength: 2)
    }
    #expect(try t.encode("a b c", maxLength: 2).inputIDs == [t.classID, t.separatorID])
  }
}

@Suite("Vocabulary")
struct VocabularyTests {
  private func temporaryFile(_ contents: Data) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("vocab-\(UUID().uuidString).txt")
    try contents.write(to: url)
    return url
  }

  @Test("missing file names the path")
  func missingFile() {
    let url = URL(fileURLWithPath: "/nonexistent/vocab.txt")
    #expect(throws: TokenizerError.vocabularyNotFound(path: "/nonexistent/vocab.txt")) {
      _ = try Vocabulary(contentsOf: url)
    }
  }

  @Test("invalid UTF-8, empty file, and missing special tokens are clear errors")
  func badFiles() throws {
    let bad = try temporaryFile(Data([0x66, 0xFF, 0xFE, 0x0A]))
    #expect(throws: TokenizerError.vocabularyNotUTF8(path: bad.path)) {
      _ = try Vocabulary(contentsOf: bad)
    }
    let empty = try temporaryFile(Data())
    #expect(throws: TokenizerError.emptyVocabulary(path: empty.path)) {
      _ = try Vocabulary(contentsOf: empty)
    }
    let noUNK = try temporaryFile(Data("[PAD]\n[CLS]\n[SEP]\nhello\n".utf8))
    let error = #expect(throws: TokenizerError.self) {
      _ = try BertTokenizer(vocabularyURL: noUNK)
    }
    #expect(error == .missingSpecialToken(path: noUNK.path, token: "[UNK]"))
    #expect(error?.description.contains("[UNK]") == true)
  }

  @Test("ids are line numbers; CRLF and final newline are handled; last duplicate wins")
  func parsing() throws {
    let url = try temporaryFile(Data("[PAD]\r\n[UNK]\r\nhi\r\n##s\r\nhi\r\n".utf8))
    let v = try Vocabulary(contentsOf: url)
    #expect(v.count == 5)
    #expect(v.id(for: "##s") == 3)
    #expect(v.id(for: "hi") == 4)
    #expect(v.id(for: "h") == nil)
  }

  @Test("lookups compare exact scalars, not canonical equivalence")
  func exactBytes() {
    let v = Vocabulary(tokens: ["\u{e9}"])
    #expect(v.id(for: "\u{e9}") == 0)
    #expect(v.id(for: "e\u{301}") == nil)
  }
}

@Suite struct VocabularyLineTests {
  @Test("one token per LF- or CRLF-ended line; \\v, \\f, U+0085, U+2028, U+2029 and a lone CR are inside a token")
  func lineEnds() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-lines-\(UUID().uuidString).txt")
    let tokens = ["[PAD]", "a\u{0B}b", "c\u{0C}", "\u{85}", "d\u{2028}", "\u{2029}e", "f\rg", "last"]
    try Data((tokens.dropLast().map { $0 + "\r\n" }.joined() + tokens.last!).utf8).write(to: url)
    let vocabulary = try Vocabulary(contentsOf: url)
    #expect(vocabulary.count == tokens.count)
    #expect(vocabulary.tokens == tokens)
  }
}
