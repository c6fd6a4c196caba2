import Foundation
import Hummingbird
import ObjectStorage
import ServiceKit
import ChatProtocol

struct SendMessageRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = [
        "content", "messageType", "clientMessageId", "attachmentIds", "replyToId", "threadRootId", "linkPreview",
    ]
    /// Required for text and emoji; an optional caption for file and image messages.
    var content: Patch<String>
    var messageType: String?
    var clientMessageId: String?
    /// The uploads a file or image message carries.
    var attachmentIds: [UUID]?
    /// The message this one answers (same room, not deleted).
    var replyToId: UUID?
    /// The thread it replies in (a message of the room that is not a thread reply).
    var threadRootId: UUID?
    /// false: no card for the text's first link (default true).
    var linkPreview: Bool?

    enum CodingKeys: String, CodingKey { case content, messageType, clientMessageId, attachmentIds, replyToId, threadRootId, linkPreview }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        content = try container.decodePatch(String.self, forKey: .content)
        messageType = try container.decodeIfPresent(String.self, forKey: .messageType)
        clientMessageId = try container.decodeIfPresent(String.self, forKey: .clientMessageId)
        attachmentIds = try container.decodeIfPresent([UUID].self, forKey: .attachmentIds)
        replyToId = try container.decodeIfPresent(UUID.self, forKey: .replyToId)
        threadRootId = try container.decodeIfPresent(UUID.self, forKey: .threadRootId)
        linkPreview = try container.decodeIfPresent(Bool.self, forKey: .linkPreview)
    }
}

struct EditMessageRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["content"]
    var content: String
}

struct MarkReadRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["messageId"]
    var messageId: UUID
}

struct ReadState: Codable, Sendable {
    var receipt: ReadReceipt
    var unreadCount: Int
}

/// Posting, paging, editing, deleting and reading messages in a room.
struct MessagesController: Sendable {
    let rooms: RoomStore
    let messages: MessageStore
    /// Sends go through here, so many at once share a commit.
    let sends: SendBatcher
    let gateway: Gateway
    let maxLength: Int
    /// Where attachments' bytes are, to remove them with their message.
    let store: any ObjectStore
    /// `@username` → user id, through user-service.
    let mentions: MentionResolver

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.post("{roomId}/messages", use: send)
        group.get("{roomId}/messages", use: page)
        group.patch("{roomId}/messages/{messageId}", use: edit)
        group.delete("{roomId}/messages/{messageId}", use: delete)
        group.post("{roomId}/read", use: markRead)
    }

    static func messageId(_ context: ChatRequestContext) throws -> UUID {
        try context.parameters.requireUUID("messageId", what: "message")
    }

    @Sendable func send(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatMessage> {
        // No look-up first: the statement that stores the send checks membership itself.
        let identity = try context.requireIdentity()
        let roomId = try context.parameters.requireUUID("roomId", what: "room")
        var request = request
        let body = try await request.decodeJSON(as: SendMessageRequest.self, context: context)
        let type = try Validation.sentMessageType(body.messageType)
        let attachmentIds = try Validation.attachmentIds(body.attachmentIds, for: type)
        try Validation.clientMessageId(body.clientMessageId)
        if let target = body.replyToId {
            // Asked as the sender: a non-member gets the room's 404 whatever the target is.
            // A deleted message stays deleted, so this check cannot be overtaken before the send stores the link.
            switch try await messages.replyTarget(roomId: roomId, messageId: target, requester: identity.userId) {
            case .none: throw ChatError.roomNotFound
            case .absent: throw ChatError.replyTargetNotFound
            case .deleted: throw ChatError.messageDeleted
            case .present: break
            }
        }
        var threadRoot: ChatMessage?
        if let rootId = body.threadRootId {
            // Membership first: someone outside the room learns nothing about its messages.
            guard try await rooms.membership(of: identity.userId, in: roomId) != nil else { throw ChatError.roomNotFound }
            threadRoot = try await messages.threadRoot(roomId: roomId, rootId: rootId)
        }
        if type.carriesAttachments {
            // A caption is optional; the uploads are claimed in the message's own transaction.
            var caption = ""
            if case let .set(text) = body.content, !text.isEmpty { caption = try Validation.content(text, maxLength: maxLength) }
            let mentioned = await mentions.userIds(mentionedIn: caption, as: identity, requestId: context.requestId)
            let (message, created) = try await messages.sendWithAttachments(
                roomId: roomId, senderId: identity.userId, content: caption,
                messageType: type, clientMessageId: body.clientMessageId,
                attachmentIds: attachmentIds, replyToId: body.replyToId,
                mentions: mentioned, threadRootId: threadRoot?.id)
            // A repeat is published again too (SendBatcher says why); listeners that have it skip it.
            await gateway.announceCreated(created ? [message] : [], repeated: created ? [] : [message], inRoom: roomId)
            if let threadRoot {
                try? await messages.noteReply(rootId: threadRoot.id, rootAuthor: threadRoot.senderId, replier: identity.userId)
            }
            return JSONResponse(message, status: .created)
        }
        let text: String
        switch body.content {
        case let .set(value): text = value
        case .absent:
            throw AppError(
                .badRequest, code: "missing_field", detail: "content is required.",
                errors: [FieldError(field: "content", code: "missing_field", detail: "required")])
        case .clear:
            throw AppError(
                .badRequest, code: "wrong_type", detail: "content must be a string, not null.",
                errors: [FieldError(field: "content", code: "wrong_type", detail: "expected a string")])
        }
        let content = try Validation.content(text, maxLength: maxLength)
        let mentioned = await mentions.userIds(mentionedIn: content, as: identity, requestId: context.requestId)
        let (message, _) = try await sends.send(
            .init(
                roomId: roomId, senderId: identity.userId, content: content,
                messageType: type, clientMessageId: body.clientMessageId,
                replyToId: body.replyToId, mentions: mentioned, threadRootId: threadRoot?.id, linkPreview: body.linkPreview ?? true))
        if let threadRoot {
            try? await messages.noteReply(rootId: threadRoot.id, rootAuthor: threadRoot.senderId, replier: identity.userId)
        }
        // Answered once committed and published (SendBatcher): Redis already carries the event.
        return JSONResponse(message, status: .created)
    }

    @Sendable func page(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<MessagePage> {
        let access = try await RoomsController.access(rooms, context)
        let roomId = access.roomId
        let query = request.uri.queryParameters
        /// A cursor is a message's seq or its id.
        func cursor(_ name: String) async throws -> Int64? {
            guard let text = query.get(name) else { return nil }
            if let value = Int64(text), value >= 0 { return value }
            if let id = UUID(uuidString: text) {
                guard let message = try await messages.find(roomId: roomId, messageId: id) else {
                    throw AppError.notFound("message_not_found", "\(name) names no message in this room.")
                }
                return message.seq
            }
            throw AppError.badRequest("invalid_cursor", "\(name) must be a message seq (a whole number ≥ 0) or a message id.")
        }
        let before = try await cursor("before"), after = try await cursor("after")
        if before != nil && after != nil { throw AppError.badRequest("invalid_cursor", "Give before or after, not both.") }
        let limit = try Validation.limit(query.get("limit"), in: Validation.pageSize, default: Validation.defaultPageSize)
        let result = try await messages.page(roomId: roomId, before: before, after: after, limit: limit)
        return JSONResponse(MessagePage(messages: result.messages, hasMore: result.hasMore))
    }

    @Sendable func edit(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatMessage> {
        let access = try await RoomsController.access(rooms, context)
        let (identity, roomId) = (access.identity, access.roomId)
        let messageId = try Self.messageId(context)
        var request = request
        let body = try await request.decodeJSON(as: EditMessageRequest.self, context: context)
        let content = try Validation.content(body.content, maxLength: maxLength)
        guard let existing = try await messages.find(roomId: roomId, messageId: messageId) else {
            throw ChatError.messageNotFound
        }
        guard existing.messageType != .system else { throw ChatError.systemMessage }
        guard existing.senderId == identity.userId else {
            throw AppError.forbidden("not_message_author", "You can only edit your own messages.")
        }
        let deleted = AppError.conflict("message_deleted", "A deleted message cannot be edited.")
        guard existing.deletedAt == nil else { throw deleted }
        // Names are resolved only for an edit that will be stored.
        let mentioned = await mentions.userIds(mentionedIn: content, as: identity, requestId: context.requestId)
        guard let updated = try await messages.edit(roomId: roomId, messageId: messageId, content: content, mentions: mentioned) else {
            throw deleted
        }
        await gateway.publish(ChatEvent.messageUpdated(updated), toRoom: roomId)
        return JSONResponse(updated)
    }

    @Sendable func delete(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatMessage> {
        let access = try await RoomsController.access(rooms, context)
        let (identity, roomId) = (access.identity, access.roomId)
        let messageId = try Self.messageId(context)
        guard let existing = try await messages.find(roomId: roomId, messageId: messageId) else {
            throw ChatError.messageNotFound
        }
        guard existing.messageType != .system else { throw ChatError.systemMessage }
        guard existing.senderId == identity.userId || access.managesGroup else {
            throw AppError.forbidden("not_message_author", "You can only delete your own messages.")
        }
        guard let (deleted, storageKeys) = try await messages.deleteWithAttachments(roomId: roomId, messageId: messageId) else {
            throw ChatError.messageNotFound
        }
        // The rows are gone with the message; their bytes follow (a failure is logged, the bytes are unreachable).
        for key in storageKeys {
            do { try await store.delete(key: key) } catch {
                context.logger.error("could not remove a deleted message's attachment", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
        if existing.deletedAt == nil {
            await gateway.publish(ChatEvent.messageDeleted(deleted), toRoom: roomId)
        }
        return JSONResponse(deleted)
    }

    @Sendable func markRead(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ReadState> {
        let access = try await RoomsController.access(rooms, context)
        let (identity, roomId) = (access.identity, access.roomId)
        var request = request
        let body = try await request.decodeJSON(as: MarkReadRequest.self, context: context)
        guard let (receipt, unread) = try await messages.markRead(roomId: roomId, userId: identity.userId, messageId: body.messageId) else {
            throw ChatError.messageNotFound
        }
        await gateway.publish(ChatEvent(type: .readUpdated, roomId: roomId, seq: receipt.seq, data: .read(receipt)), toRoom: roomId)
        return JSONResponse(ReadState(receipt: receipt, unreadCount: unread))
    }
}
