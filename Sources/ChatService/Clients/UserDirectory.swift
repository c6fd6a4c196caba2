import Foundation
import ServiceKit
import ChatProtocol

/// Asks user-service which users exist (chat-service never reads its schema).
struct UserDirectory: Sendable {
    let baseURL: String
    let client: ServiceClient

    /// The ids among `ids` that are not real users.
    func missing(_ ids: [UUID], as identity: Identity, requestId: String) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        let answer = try await client.post(
            baseURL + "/internal/users/lookup", body: UserLookupRequest(ids: ids),
            as: UserLookupResponse.self, bearer: identity.token, requestId: requestId)
        return answer.missing
    }
}

extension UserDirectory {
    /// How the caller stands with `ids`: who has them as a contact and who has a block with them.
    func relations(_ ids: [UUID], as identity: Identity, requestId: String) async throws -> RelationsResponse {
        guard !ids.isEmpty else { return RelationsResponse(contactOf: [], blocked: []) }
        return try await client.post(
            baseURL + "/internal/users/relations", body: RelationsRequest(userIds: ids),
            as: RelationsResponse.self, bearer: identity.token, requestId: requestId)
    }

    /// Everyone with a block between them and the caller, either way.
    func blockedPeople(as identity: Identity, requestId: String) async throws -> Set<UUID> {
        Set(
            try await client.get(
                baseURL + "/internal/users/blocked", as: BlockedPeopleResponse.self, bearer: identity.token,
                requestId: requestId
            ).userIds)
    }

    /// Public profiles of `ids` (unknown ids are left out).
    func profiles(_ ids: [UUID], as identity: Identity, requestId: String) async throws -> [UUID: PublicProfile] {
        guard !ids.isEmpty else { return [:] }
        let answer = try await client.post(
            baseURL + "/internal/users/lookup", body: UserLookupRequest(ids: ids),
            as: UserLookupResponse.self, bearer: identity.token, requestId: requestId)
        return Dictionary(answer.users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
