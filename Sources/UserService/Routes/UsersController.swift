import Foundation
import Hummingbird
import ServiceKit
import Redis
import ChatProtocol

struct UpdateProfileRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["displayName", "bio", "avatarUrl", "status", "phoneNumber"]
    var displayName: Patch<String>
    var bio: Patch<String>
    var avatarUrl: Patch<String>
    var status: Patch<String>
    var phoneNumber: Patch<String>

    enum CodingKeys: String, CodingKey { case displayName, bio, avatarUrl, status, phoneNumber }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayName = try container.decodePatch(String.self, forKey: .displayName)
        bio = try container.decodePatch(String.self, forKey: .bio)
        avatarUrl = try container.decodePatch(String.self, forKey: .avatarUrl)
        status = try container.decodePatch(String.self, forKey: .status)
        phoneNumber = try container.decodePatch(String.self, forKey: .phoneNumber)
    }
}

struct DoNotDisturbRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["until"]
    var until: String
}

struct UserSearchResponse: Codable, Sendable {
    var users: [PublicProfile]
}

/// The signed-in user's profile, other users' public profiles, and search.
struct UsersController: Sendable {
    let users: any UserStoring
    let presence: PresenceVisibility
    let announcements: ProfileAnnouncements

    func addRoutes(to group: RouterGroup<UserRequestContext>) {
        group.get("me", use: me)
        group.patch("me", use: updateMe)
        group.put("me/dnd", use: startDoNotDisturb)
        group.delete("me/dnd", use: endDoNotDisturb)
        group.get(use: search)
        group.get("{id}", use: show)
    }

    @Sendable func me(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<OwnProfile> {
        let identity = try context.requireIdentity()
        guard let user = try await users.find(id: identity.userId) else {
            throw AppError.unauthorized("unknown_user", "The account behind this token no longer exists.")
        }
        return JSONResponse(user.ownProfile)
    }

    @Sendable func updateMe(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<OwnProfile> {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: UpdateProfileRequest.self, context: context)
        var errors: [FieldError] = []
        var changes = ProfileChanges()
        switch body.displayName {
        case .absent: break
        case .clear: errors.append(FieldError(field: "displayName", code: "invalid_length", detail: "must not be empty"))
        case let .set(name):
            Validation.displayName(name, into: &errors)
            changes.displayName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        changes.bio = Self.normalized(body.bio) { Validation.text($0, field: "bio", length: Validation.bioLength, into: &errors) }
        changes.status = Self.normalized(body.status) {
            Validation.text($0, field: "status", length: Validation.statusLength, into: &errors)
        }
        changes.avatarUrl = Self.normalized(body.avatarUrl) { Validation.avatarURL($0, into: &errors) }
        changes.phoneNumber = Self.normalized(body.phoneNumber) { Validation.phoneNumber($0, into: &errors) }
        guard errors.isEmpty else { throw AppError.validation(errors) }
        let before = try await users.find(id: identity.userId)
        guard let user = try await users.update(id: identity.userId, changes: changes) else {
            throw AppError.unauthorized("unknown_user", "The account behind this token no longer exists.")
        }
        await announcements.announce(user, changedFrom: before)
        return JSONResponse(user.ownProfile)
    }

    /// The longest do-not-disturb one can ask for at once.
    static let longestDoNotDisturb: TimeInterval = 366 * 24 * 3600

    @Sendable func startDoNotDisturb(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<OwnProfile> {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: DoNotDisturbRequest.self, context: context)
        let now = Date()
        guard let until = ISO8601.parse(body.until), until > now, until.timeIntervalSince(now) <= Self.longestDoNotDisturb else {
            throw AppError.validation([
                FieldError(field: "until", code: "invalid_value", detail: "an ISO 8601 time in the future, at most a year away")
            ])
        }
        return try await setDoNotDisturb(until, identity)
    }

    @Sendable func endDoNotDisturb(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<OwnProfile> {
        try await setDoNotDisturb(nil, try context.requireIdentity())
    }

    private func setDoNotDisturb(_ until: Date?, _ identity: Identity) async throws -> JSONResponse<OwnProfile> {
        guard let user = try await users.setDoNotDisturb(id: identity.userId, until: until) else {
            throw AppError.unauthorized("unknown_user", "The account behind this token no longer exists.")
        }
        await announcements.announceToThemselves(user)
        return JSONResponse(user.ownProfile)
    }

    /// Trims a set value, treats an empty one as clearing the field, and validates the rest.
    static func normalized(_ patch: Patch<String>, validate: (String) -> Void) -> Patch<String> {
        guard case let .set(value) = patch else { return patch }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .clear }
        validate(trimmed)
        return .set(trimmed)
    }

    @Sendable func show(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<PublicProfile> {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("id", what: "user")
        guard let user = try await users.find(id: id) else {
            throw UserError.userNotFound
        }
        let seen = try await presence.presence(to: identity, among: [id], requestId: context.requestId)
        return JSONResponse(user.publicProfile(presence: seen.shown.contains(id), state: seen.states?[id]))
    }

    @Sendable func search(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<UserSearchResponse> {
        let identity = try context.requireIdentity()
        let parameters = request.uri.queryParameters
        let query = (parameters.get("search") ?? parameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty, query.count <= 64 else {
            throw AppError.badRequest("invalid_search", "Give ?search= (or ?q=) with 1 to 64 characters.")
        }
        let limitText = request.uri.queryParameters.get("limit") ?? "20"
        guard let limit = Int(limitText), (1...50).contains(limit) else {
            throw AppError.badRequest("invalid_limit", "limit must be an integer from 1 to 50.")
        }
        let found = try await users.search(prefix: query, limit: limit)
        let seen = try await presence.presence(to: identity, among: found.map(\.id), requestId: context.requestId)
        return JSONResponse(
            UserSearchResponse(users: found.map { $0.publicProfile(presence: seen.shown.contains($0.id), state: seen.states?[$0.id]) }))
    }
}
