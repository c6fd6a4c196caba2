import Foundation

/// What a replica needs to route an event it hears on Redis, carried on one
/// line ahead of the event's JSON so that routing never decodes the JSON:
///
///     message.created <room> <seq> <person> <created-ms>\n{"type":"message.created",…}
///
/// Fields the event does not have are `-`. A sixth field, when the send was traced,
/// is the W3C `traceparent` of the span that published it: the replica that routes
/// and writes the event continues that trace. The JSON after the line is the
/// frame sent to clients as it is. A payload that starts with `{` has no
/// header (user-service's events, or a replica from before the header): it is
/// decoded in full, as before.
public struct RoutingHeader: Sendable, Equatable {
    public var type: ChatEvent.Kind
    public var roomId: UUID?
    public var seq: Int64?
    /// The person a presence, typing or read event is about (so a block can hide it without decoding).
    public var personId: UUID?
    /// When a message was created, in milliseconds since 1970 (the fan-out lag is measured from it).
    public var createdAtMilliseconds: Int64?
    /// The publishing span's W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), when the send was traced.
    public var traceParent: String?

    public init(
        type: ChatEvent.Kind, roomId: UUID? = nil, seq: Int64? = nil, personId: UUID? = nil, createdAtMilliseconds: Int64? = nil,
        traceParent: String? = nil
    ) {
        self.type = type
        self.roomId = roomId
        self.seq = seq
        self.personId = personId
        self.createdAtMilliseconds = createdAtMilliseconds
        self.traceParent = traceParent
    }

    /// Whether text is a `traceparent` as W3C Trace Context writes it: version 00, `00-` 32 lowercase
    /// hex digits (not all zero) `-` 16 (not all zero) `-` 2. The one check of the form: the envelope's
    /// trace field and the header a service continues (ServiceKit's `TraceParent`) both use it.
    public static func isTraceParent(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 55, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"), bytes[2] == UInt8(ascii: "-"),
            bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
        else { return false }
        let isHex = { (byte: UInt8) in (48...57).contains(byte) || (97...102).contains(byte) }
        let trace = bytes[3..<35], span = bytes[36..<52], flags = bytes[53..<55]
        guard trace.allSatisfy(isHex), span.allSatisfy(isHex), flags.allSatisfy(isHex) else { return false }
        return trace.contains { $0 != UInt8(ascii: "0") } && span.contains { $0 != UInt8(ascii: "0") }
    }

    /// The header of an event, from the event itself.
    public init(of event: ChatEvent) {
        var person: UUID?
        var created: Int64?
        switch event.data {
        case let .user(user)?: person = user.userId
        case let .read(receipt)?: person = receipt.userId
        case let .message(message)? where event.type == .messageCreated:
            created = Int64((message.createdAt.timeIntervalSince1970 * 1000).rounded())
        default: break
        }
        self.init(type: event.type, roomId: event.roomId, seq: event.seq, personId: person, createdAtMilliseconds: created)
    }

    /// When the message was created, if the header says.
    public var createdAt: Date? {
        createdAtMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// The header line and the event's JSON, as published (with the publishing span's `traceparent`, if traced).
    public static func envelope(_ event: ChatEvent, json: [UInt8], traceParent: String? = nil) -> [UInt8] {
        var header = RoutingHeader(of: event)
        header.traceParent = traceParent
        var bytes = Array(header.line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: json)
        return bytes
    }

    /// The line, without its newline.
    public var line: String {
        [
            type.rawValue, roomId?.uuidString ?? "-", seq.map(String.init) ?? "-", personId?.uuidString ?? "-",
            createdAtMilliseconds.map(String.init) ?? "-",
        ].joined(separator: " ") + (traceParent.map { " " + $0 } ?? "")
    }

    /// Splits a published payload into its header and where the event's JSON starts;
    /// nil when it has no header (it starts with `{`) or the header is not readable.
    public static func split(_ payload: some RandomAccessCollection<UInt8>) -> (header: RoutingHeader, jsonStart: Int)? {
        guard let first = payload.first, first != UInt8(ascii: "{"),
            let newline = payload.firstIndex(of: UInt8(ascii: "\n"))
        else { return nil }
        let fields = String(decoding: payload[payload.startIndex..<newline], as: UTF8.self).split(
            separator: " ", omittingEmptySubsequences: false)
        // Five fields, and whatever a newer replica adds after them: a sixth is the trace, kept only if
        // it is one (a bad trace field costs the trace, never the message).
        guard fields.count >= 5, let type = ChatEvent.Kind(rawValue: String(fields[0])) else { return nil }
        let trace = fields.count >= 6 && isTraceParent(fields[5]) ? fields[5] : nil
        func optional<T>(_ field: Substring, _ read: (String) -> T?) -> T?? {
            field == "-" ? .some(nil) : read(String(field)).map { .some($0) }
        }
        guard let room = optional(fields[1], UUID.init(uuidString:)), let seq = optional(fields[2], { Int64($0) }),
            let person = optional(fields[3], UUID.init(uuidString:)), let created = optional(fields[4], { Int64($0) })
        else { return nil }
        let header = RoutingHeader(
            type: type, roomId: room, seq: seq, personId: person, createdAtMilliseconds: created, traceParent: trace.map(String.init))
        return (header, payload.distance(from: payload.startIndex, to: newline) + 1)
    }
}
