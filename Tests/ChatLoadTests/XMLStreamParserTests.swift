import NIOCore
import Testing

@testable import ChatLoad

/// What a server sends at the start of a session and in a busy room, as
/// ejabberd 23.01 wrote it on this machine (ids shortened).
private let serverBytes =
    "<?xml version='1.0'?><stream:stream id='1736' version='1.0' xml:lang='en' "
    + "xmlns:stream='http://etherx.jabber.org/streams' from='localhost' xmlns='jabber:client'>"
    + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
    + "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>"
    + "<presence xml:lang='en' to='s0@localhost/load' from='bench@conference.localhost/s0'>"
    + "<x xmlns='http://jabber.org/protocol/muc#user'><item jid='s0@localhost/load' role='moderator' affiliation='owner'/>"
    + "<status code='201'/><status code='110'/></x></presence>\n"
    + "<message xml:lang='en' to='l1@localhost/load' from=\"bench@conference.localhost/s0\" type='groupchat' id='m1'>"
    + "<stanza-id by='bench@conference.localhost' id='1796' xmlns='urn:xmpp:sid:0'/>"
    + "<body>caf\u{e9} &amp; &lt;tea&gt; &#x1F375;&#33;</body></message>"
    + "</stream:stream>"

@Suite("XMPP stream parsing (chat-load's client)")
struct XMLStreamParserTests {
    func parseWhole(_ text: String) throws -> [XMPPStreamEvent] {
        var parser = XMLStreamParser()
        return try parser.feed(Array(text.utf8))
    }

    @Test("A stream yields its opening, each top-level element once complete, and its close")
    func wholeStream() throws {
        let events = try parseWhole(serverBytes)
        #expect(events.count == 5)
        guard case .opened(let stream) = events.first else {
            Issue.record("the stream's opening tag came first: \(events)")
            return
        }
        #expect(stream.localName == "stream")
        #expect(stream.attribute("from") == "localhost")
        guard case .element(let features) = events[1] else { return }
        #expect(features.name == "stream:features")
        #expect(features.child("mechanisms")?.children("mechanism").map(\.text) == ["PLAIN", "SCRAM-SHA-1"])
        guard case .element(let presence) = events[2] else { return }
        let codes = presence.child("x")?.children("status").compactMap { $0.attribute("code") }
        #expect(codes == ["201", "110"])
        #expect(presence.child("x")?.child("item")?.attribute("role") == "moderator")
        #expect(events.last == .closed)
    }

    @Test("Text and attribute values come out with entities and character references decoded")
    func entities() throws {
        let events = try parseWhole(serverBytes)
        guard case .element(let message) = events[3] else {
            Issue.record("the fourth event is the message: \(events)")
            return
        }
        #expect(message.attribute("from") == "bench@conference.localhost/s0")
        #expect(message.child("body")?.text == "caf\u{e9} & <tea> \u{1F375}!")
        #expect(message.child("stanza-id")?.attribute("id") == "1796")
    }

    @Test("Chunks cut anywhere — inside a tag, a quoted value, a character or an entity — give the same events")
    func everySplit() throws {
        let bytes = Array(serverBytes.utf8)
        let whole = try parseWhole(serverBytes)
        for cut in 1..<bytes.count {
            var parser = XMLStreamParser()
            let events = try parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(events == whole, "split at byte \(cut)")
        }
        var parser = XMLStreamParser()
        var oneByOne: [XMPPStreamEvent] = []
        for byte in bytes { oneByOne += try parser.feed(CollectionOfOne(byte)) }
        #expect(oneByOne == whole)
    }

    @Test("An element arrives only when its end tag does")
    func incomplete() throws {
        var parser = XMLStreamParser()
        let opening = "<stream:stream xmlns='jabber:client'><message type='groupchat'><body>hel"
        #expect(try parser.feed(Array(opening.utf8)).count == 1)
        #expect(try parser.feed(Array("lo</body>".utf8)).isEmpty)
        let events = try parser.feed(ByteBuffer(string: "</message>"))
        #expect(
            events == [
                .element(
                    XMLElement(
                        name: "message", attributes: [.init(name: "type", value: "groupchat")],
                        children: [XMLElement(name: "body", text: "hello")]))
            ])
    }

    @Test("After SASL success a new stream starts on the same connection")
    func restart() throws {
        var parser = XMLStreamParser()
        _ = try parser.feed(Array("<stream:stream><success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>".utf8))
        parser.restart()
        let events = try parser.feed(Array("<?xml version='1.0'?><stream:stream id='2'><stream:features><bind/></stream:features>".utf8))
        #expect(events.count == 2)
        guard case .element(let features) = events.last else { return }
        #expect(features.child("bind") != nil)
    }

    @Test("Whitespace keep-alives, comments and CDATA are handled; a mismatched end tag is an error")
    func oddities() throws {
        let events = try parseWhole("<stream:stream> \n <!-- note --><a><![CDATA[<b>&]]></a>  ")
        #expect(events.last == .element(XMLElement(name: "a", text: "<b>&")))
        #expect(throws: XMLStreamError.self) { try parseWhole("<stream:stream><a><b></a>") }
        #expect(throws: XMLStreamError.self) { try parseWhole("<message/>") }
        #expect(throws: XMLStreamError.self) { try parseWhole("<stream:stream><a x=1/>") }
    }

    @Test("A load message's body carries the run, the send time, the sender and its number")
    func body() {
        let body = XMPPBody(run: "ab12cd", sentAt: 123_456_789, sender: 7, number: 42)
        #expect(XMPPBody(body.text) == body)
        #expect(XMPPBody("hello") == nil)
        #expect(XMLEscape.text("a<b & 'c'") == "a&lt;b &amp; &apos;c&apos;")
    }
}
