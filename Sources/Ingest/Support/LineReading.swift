import Foundation

/// Splits UTF-8 bytes into lines, accepting `\n`, `\r\n` and a lone `\r` as line ends and
/// stripping a byte-order mark at the start. Lines are decoded one at a time (UTF-8, with a
/// Latin-1 fallback per line), so files are processed in bounded memory.
struct LineAssembler {
  private var carry: [UInt8] = []
  private var pendingCR = false
  private var atStart = true
  private(set) var lineNumber = 0

  /// Feeds a chunk of bytes, calling `body` with each completed line and its 1-based number.
  mutating func feed(
    _ chunk: some Collection<UInt8>, _ body: (String, Int) throws -> Void
  ) rethrows {
    var bytes = Array(chunk)[...]
    if atStart {
      carry.append(contentsOf: bytes)
      if carry.count < 3 && carry.allSatisfy({ [0xEF, 0xBB, 0xBF].contains($0) }) { return }
      atStart = false
      if carry.starts(with: [0xEF, 0xBB, 0xBF]) { carry.removeFirst(3) }
      bytes = carry[...]
      carry = []
    }
    var start = bytes.startIndex
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let byte = bytes[index]
      if pendingCR {
        pendingCR = false
        if byte == 0x0A {
          index += 1
          start = index
          continue
        }
      }
      if byte == 0x0A || byte == 0x0D {
        carry.append(contentsOf: bytes[start..<index])
        try emit(body)
        if byte == 0x0D { pendingCR = true }
        index += 1
        start = index
      } else {
        index += 1
      }
    }
    carry.append(contentsOf: bytes[start..<bytes.endIndex])
  }

  /// Emits the last line if the input did not end with a line break.
  mutating func finish(_ body: (String, Int) throws -> Void) rethrows {
    if atStart {
      atStart = false
      if carry.starts(with: [0xEF, 0xBB, 0xBF]) { carry.removeFirst(3) }
    }
    if !carry.isEmpty { try emit(body) }
  }

  private mutating func emit(_ body: (String, Int) throws -> Void) rethrows {
    lineNumber += 1
    let line = FileAccess.decode(carry)
    carry.removeAll(keepingCapacity: true)
    try body(line, lineNumber)
  }
}

/// Line iteration over in-memory text or a file read in chunks.
enum LineReading {
  /// Calls `body` with every line of `text` and its 1-based line number.
  static func forEachLine(in text: String, _ body: (String, Int) throws -> Void) rethrows {
    var assembler = LineAssembler()
    try assembler.feed(text.utf8, body)
    try assembler.finish(body)
  }

  /// Calls `body` with every line of the file at `url`, reading 1 MiB at a time.
  static func forEachLine(inFile url: URL, _ body: (String, Int) throws -> Void) throws {
    var assembler = LineAssembler()
    try FileAccess.forEachChunk(of: url) { try assembler.feed($0, body) }
    try assembler.finish(body)
  }
}
