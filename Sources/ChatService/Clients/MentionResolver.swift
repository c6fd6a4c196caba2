import Foundation
import Logging
import ServiceKit
import Synchronization
import ChatProtocol

/// Turns the `@username`s of a message into user ids, asking user-service
/// (which owns usernames) for the ones it has not seen. Usernames never change
/// hands, so a found name is remembered (up to `capacity`); an unknown one is
/// asked again next time, since someone may take it meanwhile.
final class MentionResolver: Sendable {
    let baseURL: String
    let client: ServiceClient
    let logger: Logger
    let capacity: Int
    private let known = Mutex<[String: UUID]>([:])

    init(baseURL: String, client: ServiceClient, logger: Logger, capacity: Int = 50_000) {
        self.baseURL = baseURL
        self.client = client
        self.logger = logger
        self.capacity = capacity
    }

    /// The ids of the people the text mentions (whether they are in the room is
    /// checked where the message is stored). If user-service cannot answer, the
    /// names it has not seen are left out: the message is sent all the same.
    func userIds(mentionedIn text: String, as identity: Identity, requestId: String) async -> [UUID] {
        let names = MentionSyntax.usernames(in: text)
        guard !names.isEmpty else { return [] }
        var ids: [UUID] = []
        let unknown: [String] = known.withLock { cache in
            names.filter { name in
                if let id = cache[name] { ids.append(id); return false }
                return true
            }
        }
        if !unknown.isEmpty {
            ids += await resolve(unknown, as: identity, requestId: requestId)
        }
        return await withoutBlocks(ids, as: identity, requestId: requestId)
    }

    /// Asks user-service for names not seen yet (and remembers them).
    private func resolve(_ unknown: [String], as identity: Identity, requestId: String) async -> [UUID] {
        do {
            let answer = try await client.post(
                baseURL + "/internal/users/by-username", body: UsernameLookupRequest(usernames: unknown),
                as: UsernameLookupResponse.self, bearer: identity.token, requestId: requestId)
            known.withLock { cache in
                if cache.count + answer.users.count > capacity { cache.removeAll(keepingCapacity: true) }
                for user in answer.users { cache[user.username.lowercased()] = user.id }
            }
            return answer.users.map(\.id)
        } catch {
            logger.warning(
                "could not resolve mentions; sending without them", metadata: ["names": "\(unknown.count)", "error": "\(error)"])
            return []
        }
    }

    /// Leaves out people with a block between them and the sender: a blocked person's mention
    /// does not reach the blocker. Asked every time (blocks change; names do not). If
    /// user-service cannot say, no mention is made at all rather than one across a block.
    private func withoutBlocks(_ ids: [UUID], as identity: Identity, requestId: String) async -> [UUID] {
        let others = Array(Set(ids).subtracting([identity.userId]))
        guard !others.isEmpty else { return ids }
        do {
            let relations = try await client.post(
                baseURL + "/internal/users/relations", body: RelationsRequest(userIds: others),
                as: RelationsResponse.self, bearer: identity.token, requestId: requestId)
            let blocked = Set(relations.blocked)
            return ids.filter { !blocked.contains($0) }
        } catch {
            logger.warning("could not check blocks for mentions; sending without them", metadata: ["error": "\(error)"])
            return ids.filter { $0 == identity.userId }
        }
    }
}
