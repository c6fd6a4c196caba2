import ChatProtocol
import Foundation
import Hummingbird
import ServiceKit

struct SavedListResponse: Codable, Sendable {
    var saved: [SavedMessage]
    var hasMore: Bool
    /// Pass as `before` for the next page; absent on the last.
    var nextBefore: UUID?
}

/// Saved messages: anyone saves a message of a room they are in for themselves
/// (`PUT /api/rooms/{roomId}/messages/{messageId}/saved`) and lists their saves
/// across rooms (`GET /api/saved`). Their other sockets (other devices) hear
/// `message.saved` / `message.unsaved` on the person's own channel.
struct SavedController: Sendable {
    /// The most messages one person keeps saved.
    static let maxSaved = 1000

    let rooms: RoomStore
    let messages: MessageStore
    let gateway: Gateway

    func addRoutes(rooms group: RouterGroup<ChatRequestContext>, api: RouterGroup<ChatRequestContext>) {
        group.put("{roomId}/messages/{messageId}/saved", use: save)
        group.delete("{roomId}/messages/{messageId}/saved", use: unsave)
        api.get("saved", use: list)
    }

    @Sendable func list(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<SavedListResponse> {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let limit = try Validation.limit(query.get("limit"), in: Validation.resultPageSize, default: Validation.defaultResultPageSize)
        let before = try Validation.messageCursor(query.get("before"))
        let (saved, hasMore) = try await messages.saved(by: identity.userId, before: before, limit: limit)
        return JSONResponse(SavedListResponse(saved: saved, hasMore: hasMore, nextBefore: hasMore ? saved.last?.message.id : nil))
    }

    /// 201 when newly saved, 200 when it was saved already (no event).
    @Sendable func save(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<SavedMessage> {
        let access = try await RoomsController.access(rooms, context)
        let messageId = try MessagesController.messageId(context)
        let userId = access.identity.userId
        let (saved, created) = try await messages.save(roomId: access.roomId, messageId: messageId, for: userId, maxSaved: Self.maxSaved)
        if created {
            await gateway.publish(ChatEvent(type: .messageSaved, roomId: access.roomId, data: .saved(saved)), toUser: userId)
        }
        return JSONResponse(saved, status: created ? .created : .ok)
    }

    @Sendable func unsave(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let messageId = try MessagesController.messageId(context)
        let userId = access.identity.userId
        guard try await messages.unsave(roomId: access.roomId, messageId: messageId, for: userId) else { throw ChatError.savedNotFound }
        await gateway.publish(
            ChatEvent(type: .messageUnsaved, roomId: access.roomId, data: .markRemoved(MarkRemoved(messageId: messageId, userId: userId))),
            toUser: userId)
        return Response(status: .noContent)
    }
}
