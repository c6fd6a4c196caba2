import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

/// Service-to-service calls that are not part of the public URL space.
struct InternalController: Sendable {
    let users: any UserStoring
    let blocks: any BlockStoring

    func addRoutes(to group: RouterGroup<UserRequestContext>) {
        group.post("users/lookup", use: lookup)
        group.post("users/by-username", use: byUsername)
        group.post("users/relations", use: relations)
        group.get("users/blocked", use: blocked)
    }

    /// How the caller stands with some people: who has them as a contact, and who has a block with them either way.
    @Sendable func relations(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<RelationsResponse> {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: RelationsRequest.self, context: context)
        guard body.userIds.count <= 500 else {
            throw AppError.badRequest("too_many_ids", "Ask about at most 500 people at a time.")
        }
        let ids = Array(Set(body.userIds))
        let contactOf = try await blocks.havingAsContact(identity.userId, among: ids)
        let blocked = try await blocks.blockedEitherWay(identity.userId, among: ids)
        return JSONResponse(
            RelationsResponse(
                contactOf: contactOf.sorted { $0.uuidString < $1.uuidString },
                blocked: blocked.sorted { $0.uuidString < $1.uuidString }))
    }

    /// Everyone with a block between them and the caller, either way.
    @Sendable func blocked(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<BlockedPeopleResponse> {
        let identity = try context.requireIdentity()
        return JSONResponse(
            BlockedPeopleResponse(userIds: try await blocks.allBlockedEitherWay(identity.userId).sorted { $0.uuidString < $1.uuidString }))
    }

    /// Many ids to public profiles in one round trip; unknown ids come back in `missing`.
    @Sendable func lookup(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<UserLookupResponse> {
        _ = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: UserLookupRequest.self, context: context)
        guard body.ids.count <= 500 else {
            throw AppError.badRequest("too_many_ids", "Look up at most 500 ids at a time.")
        }
        let found = try await users.find(ids: Array(Set(body.ids)))
        let foundIds = Set(found.map(\.id))
        return JSONResponse(
            UserLookupResponse(
                // For services checking who exists: no presence.
                users: found.map { $0.publicProfile(presence: false) },
                missing: body.ids.filter { !foundIds.contains($0) }
            ))
    }

    /// The users behind `@mentions`: names to public profiles (no presence); unknown names in `missing`.
    /// Someone who blocked the caller (or whom the caller blocked) is answered as unknown: the mention does not reach them.
    @Sendable func byUsername(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<UsernameLookupResponse> {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: UsernameLookupRequest.self, context: context)
        guard body.usernames.count <= 100 else {
            throw AppError.badRequest("too_many_usernames", "Look up at most 100 usernames at a time.")
        }
        let named = try await users.find(usernames: Array(Set(body.usernames)))
        let blocked = try await blocks.blockedEitherWay(identity.userId, among: named.map(\.id))
        let found = named.filter { !blocked.contains($0.id) }
        let foundNames = Set(found.map { $0.username.lowercased() })
        return JSONResponse(
            UsernameLookupResponse(
                users: found.map { $0.publicProfile(presence: false) },
                missing: body.usernames.filter { !foundNames.contains($0.lowercased()) }
            ))
    }
}
