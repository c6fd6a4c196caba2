import Foundation
import Logging
import Redis
import ServiceKit
import ChatProtocol

/// Tells the sockets of both people that a block between them was made or
/// undone (over each person's Redis channel), so each chat-service replica
/// re-reads whose presence it may pass on. Best effort: a socket that misses
/// it reads the blocks again when it reconnects.
struct RelationAnnouncements: Sendable {
    let redis: any ChannelPublisher
    let logger: Logger

    func announce(between person: UUID, and other: UUID) async {
        for (receiver, about) in [(person, other), (other, person)] {
            do {
                let payload = Array(
                    try JSONCoding.encoder.encode(ChatEvent(type: .relationsChanged, data: .user(UserEvent(userId: about)))))
                try await redis.publish(payload, to: RealtimeChannel.user(receiver))
            } catch {
                logger.warning("could not announce a changed block", metadata: ["error": "\(error)"])
            }
        }
    }
}
