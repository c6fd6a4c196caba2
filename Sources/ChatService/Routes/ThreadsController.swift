import ChatProtocol
import Foundation
import Hummingbird
import ServiceKit

struct FollowState: Codable, Sendable {
    var rootId: UUID
    var following: Bool
}

struct FollowedThreadList: Codable, Sendable {
    var threads: [FollowedThread]
}

/// Threads: any message can start one (`threadRootId` on a send). A thread's replies take the
/// room's seqs and travel as `message.created` like any message (so resume and gap fills need
/// nothing new), and the page shows them in the thread's panel rather than the room. Whoever
/// started a thread or replied in it follows it (and can stop); followers see their unread
/// replies per thread in `GET /api/threads`.
struct ThreadsController: Sendable {
    static let pageSize = 1...200

    let rooms: RoomStore
    let messages: MessageStore

    func addRoutes(rooms group: RouterGroup<ChatRequestContext>, api: RouterGroup<ChatRequestContext>) {
        group.get("{roomId}/threads/{rootId}", use: show)
        group.put("{roomId}/threads/{rootId}/follow", use: follow)
        group.delete("{roomId}/threads/{rootId}/follow", use: unfollow)
        group.post("{roomId}/threads/{rootId}/read", use: markRead)
        api.get("threads", use: followed)
    }

    @Sendable func show(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ThreadPage> {
        let access = try await RoomsController.access(rooms, context)
        let rootId = try context.parameters.requireUUID("rootId", what: "message")
        let query = request.uri.queryParameters
        let limit = try Validation.limit(query.get("limit"), in: Self.pageSize, default: 100)
        var after: Int64 = 0
        if let text = query.get("after") {
            guard let value = Int64(text), value >= 0 else {
                throw AppError.badRequest("invalid_cursor", "after must be the seq of the last reply you have.")
            }
            after = value
        }
        guard
            let page = try await messages.thread(
                roomId: access.roomId, rootId: rootId, viewer: access.identity.userId, after: after, limit: limit)
        else { throw ChatError.threadNotFound }
        return JSONResponse(page)
    }

    @Sendable func follow(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<FollowState> {
        try await setFollowing(true, context)
    }

    @Sendable func unfollow(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<FollowState> {
        try await setFollowing(false, context)
    }

    private func setFollowing(_ following: Bool, _ context: ChatRequestContext) async throws -> JSONResponse<FollowState> {
        let access = try await RoomsController.access(rooms, context)
        let rootId = try context.parameters.requireUUID("rootId", what: "message")
        let root = try await messages.threadRoot(roomId: access.roomId, rootId: rootId)
        try await messages.setFollowing(following, rootId: root.id, userId: access.identity.userId)
        return JSONResponse(FollowState(rootId: root.id, following: following))
    }

    @Sendable func markRead(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let rootId = try context.parameters.requireUUID("rootId", what: "message")
        guard let root = try await messages.find(roomId: access.roomId, messageId: rootId), root.threadRootId == nil else {
            throw ChatError.threadNotFound
        }
        try await messages.markThreadRead(rootId: root.id, userId: access.identity.userId)
        return Response(status: .noContent)
    }

    @Sendable func followed(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<FollowedThreadList> {
        let identity = try context.requireIdentity()
        let limit = try Validation.limit(
            request.uri.queryParameters.get("limit"), in: Validation.resultPageSize, default: Validation.defaultResultPageSize)
        return JSONResponse(FollowedThreadList(threads: try await messages.followedThreads(of: identity.userId, limit: limit)))
    }
}
