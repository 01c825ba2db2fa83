import Corpus
import Encoder
import Evaluation
import Foundation
import Ingest
import Screening
import Text
import Workflows

/// One reader under the fuzzer: the entry point the CLI uses, fed arbitrary bytes.
struct FuzzTarget: Sendable {
  var name: String
  var summary: String
  var run: @Sendable (Data) -> Void
}

/// A broken promise: a reader returned something other than a value or its layer's error, or
/// two ways of reading the same bytes disagreed. Crashing is the point: libFuzzer keeps the input.
func broken(_ message: String) -> Never {
  FileHandle.standardError.write(Data("csmed-fuzz: \(message)\n".utf8))
  abort()
}

/// Runs `body`, which may return or throw `E` and nothing else.
func only<E: Error, T>(_ type: E.Type, _ what: String, _ body: () throws -> T) -> Result<T, E> {
  do { return .success(try body()) } catch let error as E { return .failure(error) } catch {
    broken("\(what) threw \(Swift.type(of: error)) (\(error)); its promise is a value or \(E.self)")
  }
}

/// Both ways of reading agree: equal values, or both refused.
func agree<T: Equatable, E>(_ a: Result<T, E>, _ b: Result<T, E>, _ what: String) {
  switch (a, b) {
  case (.success(let x), .success(let y)): if x != y { broken("\(what): the two readings differ") }
  case (.failure, .failure): break
  default: broken("\(what): one reading succeeded and the other failed: \(a) vs \(b)")
  }
}

/// A file per process for the readers whose CLI entry point takes a path.
enum Scratch {
  static let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("csmed-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  static func file(_ data: Data, extension ext: String) -> URL {
    let url = folder.appendingPathComponent("input.\(ext)")
    do { try data.write(to: url) } catch { broken("cannot write the scratch file \(url.path): \(error)") }
    return url
  }
}

/// A record reader through the CLI's streamed entry point, and, for valid UTF-8, the same bytes
/// parsed in memory: the two must agree.
func records(_ data: Data, ext: String, parse: (String) throws -> [Record]) {
  let url = Scratch.file(data, extension: ext)
  let streamed = only(IngestError.self, "RecordFileReader.forEachRecord(.\(ext))") {
    var out: [Record] = []
    try RecordFileReader.forEachRecord(contentsOf: url) { out.append($0) }
    return out
  }
  guard let text = String(validating: data, as: UTF8.self) else { return }
  agree(streamed, only(IngestError.self, "parse(.\(ext))") { try parse(text) }, ".\(ext) streamed vs in memory")
}

/// A tokenizer over a small vocabulary with word pieces, punctuation and CJK, built once.
let fuzzTokenizer: BertTokenizer = {
  let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    + ["the", "trial", "random", "##ized", "##s", "##ed", "hip", "fracture", "a", "b", "é", "café", "naïve"]
    + [".", ",", "(", ")", "-", "'", "\"", "中", "文", "##文", "α", "β", "μ", "ß"]
  do { return try BertTokenizer(vocabulary: Vocabulary(tokens: tokens)) } catch {
    broken("the fuzz vocabulary is refused: \(error)")
  }
}()

enum FuzzTargets {
  static let all: [FuzzTarget] = [
    FuzzTarget(name: "ris", summary: "RIS: streamed from a file (CLI) and parsed in memory") { data in
      records(data, ext: "ris") { try RISReader.parse($0, file: "input.ris") }
    },
    FuzzTarget(name: "medline", summary: "MEDLINE (.nbib): streamed from a file and parsed in memory") { data in
      records(data, ext: "nbib") { try MEDLINEReader.parse($0, file: "input.nbib") }
    },
    FuzzTarget(name: "bibtex", summary: "BibTeX with LaTeX decoding, from a file and in memory") { data in
      records(data, ext: "bib") { try BibTeXReader.parse($0, file: "input.bib") }
    },
    FuzzTarget(name: "pubmed-xml", summary: "PubMed XML: streamed (libxml2's reader) and parsed whole") { data in
      let url = Scratch.file(data, extension: "xml")
      let streamed = only(IngestError.self, "PubMedXMLReader.forEachRecord") {
        var out: [Record] = []
        try RecordFileReader.forEachRecord(contentsOf: url) { out.append($0) }
        return out
      }
      let whole = only(IngestError.self, "PubMedXMLReader.parse") { try PubMedXMLReader.parse(data, file: url.path) }
      agree(streamed, whole, "PubMed XML streamed vs whole")
    },
    FuzzTarget(name: "jsonl", summary: "JSON Lines document files") { data in
      _ = only(IngestError.self, "JSONLinesReader.parse") { try JSONLinesReader.parse(data, file: "input.jsonl") }
    },
    FuzzTarget(name: "csv", summary: "the RFC 4180 tokenizer fed in random-sized pieces vs whole; CSV/TSV records") { data in
      // The first byte picks the delimiter, the bytes seed the piece sizes.
      let delimiter = (data.first ?? 0) & 1 == 1 ? UInt8(ascii: "\t") : UInt8(ascii: ",")
      let strict = (data.first ?? 0) & 2 == 2
      let whole = only(DelimitedText.SyntaxError.self, "DelimitedText.forEachRow") { () -> [DelimitedText.Row] in
        var rows: [DelimitedText.Row] = []
        try DelimitedText.forEachRow(in: data, delimiter: delimiter, strictQuotes: strict) { rows.append($0) }
        return rows
      }
      let pieces = only(DelimitedText.SyntaxError.self, "DelimitedText.RowReader") { () -> [DelimitedText.Row] in
        var generator = SplitMix64(seed: UInt64(data.count) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(data.last ?? 0))
        var reader = DelimitedText.RowReader(delimiter: delimiter, strictQuotes: strict)
        var rows: [DelimitedText.Row] = []
        var start = data.startIndex
        while start < data.endIndex {
          let end = min(data.endIndex, start + 1 + Int(generator.next() % 7))
          try reader.feed(data[start..<end]) { rows.append($0) }
          start = end
        }
        try reader.finish { rows.append($0) }
        return rows
      }
      agree(whole, pieces, "the tokenizer whole vs in pieces")
      records(data, ext: delimiter == UInt8(ascii: "\t") ? "tsv" : "csv") { _ in
        try TabularRecordReader.parse(data, file: "input", delimiter: delimiter == UInt8(ascii: "\t") ? "\t" : ",")
      }
    },
    FuzzTarget(name: "clef-topic", summary: "CLEF TAR topic files, text and auto-stop-tar JSON") { data in
      _ = only(IngestError.self, "CLEFTopicReader.parse") { try CLEFTopicReader.parse(String(decoding: data, as: UTF8.self), file: "t") }
      _ = only(IngestError.self, "CLEFTopicReader.parseJSON") { try CLEFTopicReader.parseJSON(data, file: "t.json") }
    },
    FuzzTarget(name: "qrels", summary: "TREC qrels for the meta-dataset and for evaluation") { data in
      let text = String(decoding: data, as: UTF8.self)
      _ = only(IngestError.self, "Ingest.QrelsReader.parse") { try QrelsReader.parse(text, file: "q") }
      _ = only(EvaluationError.self, "Evaluation.QrelsReader.read") { try Evaluation.QrelsReader.read(text, file: "q") }
    },
    FuzzTarget(name: "run", summary: "runs: csmed CSV, TREC and CLEF TAR, format detected") { data in
      _ = only(EvaluationError.self, "RunReader.read") { try RunReader.read(String(decoding: data, as: UTF8.self), file: "r") }
    },
    FuzzTarget(name: "stop-labels", summary: "the labelling-order CSV of `csmed stop --labels`") { data in
      _ = only(StoppingError.self, "StoppingLabelsReader.parse") {
        try StoppingLabelsReader.parse(String(decoding: data, as: UTF8.self), file: "labels.csv")
      }
    },
    FuzzTarget(name: "safetensors", summary: "the safetensors header and every tensor's bytes") { data in
      guard case .success(let file) = only(EncoderError.self, "SafeTensorsFile(data:)", { try SafeTensorsFile(data: data, path: "m") }) else { return }
      for name in file.names.prefix(64) {
        _ = only(EncoderError.self, "SafeTensorsFile.floats") { try file.floats(name) }
        _ = only(EncoderError.self, "SafeTensorsFile.int64s") { try file.int64s(name) }
      }
    },
    FuzzTarget(name: "manifest", summary: "collection manifests (JSON, validated)") { data in
      _ = only(IngestError.self, "Manifest.parse") { try Manifest.parse(data, file: "demo.json") }
    },
    FuzzTarget(name: "tokenizer", summary: "BERT WordPiece on any text: UTF-8, invalid UTF-8 (replaced) and Latin-1, pairs, truncation") { data in
      let cut = data.firstIndex(of: 0) ?? data.endIndex
      let first = String(decoding: data[..<cut], as: UTF8.self)
      let second = cut < data.endIndex ? String(decoding: data[(cut + 1)...], as: UTF8.self) : nil
      let latin1 = String(String.UnicodeScalarView(data.map { Unicode.Scalar($0) }))
      let maxLength = data.isEmpty ? nil : 3 + Int(data[data.startIndex]) % 64
      for (text, pair) in [(first, second), (latin1, nil)] {
        if case .success(let encoding) = only(TokenizerError.self, "BertTokenizer.encode", { try fuzzTokenizer.encode(text, pair: pair, maxLength: maxLength) }) {
          if let maxLength, encoding.inputIDs.count > maxLength { broken("\(encoding.inputIDs.count) ids, more than maxLength \(maxLength)") }
          if encoding.inputIDs.count != encoding.tokenTypeIDs.count { broken("ids and token types differ in length") }
        }
      }
    },
    FuzzTarget(name: "peft-config", summary: "PEFT adapter_config.json as `csmed import-adapter` reads it") { data in
      _ = only(WorkflowError.self, "PEFTWorkflow.AdapterConfig.parse") { try PEFTWorkflow.AdapterConfig.parse(data, path: "adapter_config.json") }
    },
    FuzzTarget(name: "fulltext", summary: "full texts: TEI (GROBID) and JATS XML") { data in
      _ = only(IngestError.self, "FullTextReader.parse") { try FullTextReader.parse(data, file: "f.xml") }
    },
  ]

  static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
