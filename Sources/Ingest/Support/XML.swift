import CLibXML2
import Foundation

/// Collects the first fatal (well-formedness) error libxml2 reports while parsing.
///
/// Recoverable errors are ignored on purpose: an undeclared namespace prefix (`<mml:math>` in a
/// JATS fragment) or an entity defined in an external DTD that is not loaded (`&nbsp;`) must not
/// reject a document that is otherwise readable.
final class XMLErrorCollector {
  var line: Int?
  var message: String?

  func record(_ error: xmlError) {
    guard message == nil, error.level.rawValue >= XML_ERR_FATAL.rawValue else { return }
    line = Int(error.line)
    let text = error.message.map { String(cString: $0) } ?? "XML error \(error.code)"
    message = text.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

/// A libxml2 `xmlTextReader` that streams a document from a file or memory, turning parse errors
/// into `IngestError.malformed` with the line libxml2 reports.
///
/// Not `Sendable`: one reader belongs to one task.
final class XMLStream {
  private let reader: xmlTextReaderPtr
  private let errors = XMLErrorCollector()
  private let buffer: UnsafeMutableRawBufferPointer?
  /// The name used in error messages.
  let file: String

  /// Parser options: no network, CDATA merged into text, line numbers above 65535 kept,
  /// no size limits on text nodes, and no error printing (errors are collected instead).
  private static let options = Int32(
    XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue
      | XML_PARSE_HUGE.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

  /// `xmlInitParser` run exactly once, before the first reader is created.
  private static let initialized: Bool = {
    xmlInitParser()
    return true
  }()

  /// Opens a reader over the file at `url`.
  init(contentsOf url: URL) throws {
    _ = XMLStream.initialized
    try FileAccess.checkReadable(url)
    file = url.path
    buffer = nil
    try XMLStream.checkEncoding(of: FileAccess.prefix(of: url, count: 256), file: url.path)
    guard let reader = xmlReaderForFile(url.path, nil, XMLStream.options) else {
      throw IngestError.unreadable(path: url.path, reason: "libxml2 could not open the file")
    }
    self.reader = reader
    installErrorHandler()
  }

  /// Opens a reader over a copy of `data`.
  init(data: Data, file: String) throws {
    _ = XMLStream.initialized
    self.file = file
    try XMLStream.checkEncoding(of: data.prefix(256), file: file)
    // libxml2 takes the size as an Int32: larger documents are refused rather than cut short.
    guard data.count <= Int(Int32.max) else {
      throw IngestError.unreadable(path: file, reason: "\(data.count) bytes: in-memory XML is limited to 2 GiB; read the file from disk")
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(1, data.count), alignment: 1)
    data.copyBytes(to: buffer)
    self.buffer = buffer
    guard
      let base = buffer.baseAddress,
      let reader = xmlReaderForMemory(
        base.assumingMemoryBound(to: CChar.self), Int32(data.count), file, nil,
        XMLStream.options)
    else {
      buffer.deallocate()
      throw IngestError.unreadable(path: file, reason: "libxml2 could not create a reader")
    }
    self.reader = reader
    installErrorHandler()
  }

  deinit {
    xmlFreeTextReader(reader)
    buffer?.deallocate()
  }

  private func installErrorHandler() {
    xmlTextReaderSetStructuredErrorHandler(
      reader,
      { context, error in
        guard let context, let error else { return }
        Unmanaged<XMLErrorCollector>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
      }, Unmanaged.passUnretained(errors).toOpaque())
  }

  /// Moves to the next node in document order; false at the end of the document.
  func read() throws -> Bool { try check(xmlTextReaderRead(reader)) }

  /// Moves to the next sibling, skipping the current node's subtree; false at the end.
  func skipSubtree() throws -> Bool { try check(xmlTextReaderNext(reader)) }

  /// True when the current node is an element start tag.
  var isElementStart: Bool {
    xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue)
  }

  /// The local name (without namespace prefix) of the current node.
  var localName: String {
    xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
  }

  /// The current line of the parser (for messages when no node line is known).
  var parserLine: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

  /// Parses the current element's whole subtree and returns it; valid until the next move.
  func expand() throws -> XMLNode {
    guard let node = xmlTextReaderExpand(reader) else {
      throw malformed(fallbackLine: parserLine)
    }
    if let message = errors.message {
      throw IngestError.malformed(
        file: file, line: errors.line ?? parserLine, expected: "well-formed XML", found: message)
    }
    // The readers walk a subtree recursively; libxml2 2.9 with XML_PARSE_HUGE sets no depth
    // limit, so a hostile file could nest deep enough to overflow the stack.
    if let deep = XMLStream.firstElement(below: node, deeperThan: XMLStream.maximumDepth) {
      throw IngestError.malformed(
        file: file, line: max(1, Int(xmlGetLineNo(deep))),
        expected: "elements nested at most \(XMLStream.maximumDepth) deep", found: "deeper nesting")
    }
    return XMLNode(node)
  }

  /// Encodings libxml2 decodes itself. Others go through iconv, whose errors libxml2 reports
  /// apart from parse errors, so that trailing bytes it cannot convert ended a file read quietly
  /// but failed the same bytes read from memory (found by fuzzing). PubMed, PMC and GROBID
  /// write UTF-8.
  static let encodings: Set<String> = ["utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "iso-latin-1", "utf-16", "utf-16le", "utf-16be"]

  /// Refuses a document whose XML declaration names an encoding outside `encodings`.
  static func checkEncoding(of prefix: Data, file: String) throws {
    let head = String(decoding: prefix, as: UTF8.self)
    guard head.hasPrefix("<?xml"), let end = head.range(of: "?>") else { return }
    let declaration = head[..<end.lowerBound]
    guard let key = declaration.range(of: "encoding") else { return }
    let rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
    guard let quote = rest.first, quote == "\"" || quote == "'" else { return }
    let name = rest.dropFirst().prefix { $0 != quote }
    guard !encodings.contains(name.lowercased()) else { return }
    throw IngestError.malformed(
      file: file, line: 1, expected: "an XML document in UTF-8, UTF-16 or ISO-8859-1", found: "encoding \"\(name)\"")
  }

  /// Deeper than any PubMed, TEI or JATS document (PubMed's deepest paths are about 10).
  static let maximumDepth = 256

  /// The first element more than `limit` levels below `root`, found without recursion.
  static func firstElement(below root: xmlNodePtr, deeperThan limit: Int) -> xmlNodePtr? {
    var node = root.pointee.children
    var depth = 1
    while let current = node {
      if current.pointee.type == XML_ELEMENT_NODE {
        if depth > limit { return current }
        if let child = current.pointee.children {
          node = child
          depth += 1
          continue
        }
      }
      // Next sibling, or climb until an ancestor below `root` has one.
      var climb: xmlNodePtr? = current
      while let c = climb, c.pointee.next == nil {
        climb = c.pointee.parent
        depth -= 1
        if climb == root || depth <= 0 { return nil }
      }
      node = climb?.pointee.next
    }
    return nil
  }

  private func check(_ status: Int32) throws -> Bool {
    if status < 0 || errors.message != nil { throw malformed(fallbackLine: parserLine) }
    return status == 1
  }

  private func malformed(fallbackLine: Int) -> IngestError {
    IngestError.malformed(
      file: file, line: max(1, errors.line ?? fallbackLine), expected: "well-formed XML",
      found: errors.message ?? "a parse error")
  }
}

/// A borrowed view of a libxml2 DOM node. Valid only while the tree that owns it is alive.
struct XMLNode {
  let pointer: xmlNodePtr

  init(_ pointer: xmlNodePtr) { self.pointer = pointer }

  /// The local element name.
  var name: String { pointer.pointee.name.map { String(cString: $0) } ?? "" }

  /// The line where the element starts.
  var line: Int { Int(xmlGetLineNo(pointer)) }

  /// The element children, in order.
  var children: [XMLNode] {
    var result: [XMLNode] = []
    var child = pointer.pointee.children
    while let node = child {
      if node.pointee.type == XML_ELEMENT_NODE { result.append(XMLNode(node)) }
      child = node.pointee.next
    }
    return result
  }

  /// The first child element called `name`.
  func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

  /// All child elements called `name`.
  func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

  /// Follows a path of child element names.
  func path(_ names: String...) -> XMLNode? {
    var node: XMLNode? = self
    for name in names { node = node?.child(name) }
    return node
  }

  /// Every descendant element called `name`, in document order.
  func descendants(_ name: String) -> [XMLNode] {
    var result: [XMLNode] = []
    for child in children {
      if child.name == name { result.append(child) }
      result.append(contentsOf: child.descendants(name))
    }
    return result
  }

  /// The value of the attribute `name` (without namespace), if present.
  func attribute(_ name: String) -> String? {
    var property = pointer.pointee.properties
    while let attribute = property {
      if let attributeName = attribute.pointee.name, String(cString: attributeName) == name {
        var text = ""
        var child = attribute.pointee.children
        while let node = child {
          if let content = node.pointee.content { text += String(cString: content) }
          child = node.pointee.next
        }
        return text
      }
      property = attribute.pointee.next
    }
    return nil
  }

  /// All text inside the element, in document order, with inline markup flattened and whitespace
  /// collapsed; descendants named in `skipping` are left out.
  func text(skipping: Set<String> = []) -> String {
    var raw = ""
    XMLNode.appendText(of: pointer, to: &raw, skipping: skipping)
    return TextScan.collapseWhitespace(raw)
  }

  static func appendText(of node: xmlNodePtr, to output: inout String, skipping: Set<String>) {
    var child = node.pointee.children
    while let current = child {
      switch current.pointee.type {
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
        if let content = current.pointee.content { output += String(cString: content) }
      case XML_ELEMENT_NODE:
        let name = current.pointee.name.map { String(cString: $0) } ?? ""
        if !skipping.contains(name) { appendText(of: current, to: &output, skipping: skipping) }
      case XML_ENTITY_REF_NODE:
        // An entity whose DTD was not loaded: common HTML names are spelled out, others dropped.
        let name = current.pointee.name.map { String(cString: $0) } ?? ""
        output += XMLNode.htmlEntities[name] ?? ""
      default:
        break
      }
      child = current.pointee.next
    }
  }

  /// Replacement text for HTML entity names that appear in JATS/TEI files without their DTD.
  static let htmlEntities: [String: String] = [
    "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ", "ndash": "–", "mdash": "—",
    "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "plusmn": "±",
    "times": "×", "deg": "°", "micro": "µ", "le": "≤", "ge": "≥", "ne": "≠", "asymp": "≈",
    "minus": "−", "middot": "·", "bull": "•", "copy": "©", "reg": "®", "trade": "™",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "sigma": "σ", "chi": "χ", "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó",
    "uacute": "ú", "auml": "ä", "ouml": "ö", "uuml": "ü", "szlig": "ß", "ntilde": "ñ",
    "ccedil": "ç", "egrave": "è", "agrave": "à",
  ]
}
