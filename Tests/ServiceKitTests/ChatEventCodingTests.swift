import Foundation
import Testing
@testable import ServiceKit
import ChatProtocol

/// Events cross Redis as JSON and are read back by `type`: each payload comes back as
/// what its type carries.
@Suite("Event decoding by type")
struct ChatEventCodingTests {
    func roundTrip(_ event: ChatEvent) throws -> ChatEvent {
        try JSONCoding.decoder.decode(ChatEvent.self, from: try JSONCoding.encoder.encode(event))
    }

    @Test("each type's payload comes back as its own kind")
    func payloadsByType() throws {
        let user = UUID(), room = UUID()
        let message = ChatMessage(
            id: UUID(), roomId: room, seq: 7, senderId: user, content: "hi", messageType: .text, clientMessageId: nil,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: nil, deletedAt: nil)
        guard case let .message(back)? = try roundTrip(.messageCreated(message)).data else {
            Issue.record("a message.created did not carry a message")
            return
        }
        #expect(back.id == message.id && back.seq == 7 && back.messageType == .text)
        guard
            case let .user(presence)? = try roundTrip(
                ChatEvent(type: .presence, roomId: room, data: .user(UserEvent(userId: user, online: true)))
            ).data
        else {
            Issue.record("presence did not carry a user event")
            return
        }
        #expect(presence.userId == user && presence.online == true)
        guard
            case .user? = try roundTrip(ChatEvent(type: .roomUpdated, roomId: room, data: .user(UserEvent(userId: user, role: "admin"))))
                .data
        else {
            Issue.record("a role change did not come back as a user event")
            return
        }
        #expect(try roundTrip(ChatEvent(type: .invitationRemoved, roomId: room)).data == nil)
    }

    @Test("pins and saves come back as what each carries: the pin or save with its message, or the message id and person")
    func marks() throws {
        let user = UUID(), room = UUID(), at = Date(timeIntervalSince1970: 1_700_000_000)
        let message = ChatMessage(
            id: UUID(), roomId: room, seq: 3, senderId: user, content: "keep", messageType: .text, clientMessageId: nil,
            createdAt: at, updatedAt: nil, deletedAt: nil)
        let pin = PinnedMessage(message: message, pinnedBy: user, pinnedAt: at)
        guard case let .pin(pinBack)? = try roundTrip(ChatEvent(type: .messagePinned, roomId: room, data: .pin(pin))).data else {
            Issue.record("message.pinned did not carry a pin")
            return
        }
        #expect(pinBack == pin)
        let saved = SavedMessage(message: message, savedAt: at)
        guard case let .saved(savedBack)? = try roundTrip(ChatEvent(type: .messageSaved, roomId: room, data: .saved(saved))).data else {
            Issue.record("message.saved did not carry a save")
            return
        }
        #expect(savedBack == saved)
        for kind in [ChatEvent.Kind.messageUnpinned, .messageUnsaved] {
            let removed = MarkRemoved(messageId: message.id, userId: user)
            guard case let .markRemoved(back)? = try roundTrip(ChatEvent(type: kind, roomId: room, data: .markRemoved(removed))).data else {
                Issue.record("\(kind.rawValue) did not carry the message id and person")
                return
            }
            #expect(back == removed)
        }
        // A pin event without its message is refused, not read as some other payload.
        let text = #"{"type":"message.pinned","data":{"messageId":"\#(message.id)","userId":"\#(user)"}}"#
        #expect(throws: (any Error).self) { try JSONCoding.decoder.decode(ChatEvent.self, from: Data(text.utf8)) }
    }

    @Test("a payload that does not fit its type is an error, not another kind")
    func mismatchRefused() {
        let id = "3F1C8A52-6D1E-4C59-9D43-1F0F6A3B2C10"
        let text = #"{"type":"message.created","roomId":""# + id + #"","seq":1,"data":{"userId":""# + id + #""}}"#
        #expect(throws: (any Error).self) { try JSONCoding.decoder.decode(ChatEvent.self, from: Data(text.utf8)) }
    }
}
