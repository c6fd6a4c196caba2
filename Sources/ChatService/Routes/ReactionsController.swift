import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

struct AddReactionRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["emoji"]
    var emoji: String
}

/// Emoji reactions on messages: one per person per emoji.
struct ReactionsController: Sendable {
    let rooms: RoomStore
    let messages: MessageStore
    let gateway: Gateway

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.post("{roomId}/messages/{messageId}/reactions", use: addFromBody)
        group.put("{roomId}/messages/{messageId}/reactions/{emoji}", use: addFromPath)
        group.delete("{roomId}/messages/{messageId}/reactions/{emoji}", use: remove)
    }

    /// The emoji of the path, percent-decoded.
    static func pathEmoji(_ context: ChatRequestContext) throws -> String {
        let raw = context.parameters.get("emoji") ?? ""
        return try Validation.emoji(raw.removingPercentEncoding ?? raw)
    }

    @Sendable func addFromBody(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ReactionEvent> {
        var request = request
        let body = try await request.decodeJSON(as: AddReactionRequest.self, context: context)
        return try await add(emoji: try Validation.emoji(body.emoji), context: context)
    }

    @Sendable func addFromPath(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ReactionEvent> {
        try await add(emoji: try Self.pathEmoji(context), context: context)
    }

    /// 201 when the reaction is new, 200 when it was already there (and no event).
    private func add(emoji: String, context: ChatRequestContext) async throws -> JSONResponse<ReactionEvent> {
        let access = try await RoomsController.access(rooms, context)
        let messageId = try MessagesController.messageId(context)
        let (state, added) = try await messages.addReaction(
            roomId: access.roomId, messageId: messageId, userId: access.identity.userId,
            emoji: emoji, maxEmoji: Validation.maxEmojiPerMessage)
        let change = ReactionEvent(messageId: messageId, userId: access.identity.userId, emoji: emoji, reactions: state.reactions)
        if added {
            await gateway.publish(
                ChatEvent(type: .reactionAdded, roomId: access.roomId, seq: state.seq, data: .reaction(change)), toRoom: access.roomId)
        }
        return JSONResponse(change, status: added ? .created : .ok)
    }

    @Sendable func remove(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ReactionEvent> {
        let access = try await RoomsController.access(rooms, context)
        let messageId = try MessagesController.messageId(context)
        let emoji = try Self.pathEmoji(context)
        let state = try await messages.removeReaction(
            roomId: access.roomId, messageId: messageId, userId: access.identity.userId, emoji: emoji)
        let change = ReactionEvent(messageId: messageId, userId: access.identity.userId, emoji: emoji, reactions: state.reactions)
        await gateway.publish(
            ChatEvent(type: .reactionRemoved, roomId: access.roomId, seq: state.seq, data: .reaction(change)), toRoom: access.roomId)
        return JSONResponse(change)
    }
}
