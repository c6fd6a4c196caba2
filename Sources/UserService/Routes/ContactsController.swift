import Foundation
import Hummingbird
import ServiceKit
import Redis
import ChatProtocol

struct AddContactRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["userId", "nickname"]
    var userId: UUID
    var nickname: String?
}

struct RenameContactRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["nickname"]
    var nickname: String?

    enum CodingKeys: String, CodingKey { case nickname }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.nickname) else {
            throw DecodingError.keyNotFound(
                CodingKeys.nickname, .init(codingPath: [], debugDescription: "nickname is required (null clears it)"))
        }
        nickname = try container.decodeIfPresent(String.self, forKey: .nickname)
    }
}

struct ContactResponse: Codable, Sendable {
    var user: PublicProfile
    var nickname: String?
    var createdAt: Date

    init(_ record: ContactRecord, presence: Bool, state: PresenceRegistry.State? = nil) {
        user = record.user.publicProfile(presence: presence, state: state)
        nickname = record.nickname
        createdAt = record.createdAt
    }
}

struct ContactListResponse: Codable, Sendable {
    var contacts: [ContactResponse]
}

/// The signed-in user's contacts: list, add with a nickname, rename, remove.
struct ContactsController: Sendable {
    let contacts: any ContactStoring
    let presence: PresenceVisibility

    func addRoutes(to group: RouterGroup<UserRequestContext>) {
        group.get(use: list)
        group.post(use: add)
        group.patch("{userId}", use: rename)
        group.delete("{userId}", use: remove)
    }

    @Sendable func list(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<ContactListResponse> {
        let identity = try context.requireIdentity()
        let records = try await contacts.list(owner: identity.userId)
        let seen = try await presence.presence(to: identity, among: records.map(\.user.id), requestId: context.requestId)
        return JSONResponse(
            ContactListResponse(
                contacts: records.map {
                    ContactResponse($0, presence: seen.shown.contains($0.user.id), state: seen.states?[$0.user.id])
                }))
    }

    @Sendable func add(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<ContactResponse> {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: AddContactRequest.self, context: context)
        let nickname = try Self.nickname(body.nickname)
        guard body.userId != identity.userId else {
            throw AppError.badRequest("cannot_add_self", "You cannot add yourself as a contact.")
        }
        let record = try await contacts.add(owner: identity.userId, contact: body.userId, nickname: nickname)
        let seen = try await presence.presence(to: identity, among: [record.user.id], requestId: context.requestId)
        return JSONResponse(ContactResponse(record, presence: !seen.shown.isEmpty, state: seen.states?[record.user.id]), status: .created)
    }

    @Sendable func rename(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<ContactResponse> {
        let identity = try context.requireIdentity()
        let contactId = try Self.contactId(context)
        var request = request
        let body = try await request.decodeJSON(as: RenameContactRequest.self, context: context)
        guard let record = try await contacts.rename(owner: identity.userId, contact: contactId, nickname: try Self.nickname(body.nickname))
        else {
            throw UserError.contactNotFound
        }
        let seen = try await presence.presence(to: identity, among: [record.user.id], requestId: context.requestId)
        return JSONResponse(ContactResponse(record, presence: !seen.shown.isEmpty, state: seen.states?[record.user.id]))
    }

    @Sendable func remove(_ request: Request, context: UserRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard try await contacts.remove(owner: identity.userId, contact: try Self.contactId(context)) else {
            throw UserError.contactNotFound
        }
        return Response(status: .noContent)
    }

    static func contactId(_ context: UserRequestContext) throws -> UUID {
        try context.parameters.requireUUID("userId", what: "user")
    }

    /// A trimmed nickname, nil for none; over-long or control characters are refused.
    static func nickname(_ value: String?) throws -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        var errors: [FieldError] = []
        Validation.text(trimmed, field: "nickname", length: Validation.nicknameLength, into: &errors)
        guard errors.isEmpty else { throw AppError.validation(errors) }
        return trimmed
    }
}
