import ChatProtocol
import Foundation
import Hummingbird
import ServiceKit

struct PinListResponse: Codable, Sendable {
    var pins: [PinnedMessage]
}

/// `/api/rooms/{roomId}/pins`: the room's pinned messages. Every member lists
/// them; owners and admins of a group (either person in a direct room) pin and
/// unpin, and every socket in the room hears `message.pinned` / `message.unpinned`.
struct PinsController: Sendable {
    /// The most pins one room holds.
    static let maxPins = 50

    let rooms: RoomStore
    let messages: MessageStore
    let gateway: Gateway

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.get("{roomId}/pins", use: list)
        group.put("{roomId}/pins/{messageId}", use: pin)
        group.delete("{roomId}/pins/{messageId}", use: unpin)
    }

    @Sendable func list(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<PinListResponse> {
        let access = try await RoomsController.access(rooms, context)
        return JSONResponse(PinListResponse(pins: try await messages.pins(roomId: access.roomId)))
    }

    /// 201 with the pin when it is new, 200 when the message was pinned already (no event).
    @Sendable func pin(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<PinnedMessage> {
        let access = try await Self.pinner(rooms, context)
        let messageId = try MessagesController.messageId(context)
        let (pin, created) = try await messages.pin(
            roomId: access.roomId, messageId: messageId, by: access.identity.userId, maxPins: Self.maxPins)
        if created {
            await gateway.publish(ChatEvent(type: .messagePinned, roomId: access.roomId, data: .pin(pin)), toRoom: access.roomId)
        }
        return JSONResponse(pin, status: created ? .created : .ok)
    }

    @Sendable func unpin(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await Self.pinner(rooms, context)
        let messageId = try MessagesController.messageId(context)
        guard try await messages.unpin(roomId: access.roomId, messageId: messageId) else { throw ChatError.pinNotFound }
        await gateway.publish(
            ChatEvent(
                type: .messageUnpinned, roomId: access.roomId,
                data: .markRemoved(MarkRemoved(messageId: messageId, userId: access.identity.userId))),
            toRoom: access.roomId)
        return Response(status: .noContent)
    }

    /// The caller, if they may change the room's pins: a manager of a group, or either person of a direct room.
    static func pinner(_ rooms: RoomStore, _ context: ChatRequestContext) async throws -> RoomsController.RoomAccess {
        let access = try await RoomsController.access(rooms, context)
        guard access.roomType == .direct || access.role.managesGroup else { throw ChatError.notAllowedToPin }
        return access
    }
}
