import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

struct BlockResponse: Codable, Sendable {
    var user: PublicProfile
    var createdAt: Date

    init(_ record: BlockRecord) {
        // Blocking someone hides their presence: the list never shows it.
        user = record.user.publicProfile(presence: false)
        createdAt = record.createdAt
    }
}

struct BlockListResponse: Codable, Sendable {
    var blocks: [BlockResponse]
}

/// `/api/users/me/blocks`: the people the caller blocked. A block works both
/// ways: neither person can start a direct room with the other or add them to
/// a group (403 `blocked`), neither sees the other's presence, and the blocked
/// person's @mentions do not reach the blocker. Rooms they already share stay.
struct BlocksController: Sendable {
    let blocks: any BlockStoring
    let announcements: RelationAnnouncements

    func addRoutes(to group: RouterGroup<UserRequestContext>) {
        group.get("me/blocks", use: list)
        group.put("me/blocks/{userId}", use: block)
        group.delete("me/blocks/{userId}", use: unblock)
    }

    @Sendable func list(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<BlockListResponse> {
        let identity = try context.requireIdentity()
        return JSONResponse(BlockListResponse(blocks: try await blocks.list(owner: identity.userId).map(BlockResponse.init)))
    }

    @Sendable func block(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<BlockResponse> {
        let identity = try context.requireIdentity()
        let target = try context.parameters.requireUUID("userId", what: "user")
        guard target != identity.userId else {
            throw AppError.badRequest("cannot_block_self", "You cannot block yourself.")
        }
        let (record, created) = try await blocks.add(owner: identity.userId, target: target)
        if created { await announcements.announce(between: identity.userId, and: target) }
        return JSONResponse(BlockResponse(record), status: created ? .created : .ok)
    }

    @Sendable func unblock(_ request: Request, context: UserRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let target = try context.parameters.requireUUID("userId", what: "user")
        guard try await blocks.remove(owner: identity.userId, target: target) else {
            throw AppError.notFound("block_not_found", "You have not blocked that user.")
        }
        await announcements.announce(between: identity.userId, and: target)
        return Response(status: .noContent)
    }
}
