import NIOCore

/// What an XMPP stream yields: its opening tag (`<stream:stream …>`, whose
/// attributes are the stream's), each complete top-level element (a stanza, or
/// a negotiation element such as `<stream:features/>`), and its close.
enum XMPPStreamEvent: Sendable, Equatable {
    case opened(XMLElement)
    case element(XMLElement)
    case closed
}

struct XMLStreamError: Error, CustomStringConvertible {
    var description: String
}

/// An incremental parser of one XMPP stream (RFC 6120 §4): bytes go in as
/// they arrive, in chunks cut anywhere (inside a tag, an attribute value, a
/// multi-byte character or an entity), and events come out once complete.
/// It understands what XMPP allows — the XML declaration, start, end and
/// empty tags, attributes in either quote, character data with the five
/// predefined entities and character references, CDATA sections — and skips
/// comments; it does no namespace processing (names keep their prefixes) and
/// no validation beyond matching tags. Bytes not yet part of a complete tag
/// or text run are kept for the next chunk.
struct XMLStreamParser {
    private var pending: [UInt8] = []
    /// Elements opened inside the stream and not yet closed (the stanza being read and its descendants).
    private var open: [XMLElement] = []
    private var streamOpen = false
    /// Defends the load generator against a peer that never ends a tag.
    let maximumPending: Int

    init(maximumPending: Int = 1 << 20) {
        self.maximumPending = maximumPending
    }

    /// After SASL success both ends start a new stream on the same connection (RFC 6120 §6.4.6).
    mutating func restart() {
        pending.removeAll(keepingCapacity: true)
        open.removeAll()
        streamOpen = false
    }

    mutating func feed(_ buffer: ByteBuffer) throws -> [XMPPStreamEvent] {
        pending.append(contentsOf: buffer.readableBytesView)
        return try drain()
    }

    mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [XMPPStreamEvent] {
        pending.append(contentsOf: bytes)
        return try drain()
    }

    private mutating func drain() throws -> [XMPPStreamEvent] {
        var events: [XMPPStreamEvent] = []
        let bytes = pending
        var index = 0
        let count = bytes.count
        scanning: while index < count {
            if bytes[index] != Byte.lessThan {
                // Character data runs to the next tag; a run without one yet may continue in the next chunk.
                guard let tag = bytes[index...].firstIndex(of: Byte.lessThan) else {
                    if open.isEmpty { index = count }  // whitespace between stanzas (keep-alives)
                    break scanning
                }
                if !open.isEmpty { open[open.count - 1].text += try Self.decode(bytes[index..<tag]) }
                index = tag
                continue
            }
            if Self.starts(bytes, at: index, with: Byte.cdataOpen) {
                guard let end = Self.find(Byte.cdataClose, in: bytes, from: index + Byte.cdataOpen.count) else { break }
                if !open.isEmpty {
                    open[open.count - 1].text += String(decoding: bytes[(index + Byte.cdataOpen.count)..<end], as: UTF8.self)
                }
                index = end + Byte.cdataClose.count
                continue
            }
            if Self.starts(bytes, at: index, with: Byte.commentOpen) {
                guard let end = Self.find(Byte.commentClose, in: bytes, from: index + Byte.commentOpen.count) else { break }
                index = end + Byte.commentClose.count
                continue
            }
            guard let close = Self.tagEnd(bytes, from: index + 1) else { break }
            try handleTag(bytes[index...close], into: &events)
            index = close + 1
        }
        pending.removeFirst(index)
        if pending.count > maximumPending {
            throw XMLStreamError(description: "more than \(maximumPending) bytes without a complete tag")
        }
        return events
    }

    /// One complete tag, `<` to `>` inclusive.
    private mutating func handleTag(_ tag: ArraySlice<UInt8>, into events: inout [XMPPStreamEvent]) throws {
        let first = tag.startIndex + 1
        guard first < tag.endIndex - 1 else { throw XMLStreamError(description: "an empty tag") }
        switch tag[first] {
        case Byte.question:
            return  // the XML declaration (processing instructions are not allowed in XMPP)
        case Byte.bang:
            throw XMLStreamError(description: "a document type declaration (not allowed in XMPP)")
        case Byte.slash:
            let name = String(decoding: Self.trimmed(tag[(first + 1)..<(tag.endIndex - 1)]), as: UTF8.self)
            guard let element = open.popLast() else {
                guard streamOpen, name.hasSuffix("stream") else { throw XMLStreamError(description: "a stray end tag </\(name)>") }
                streamOpen = false
                events.append(.closed)
                return
            }
            guard element.name == name else {
                throw XMLStreamError(description: "</\(name)> closes <\(element.name)>")
            }
            finish(element, into: &events)
        default:
            let empty = tag[tag.endIndex - 2] == Byte.slash
            let element = try Self.startTag(tag[first..<(tag.endIndex - (empty ? 2 : 1))])
            if !streamOpen {
                guard element.localName == "stream", !empty else {
                    throw XMLStreamError(description: "the stream began with <\(element.name)>, not <stream:stream>")
                }
                streamOpen = true
                events.append(.opened(element))
            } else if empty {
                finish(element, into: &events)
            } else {
                open.append(element)
            }
        }
    }

    private mutating func finish(_ element: XMLElement, into events: inout [XMPPStreamEvent]) {
        if open.isEmpty {
            events.append(.element(element))
        } else {
            open[open.count - 1].children.append(element)
        }
    }

    /// The name and attributes between `<` and `>` (or `/>`).
    static func startTag(_ bytes: ArraySlice<UInt8>) throws -> XMLElement {
        var index = bytes.startIndex
        while index < bytes.endIndex, !Byte.isSpace(bytes[index]) { index += 1 }
        var element = XMLElement(name: String(decoding: bytes[bytes.startIndex..<index], as: UTF8.self))
        guard !element.name.isEmpty else { throw XMLStreamError(description: "a tag without a name") }
        while true {
            while index < bytes.endIndex, Byte.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.endIndex else { return element }
            let nameStart = index
            while index < bytes.endIndex, bytes[index] != Byte.equals, !Byte.isSpace(bytes[index]) { index += 1 }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            while index < bytes.endIndex, Byte.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.endIndex, bytes[index] == Byte.equals else {
                throw XMLStreamError(description: "attribute \(name) of <\(element.name)> has no value")
            }
            index += 1
            while index < bytes.endIndex, Byte.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.endIndex, bytes[index] == Byte.apostrophe || bytes[index] == Byte.quote else {
                throw XMLStreamError(description: "attribute \(name) of <\(element.name)> is not quoted")
            }
            let quote = bytes[index]
            index += 1
            guard let end = bytes[index...].firstIndex(of: quote) else {
                throw XMLStreamError(description: "attribute \(name) of <\(element.name)> is not closed")
            }
            element.attributes.append(.init(name: name, value: try decode(bytes[index..<end])))
            index = end + 1
        }
    }

    /// The `>` ending the tag that starts before `from`, outside quoted attribute values.
    static func tagEnd(_ bytes: [UInt8], from: Int) -> Int? {
        var quote: UInt8 = 0
        var index = from
        while index < bytes.count {
            let byte = bytes[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == Byte.apostrophe || byte == Byte.quote {
                quote = byte
            } else if byte == Byte.greaterThan {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Text with its entity and character references replaced.
    static func decode(_ bytes: ArraySlice<UInt8>) throws -> String {
        guard bytes.contains(Byte.ampersand) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == Byte.ampersand else {
                out.append(bytes[index])
                index += 1
                continue
            }
            guard let semicolon = bytes[index...].firstIndex(of: Byte.semicolon), semicolon - index <= 10 else {
                throw XMLStreamError(description: "an unterminated entity reference")
            }
            let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "amp": out.append(Byte.ampersand)
            case "lt": out.append(Byte.lessThan)
            case "gt": out.append(Byte.greaterThan)
            case "apos": out.append(Byte.apostrophe)
            case "quot": out.append(Byte.quote)
            default:
                let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
                guard name.hasPrefix("#"), let code = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                    let scalar = Unicode.Scalar(code)
                else { throw XMLStreamError(description: "an unknown entity &\(name);") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func starts(_ bytes: [UInt8], at index: Int, with prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= bytes.count else {
            // Too short to tell: a prefix of the pattern so far counts (the rest may come in the next chunk).
            return bytes[index...].elementsEqual(prefix.prefix(bytes.count - index)) && bytes.count - index > 1
        }
        return bytes[index..<(index + prefix.count)].elementsEqual(prefix)
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard pattern.count <= bytes.count else { return nil }
        var index = from
        while index + pattern.count <= bytes.count {
            if bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let last = slice.last, Byte.isSpace(last) { slice = slice.dropLast() }
        return slice
    }
}

/// The ASCII bytes the parser looks for.
private enum Byte {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let slash = UInt8(ascii: "/")
    static let question = UInt8(ascii: "?")
    static let bang = UInt8(ascii: "!")
    static let equals = UInt8(ascii: "=")
    static let apostrophe = UInt8(ascii: "'")
    static let quote = UInt8(ascii: "\"")
    static let ampersand = UInt8(ascii: "&")
    static let semicolon = UInt8(ascii: ";")
    static let cdataOpen = Array("<![CDATA[".utf8)
    static let cdataClose = Array("]]>".utf8)
    static let commentOpen = Array("<!--".utf8)
    static let commentClose = Array("-->".utf8)

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
