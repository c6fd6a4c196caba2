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

    @Test("a payload that does not fit its type is an error, not another kind")
    func mismatchRefused() {
        let id = "3F1C8A52-6D1E-4C59-9D43-1F0F6A3B2C10"
        let text = #"{"type":"message.created","roomId":""# + id + #"","seq":1,"data":{"userId":""# + id + #""}}"#
        #expect(throws: (any Error).self) { try JSONCoding.decoder.decode(ChatEvent.self, from: Data(text.utf8)) }
    }
}
