import ChatProtocol
import Foundation
import Testing

/// The line ahead of each event published on a room's channel: replicas route by it and
/// never decode the JSON after it, which goes to clients as it is.
@Suite("Routing header")
struct RoutingHeaderTests {
    let room = UUID()
    let person = UUID()

    @Test("a message's header carries its room, seq and creation time; the JSON follows untouched")
    func messageEnvelope() throws {
        let message = ChatMessage(
            id: UUID(), roomId: room, seq: 42, senderId: person, content: "hi", messageType: .text, clientMessageId: nil,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123), updatedAt: nil, deletedAt: nil)
        let json = Array(#"{"type":"message.created"}"#.utf8)
        let envelope = RoutingHeader.envelope(.messageCreated(message), json: json)
        let (header, start) = try #require(RoutingHeader.split(envelope))
        #expect(header.type == .messageCreated && header.roomId == room && header.seq == 42 && header.personId == nil)
        #expect(header.createdAtMilliseconds == 1_700_000_000_123)
        #expect(Array(envelope[start...]) == json)
    }

    @Test("a traced send's header carries the publishing span's traceparent; a malformed one is ignored, the message kept")
    func traceParent() throws {
        let message = ChatMessage(
            id: UUID(), roomId: room, seq: 7, senderId: person, content: "hi", messageType: .text, clientMessageId: nil,
            createdAt: Date(), updatedAt: nil, deletedAt: nil)
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let envelope = RoutingHeader.envelope(.messageCreated(message), json: Array("{}".utf8), traceParent: parent)
        let (header, start) = try #require(RoutingHeader.split(envelope))
        #expect(header.traceParent == parent && header.seq == 7 && Array(envelope[start...]) == Array("{}".utf8))
        let (untraced, _) = try #require(RoutingHeader.split(RoutingHeader.envelope(.messageCreated(message), json: Array("{}".utf8))))
        #expect(untraced.traceParent == nil)
        for bad in [
            "00-4bf92f35-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "junk",
            "00-4bf92f3577b34da6a3ce929d0e0e473٣-00f067aa0ba902b7-01",
        ] {
            let (read, start) = try #require(RoutingHeader.split(Array("message.created - 1 - - \(bad)\n{}".utf8)), "\(bad)")
            #expect(read.traceParent == nil && read.seq == 1 && start > 0, "\(bad)")
        }
        // A field a newer replica adds after the trace does not make the line unreadable.
        let (newer, _) = try #require(RoutingHeader.split(Array("message.created - 2 - - \(parent) extra\n{}".utf8)))
        #expect(newer.traceParent == parent && newer.seq == 2)
    }

    @Test("presence, typing and read positions name the person they are about")
    func aboutAPerson() throws {
        let receipt = ReadReceipt(userId: person, messageId: UUID(), seq: 3, readAt: Date())
        for event in [
            ChatEvent(type: .typing, roomId: room, data: .user(UserEvent(userId: person))),
            ChatEvent(type: .readUpdated, roomId: room, seq: 3, data: .read(receipt)),
        ] {
            let (header, _) = try #require(RoutingHeader.split(RoutingHeader.envelope(event, json: Array("{}".utf8))))
            #expect(header.personId == person && header.roomId == room && header.type == event.type)
        }
        let (bare, _) = try #require(RoutingHeader.split(RoutingHeader.envelope(ChatEvent(type: .resync), json: Array("{}".utf8))))
        #expect(bare == RoutingHeader(type: .resync))
    }

    @Test("plain JSON (user-service's events, an older replica) and unreadable lines have no header")
    func noHeader() {
        #expect(RoutingHeader.split(Array(#"{"type":"presence"}"#.utf8)) == nil)
        #expect(RoutingHeader.split(Array("message.created - 1 - -".utf8)) == nil, "no newline")
        #expect(RoutingHeader.split(Array("message.sent - - - -\n{}".utf8)) == nil, "unknown type")
        #expect(RoutingHeader.split(Array("message.created not-a-uuid 1 - -\n{}".utf8)) == nil)
        #expect(RoutingHeader.split(Array("message.created - x - -\n{}".utf8)) == nil)
        #expect(RoutingHeader.split(Array("message.created - - -\n{}".utf8)) == nil, "a field missing")
        #expect(RoutingHeader.split([UInt8]()) == nil)
    }

    @Test("a person's channel is read back to the person; other channels are not")
    func channels() {
        #expect(RealtimeChannel.userId(ofChannel: RealtimeChannel.user(person)) == person)
        #expect(RealtimeChannel.userId(ofChannel: RealtimeChannel.room(room)) == nil)
        #expect(RealtimeChannel.userId(ofChannel: RealtimeChannel.profiles) == nil)
        #expect(RealtimeChannel.room(room).hasPrefix(RealtimeChannel.roomPrefix))
    }
}
