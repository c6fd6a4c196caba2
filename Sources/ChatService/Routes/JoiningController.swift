import ChatProtocol
import Foundation
import Hummingbird
import ServiceKit

struct DirectoryPage: Codable, Sendable {
    var rooms: [DirectoryEntry]
    /// Pass as `cursor` for the next page; absent on the last.
    var nextCursor: String?
}

struct CreateInviteLinkRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["expiresInSeconds", "maxUses"]
    /// 5 minutes to 30 days; absent: the link does not expire.
    var expiresInSeconds: Int?
    /// 1 to 1,000; absent: any number of people.
    var maxUses: Int?
}

struct InviteLinkList: Codable, Sendable {
    var links: [InviteLink]
}

/// What anyone holding a link sees before joining.
struct InviteLinkPreview: Codable, Sendable {
    var code: String
    var room: DirectoryEntry
    var expiresAt: Date?
}

/// Joining a group by oneself: the directory of public groups (search, member counts)
/// and joining one, and invite links — owners and admins make them (an expiry and a
/// use count if they like) and revoke them; anyone holding one sees the group and joins
/// it, public or private. Everything a private group is stays hidden from who holds no link.
struct JoiningController: Sendable {
    static let shortestLink = 300
    static let longestLink = 30 * 24 * 3600
    static let mostUses = 1000

    let rooms: RoomStore
    let announcer: RoomsController
    let joins: SelfJoinLimit

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.get("directory", use: directory)
        group.post("{roomId}/join", use: joinPublic)
        group.post("{roomId}/invite-links", use: createLink)
        group.get("{roomId}/invite-links", use: listLinks)
        group.delete("{roomId}/invite-links/{code}", use: revokeLink)
        group.get("invite-links/{code}", use: preview)
        group.post("invite-links/{code}/join", use: joinByLink)
    }

    @Sendable func directory(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<DirectoryPage> {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let text = (query.get("q") ?? query.get("search")).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let text, text.count > 100 {
            throw AppError.badRequest("invalid_query", "Search with at most 100 characters.")
        }
        let limit = try Validation.limit(query.get("limit"), in: Validation.resultPageSize, default: Validation.defaultResultPageSize)
        var offset = 0
        if let cursor = query.get("cursor") {
            guard let value = Int(cursor), (0...10_000).contains(value) else {
                throw AppError.badRequest("invalid_cursor", "cursor must be the nextCursor of the previous page.")
            }
            offset = value
        }
        let found = try await rooms.directory(
            matching: text?.isEmpty == false ? text : nil, viewer: identity.userId, limit: limit + 1, offset: offset)
        return JSONResponse(
            DirectoryPage(rooms: Array(found.prefix(limit)), nextCursor: found.count > limit ? String(offset + limit) : nil))
    }

    /// 201 with the room when one joined, 200 when one was in it already; a private or unknown group is 404.
    @Sendable func joinPublic(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatRoom> {
        let identity = try context.requireIdentity()
        let roomId = try context.parameters.requireUUID("roomId", what: "room")
        try await joins.admit(identity.userId)
        guard let outcome = try await rooms.joinPublic(roomId, userId: identity.userId) else { throw ChatError.roomNotFound }
        return try await answer(outcome, roomId: roomId, identity: identity, context)
    }

    @Sendable func createLink(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<InviteLink> {
        let access = try await Self.manager(rooms, context)
        var request = request
        let body = try await request.decodeJSON(as: CreateInviteLinkRequest.self, context: context)
        var errors: [FieldError] = []
        if let seconds = body.expiresInSeconds, !(Self.shortestLink...Self.longestLink).contains(seconds) {
            errors.append(FieldError(field: "expiresInSeconds", code: "invalid_value", detail: "5 minutes to 30 days, in seconds"))
        }
        if let uses = body.maxUses, !(1...Self.mostUses).contains(uses) {
            errors.append(FieldError(field: "maxUses", code: "invalid_value", detail: "1 to \(Self.mostUses)"))
        }
        guard errors.isEmpty else { throw AppError.validation(errors) }
        let link = try await rooms.createInviteLink(
            roomId: access.roomId, by: access.identity.userId,
            expiresAt: body.expiresInSeconds.map { Date().addingTimeInterval(TimeInterval($0)) }, maxUses: body.maxUses)
        return JSONResponse(link, status: .created)
    }

    @Sendable func listLinks(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<InviteLinkList> {
        let access = try await Self.manager(rooms, context)
        return JSONResponse(InviteLinkList(links: try await rooms.inviteLinks(of: access.roomId)))
    }

    @Sendable func revokeLink(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await Self.manager(rooms, context)
        let code = try Self.code(context)
        guard try await rooms.revokeInviteLink(code: code, of: access.roomId) else { throw ChatError.inviteLinkNotFound }
        return Response(status: .noContent)
    }

    /// The group behind a link, for anyone holding it; 404 for no such link, 410 for one that cannot be used.
    @Sendable func preview(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<InviteLinkPreview> {
        let identity = try context.requireIdentity()
        let code = try Self.code(context)
        guard let (link, room, members) = try await rooms.inviteLink(code: code) else { throw ChatError.inviteLinkNotFound }
        let joined = try await rooms.membership(of: identity.userId, in: room.id) != nil
        if !joined, let reason = RoomStore.unusable(link) { throw ChatError.inviteLinkUnusable(reason) }
        return JSONResponse(
            InviteLinkPreview(
                code: code,
                room: DirectoryEntry(
                    id: room.id, name: room.name, description: room.description, memberCount: members, joined: joined,
                    createdAt: room.createdAt),
                expiresAt: link.expiresAt))
    }

    @Sendable func joinByLink(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatRoom> {
        let identity = try context.requireIdentity()
        let code = try Self.code(context)
        try await joins.admit(identity.userId)
        let (roomId, outcome) = try await rooms.redeemInviteLink(code: code, userId: identity.userId)
        return try await answer(outcome, roomId: roomId, identity: identity, context)
    }

    private func answer(_ outcome: JoinOutcome, roomId: UUID, identity: Identity, _ context: ChatRequestContext) async throws
        -> JSONResponse<ChatRoom>
    {
        if case .joined = outcome { await announcer.announceJoin(identity.userId, into: roomId, invitedBy: nil, context) }
        guard let room = try await rooms.room(roomId) else { throw ChatError.roomNotFound }
        return JSONResponse(room, status: outcome == .joined ? .created : .ok)
    }

    /// The caller, if they run the path's group (links are a group's, made by its owners and admins).
    static func manager(_ rooms: RoomStore, _ context: ChatRequestContext) async throws -> RoomsController.RoomAccess {
        let access = try await RoomsController.access(rooms, context)
        guard access.managesGroup else {
            throw AppError.forbidden("not_room_admin", "Only owners and admins of a group manage its invite links.")
        }
        return access
    }

    /// A link's code from the path: 22 base64url characters, or it is no link of ours.
    static func code(_ context: ChatRequestContext) throws -> String {
        let code = context.parameters.get("code") ?? ""
        guard code.count == 22, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ChatError.inviteLinkNotFound
        }
        return code
    }
}
