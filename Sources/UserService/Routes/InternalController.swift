import Foundation
import Hummingbird
import Shared

/// Service-to-service calls that are not part of the public URL space.
struct InternalController: Sendable {
    let users: UserRepository

    func addRoutes(to group: RouterGroup<UserRequestContext>) {
        group.post("users/lookup", use: lookup)
        group.post("users/by-username", use: byUsername)
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
        return JSONResponse(UserLookupResponse(
            // For services checking who exists: no presence.
            users: found.map { $0.publicProfile(presence: false) },
            missing: body.ids.filter { !foundIds.contains($0) }
        ))
    }

    /// The users behind `@mentions`: names to public profiles (no presence); unknown names in `missing`.
    @Sendable func byUsername(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<UsernameLookupResponse> {
        _ = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: UsernameLookupRequest.self, context: context)
        guard body.usernames.count <= 100 else {
            throw AppError.badRequest("too_many_usernames", "Look up at most 100 usernames at a time.")
        }
        let found = try await users.find(usernames: Array(Set(body.usernames)))
        let foundNames = Set(found.map { $0.username.lowercased() })
        return JSONResponse(UsernameLookupResponse(
            users: found.map { $0.publicProfile(presence: false) },
            missing: body.usernames.filter { !foundNames.contains($0.lowercased()) }
        ))
    }
}
