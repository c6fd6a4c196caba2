import Foundation
import Logging
import Shared
import Redis

/// Tells every chat-service replica that a login was signed out (logout, or a
/// refresh token reused), over the person's Redis channel: the WebSockets
/// opened with that login's tokens close at once. Best effort — if Redis is
/// down, those sockets still end when their short-lived token expires.
struct SessionRevocations: Sendable {
    let redis: RedisClient
    let logger: Logger

    func announce(user: UUID, session: UUID) async {
        let revoked = UserEvent(userId: user, sessionId: session.uuidString.lowercased())
        do {
            let payload = Array(try JSONCoding.encoder.encode(ChatEvent(type: .sessionRevoked, data: .user(revoked))))
            try await redis.publish(payload, to: RealtimeChannel.user(user))
        } catch {
            logger.warning("could not announce a signed-out session; its sockets end when their tokens expire", metadata: ["error": "\(error)"])
        }
    }
}
