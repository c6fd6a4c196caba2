import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

struct SearchPage: Codable, Sendable {
    var results: [SearchHit]
    /// Pass as `cursor` for the next page; null on the last one.
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case results, nextCursor }

    /// `nextCursor` is always there (null on the last page).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(results, forKey: .results)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

struct MentionsPage: Codable, Sendable {
    var messages: [ChatMessage]
    var hasMore: Bool
    /// Pass as `before` for the next page; null on the last one.
    var nextBefore: UUID?

    enum CodingKeys: String, CodingKey { case messages, hasMore, nextBefore }

    /// `nextBefore` is always there (null on the last page).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(messages, forKey: .messages)
        try container.encode(hasMore, forKey: .hasMore)
        try container.encode(nextBefore, forKey: .nextBefore)
    }
}

/// Finding messages: full-text search over one's rooms, and where one was mentioned.
struct SearchController: Sendable {
    let messages: MessageStore

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.get("search", use: search)
        group.get("mentions", use: mentions)
    }

    @Sendable func search(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<SearchPage> {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let text = try Validation.searchQuery(Self.formValue("q", in: request.uri.query))
        let limit = try Validation.limit(query.get("limit"), in: Validation.resultPageSize, default: Validation.defaultResultPageSize)
        var roomId: UUID?
        if let room = query.get("roomId") {
            // A room one is not in simply has no results for them (no hint whether it exists).
            guard let id = UUID(uuidString: room) else {
                throw AppError.badRequest("invalid_room_id", "roomId must be a room id (a UUID).")
            }
            roomId = id
        }
        var before: Date?
        if let text = query.get("before") {
            before = try await Self.instant(text, messages: messages, visibleTo: identity.userId)
        }
        var offset = 0
        if let cursor = query.get("cursor") {
            guard let value = Int(cursor), (0...10_000).contains(value) else {
                throw AppError.badRequest("invalid_cursor", "cursor must be the nextCursor of a previous page.")
            }
            offset = value
        }
        let (hits, hasMore) = try await messages.search(
            userId: identity.userId, query: text, roomId: roomId, before: before,
            limit: limit, offset: offset)
        return JSONResponse(SearchPage(results: hits, nextCursor: hasMore ? String(offset + hits.count) : nil))
    }

    /// A query parameter as HTML forms and most HTTP clients write it: `+` is a
    /// space, `%2B` a plus. (Search text is where the difference shows.)
    static func formValue(_ name: String, in query: String?) -> String? {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first.map(String.init)?.removingPercentEncoding == name else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            return raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    /// `before` is a time (ISO 8601) or the id of a message in one of the caller's rooms (its time).
    static func instant(_ text: String, messages: MessageStore, visibleTo userId: UUID) async throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let id = UUID(uuidString: text), let created = try await messages.createdAt(messageId: id, visibleTo: userId) { return created }
        throw AppError.badRequest("invalid_cursor", "before must be an ISO 8601 time or the id of a message.")
    }

    @Sendable func mentions(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<MentionsPage> {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let limit = try Validation.limit(query.get("limit"), in: Validation.resultPageSize, default: Validation.defaultResultPageSize)
        let before = try Validation.messageCursor(query.get("before"))
        let (found, hasMore) = try await messages.mentions(of: identity.userId, before: before, limit: limit)
        return JSONResponse(MentionsPage(messages: found, hasMore: hasMore, nextBefore: hasMore ? found.last?.id : nil))
    }
}
