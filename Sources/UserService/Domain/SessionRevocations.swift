import Foundation
import Logging
import ServiceKit
import Redis
import ChatProtocol

/// Ends a login everywhere (logout, or a refresh token reused): its session id
/// goes on the revoked list every service's verifier reads, for as long as an
/// access token of that login can still be valid, so REST calls, new sockets
/// and the socket `auth` command refuse its tokens at once; and every
/// chat-service replica hears it over the person's Redis channel and closes
/// the sockets that login opened.
struct SessionRevocations: Sendable {
    let redis: RedisClient
    let list: RevokedSessions
    /// The access tokens' lifetime: how long a revoked session must stay listed.
    let tokenLifetime: Duration
    let logger: Logger

    /// Beyond the lifetime: the verifiers' clock leeway, and a little more.
    static let margin = 60

    /// Ends every socket of the person, whatever login opened it (their account is gone).
    func announceAll(user: UUID) async {
        await publish(UserEvent(userId: user), failure: "could not close a deleted account's sockets; they end when their tokens expire")
    }

    func announce(user: UUID, session: UUID) async {
        let sid = session.uuidString.lowercased()
        do {
            try await list.revoke(session: sid, forSeconds: Int(tokenLifetime.components.seconds) + Self.margin)
        } catch {
            logger.error("could not list a signed-out session; its access tokens work until they expire", metadata: ["error": "\(error)"])
        }
        await publish(
            UserEvent(userId: user, sessionId: sid),
            failure: "could not announce a signed-out session; its sockets end when their tokens expire")
    }

    /// `session.revoked` on the person's channel (no session id: all their sockets end); a failure is logged.
    private func publish(_ revoked: UserEvent, failure: Logger.Message) async {
        do {
            let payload = Array(try JSONCoding.encoder.encode(ChatEvent(type: .sessionRevoked, data: .user(revoked))))
            try await redis.publish(payload, to: RealtimeChannel.user(revoked.userId))
        } catch {
            logger.warning(failure, metadata: ["error": "\(error)"])
        }
    }
}
