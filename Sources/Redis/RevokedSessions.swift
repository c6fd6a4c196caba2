import Logging
import ServiceKit
import ServiceAuth

/// Signed-out sessions, kept in Redis for as long as an access token of theirs
/// can still be valid: one key per session id with that lifetime as its expiry,
/// so the list empties itself. user-service writes it (logout, a reused
/// refresh token); every service's verifier reads it on each request, socket
/// handshake and socket `auth`.
///
/// If Redis cannot answer, the check lets the token through and says so in the
/// log: the session's refresh tokens are revoked in PostgreSQL regardless, so
/// what remains is at most one access-token lifetime — the same bound as
/// before this list existed.
public struct RevokedSessions: SessionRevocationList {
    let redis: RedisClient
    let logger: Logger

    public init(redis: RedisClient, logger: Logger) {
        self.redis = redis
        self.logger = logger
    }

    static func key(_ session: String) -> String { "microchat:revoked-session:" + session }

    /// Records `session` as ended for `seconds` (at least one).
    public func revoke(session: String, forSeconds seconds: Int) async throws {
        let reply = try await redis.command(["SET", Self.key(session), "1", "EX", String(max(1, seconds))])
        if case let .error(message) = reply { throw RedisError(kind: .server, message: message) }
    }

    public func isRevoked(session: String) async -> Bool {
        do {
            switch try await redis.command(["EXISTS", Self.key(session)]) {
            case let .integer(count): return count > 0
            case let .error(message): throw RedisError(kind: .server, message: message)
            default: return false
            }
        } catch {
            logger.warning("cannot read the signed-out sessions; accepting the token until it expires", metadata: ["error": "\(error)"])
            return false
        }
    }
}
