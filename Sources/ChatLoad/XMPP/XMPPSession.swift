import Foundation
import NIOCore
import NIOPosix

struct XMPPError: Error, CustomStringConvertible {
    var description: String
}

/// The sending half of a session, for a task that writes while another reads.
struct XMPPWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    func send(_ xml: String) async throws {
        try await outbound.write(ByteBuffer(string: xml))
    }
}

/// Where and as whom a client connects.
struct XMPPAccount: Sendable {
    var host: String
    var port: Int
    /// The XMPP domain (the `to` of the stream), e.g. `localhost`.
    var domain: String
    var user: String
    var password: String
    var resource = "load"
}

/// One client-to-server XMPP connection (RFC 6120) over plain TCP, read and
/// written by the one task that owns it: the stream, SASL PLAIN, resource
/// binding, the session if the server offers it, and a MUC (XEP-0045) join.
/// No STARTTLS: the bench's server and client share the loopback, and the
/// server it starts offers no certificate; a server that requires TLS is
/// refused with an error.
struct XMPPSession {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var parser = XMLStreamParser()
    private var queue: [XMPPStreamEvent] = []
    private var queueIndex = 0
    private var nextId = 0
    /// The full JID the server bound (`user@domain/resource`).
    private(set) var jid = ""

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Connects, runs `body` with the session, and closes the connection whatever happens.
    static func withConnection<Result: Sendable>(
        host: String, port: Int, _ body: (inout XMPPSession) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var session = XMPPSession(inbound: inbound, outbound: outbound)
            return try await body(&session)
        }
    }

    // MARK: reading and writing

    /// The next event of the stream, or nil once the connection ended (or the task was cancelled).
    mutating func next() async throws -> XMPPStreamEvent? {
        while queueIndex >= queue.count {
            queue.removeAll(keepingCapacity: true)
            queueIndex = 0
            guard let bytes = try await inbound.next() else { return nil }
            queue = try parser.feed(bytes)
        }
        defer { queueIndex += 1 }
        return queue[queueIndex]
    }

    /// The next complete element (a stanza or a negotiation element); throws if the stream ends first.
    mutating func nextElement() async throws -> XMLElement {
        while let event = try await next() {
            switch event {
            case .element(let element): return element
            case .opened: continue
            case .closed: throw XMPPError(description: "the server closed the stream")
            }
        }
        throw XMPPError(description: "the connection ended")
    }

    func send(_ xml: String) async throws {
        try await outbound.write(ByteBuffer(string: xml))
    }

    /// Writes to this connection from another task while the owner keeps reading.
    var writer: XMPPWriter { XMPPWriter(outbound: outbound) }

    mutating func makeId(_ prefix: String) -> String {
        nextId += 1
        return "\(prefix)\(nextId)"
    }

    // MARK: negotiation

    private func openStream(to domain: String) async throws {
        try await send(
            "<?xml version='1.0'?><stream:stream to='\(XMLEscape.text(domain))' version='1.0' xml:lang='en' "
                + "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
    }

    /// Opens the stream and returns its features.
    private mutating func features(domain: String) async throws -> XMLElement {
        try await openStream(to: domain)
        while true {
            let element = try await nextElement()
            if element.localName == "features" { return element }
            if element.localName == "error" { throw XMPPError(description: "stream error: \(Self.describe(element))") }
        }
    }

    /// Authenticates (SASL PLAIN), binds a resource and starts the session if offered.
    mutating func login(_ account: XMPPAccount) async throws {
        let offered = try await features(domain: account.domain)
        if offered.child("starttls")?.child("required") != nil {
            throw XMPPError(description: "the server requires STARTTLS, which this load generator does not speak")
        }
        let mechanisms = offered.child("mechanisms")?.children("mechanism").map(\.text) ?? []
        guard mechanisms.contains("PLAIN") else {
            throw XMPPError(description: "the server offers no SASL PLAIN (offered: \(mechanisms.joined(separator: ", ")))")
        }
        let credentials = Data("\0\(account.user)\0\(account.password)".utf8).base64EncodedString()
        try await send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>\(credentials)</auth>")
        let answer = try await nextElement()
        guard answer.localName == "success" else {
            throw XMPPError(description: "SASL PLAIN as \(account.user) failed: \(Self.describe(answer))")
        }
        parser.restart()
        let bound = try await features(domain: account.domain)
        guard bound.child("bind") != nil else { throw XMPPError(description: "the server offers no resource binding") }
        let bind = try await query(
            type: "set", to: nil,
            "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>\(XMLEscape.text(account.resource))</resource></bind>")
        jid = bind.child("bind")?.child("jid")?.text ?? "\(account.user)@\(account.domain)/\(account.resource)"
        if bound.child("session") != nil {
            _ = try await query(type: "set", to: nil, "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>")
        }
    }

    /// Sends an IQ and waits for its result (other stanzas arriving meanwhile are dropped).
    mutating func query(type: String, to: String?, _ payload: String) async throws -> XMLElement {
        let id = makeId("q")
        let target = to.map { " to='\(XMLEscape.text($0))'" } ?? ""
        try await send("<iq type='\(type)' id='\(id)'\(target)>\(payload)</iq>")
        while true {
            let element = try await nextElement()
            guard element.localName == "iq", element.attribute("id") == id else { continue }
            guard element.attribute("type") == "result" else {
                throw XMPPError(description: "the server answered \(Self.describe(element))")
            }
            return element
        }
    }

    /// Joins a room (`room@service`) as `nick`, asking for no history, and waits
    /// for the room's presence of oneself (status 110). A room this join created
    /// (status 201) is accepted with its default configuration (an instant room).
    mutating func join(room: String, nick: String) async throws {
        let occupant = "\(room)/\(nick)"
        try await send(
            "<presence to='\(XMLEscape.text(occupant))'><x xmlns='http://jabber.org/protocol/muc'>"
                + "<history maxstanzas='0'/></x></presence>")
        while true {
            let element = try await nextElement()
            guard element.localName == "presence", element.attribute("from") == occupant else { continue }
            if element.attribute("type") == "error" {
                throw XMPPError(description: "joining \(room) failed: \(Self.describe(element))")
            }
            let codes = element.children("x").flatMap { $0.children("status") }.compactMap { $0.attribute("code") }
            guard codes.contains("110") else { continue }
            if codes.contains("201") {
                _ = try await query(
                    type: "set", to: room,
                    "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query>")
            }
            return
        }
    }

    /// Ends the stream politely (the connection closes when `withConnection` returns).
    func close() async {
        try? await send("</stream:stream>")
    }

    /// An element, shortened, for error messages.
    static func describe(_ element: XMLElement) -> String {
        var names = [element.name] + element.children.map(\.name)
        if let error = element.child("error") { names += error.children.map(\.name) }
        let text = element.child("error")?.child("text")?.text ?? element.child("text")?.text
        return "<\(names.joined(separator: " "))>" + (text.map { ": \($0)" } ?? "")
    }
}
