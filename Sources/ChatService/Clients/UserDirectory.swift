import Foundation
import Shared

/// Asks user-service which users exist (chat-service never reads its schema).
struct UserDirectory: Sendable {
    let baseURL: String
    let client: ServiceClient

    /// The ids among `ids` that are not real users.
    func missing(_ ids: [UUID], as identity: Identity, requestId: String) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        let answer = try await client.post(baseURL + "/internal/users/lookup", body: UserLookupRequest(ids: ids),
                                           as: UserLookupResponse.self, bearer: identity.token, requestId: requestId)
        return answer.missing
    }
}
