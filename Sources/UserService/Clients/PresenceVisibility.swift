import Foundation
import Logging
import ServiceKit
import Redis
import ChatProtocol

/// Who shares a live room with whom: chat-service's to say.
protocol RoomSharing: Sendable {
    /// Those among `others` who share a room with `viewer` (as members).
    func sharingARoom(with viewer: Identity, among others: [UUID], requestId: String) async throws -> Set<UUID>
}

/// chat-service's answer, over its internal API with the caller's token.
struct ChatServiceRoomSharing: RoomSharing {
    let chatServiceURL: String
    let client: ServiceClient

    func sharingARoom(with viewer: Identity, among others: [UUID], requestId: String) async throws -> Set<UUID> {
        let answer = try await client.post(
            chatServiceURL + "/internal/rooms/shared", body: SharedRoomsRequest(userIds: others),
            as: SharedRoomsResponse.self, bearer: viewer.token, requestId: requestId)
        return Set(answer.userIds).intersection(others)
    }
}

/// Who may see whose presence (`online`, `lastSeenAt`): the person themself,
/// people they have as contacts, and people they share a live room with (as
/// members: an invitation not yet accepted shares nothing) — never two people
/// with a block between them, whichever of them made it. The
/// contacts are this service's; the rooms are chat-service's (`RoomSharing`).
/// If chat-service does not answer, only contacts count: presence is withheld
/// rather than leaked.
struct PresenceVisibility: Sendable {
    let blocks: any BlockStoring
    /// Who has a socket open (chat-service writes it, this service reads it).
    let registry: any PresenceStateSource
    let rooms: any RoomSharing
    let logger: Logger

    /// What `viewer` may see of the presence of each of `ids`: `shown` are the ids whose
    /// presence they may see, and `states` what the registry says of them (nil when Redis
    /// does not answer: callers then fall back on API activity).
    func presence(to viewer: Identity, among ids: [UUID], requestId: String) async throws -> (
        shown: Set<UUID>, states: [UUID: PresenceRegistry.State]?
    ) {
        let shown = try await visible(to: viewer, among: ids, requestId: requestId)
        guard !shown.isEmpty else { return (shown, [:]) }
        do {
            return (shown, try await registry.states(of: Array(shown), now: Date()))
        } catch {
            logger.warning("cannot read presence from Redis; falling back on recent API activity", metadata: ["error": "\(error)"])
            return (shown, nil)
        }
    }

    /// The ids among `ids` whose presence `viewer` may see.
    func visible(to viewer: Identity, among ids: [UUID], requestId: String) async throws -> Set<UUID> {
        var shown: Set<UUID> = ids.contains(viewer.userId) ? [viewer.userId] : []
        let asked = Set(ids).subtracting(shown)
        guard !asked.isEmpty else { return shown }
        let others = Array(asked.subtracting(try await blocks.blockedEitherWay(viewer.userId, among: Array(asked))))
        guard !others.isEmpty else { return shown }
        shown.formUnion(try await blocks.havingAsContact(viewer.userId, among: others))
        let unknown = Array(Set(others).subtracting(shown))
        guard !unknown.isEmpty else { return shown }
        do {
            shown.formUnion(try await rooms.sharingARoom(with: viewer, among: unknown, requestId: requestId))
        } catch {
            logger.warning("chat-service did not say who shares a room; presence shown to contacts only", metadata: ["error": "\(error)"])
        }
        return shown
    }
}
