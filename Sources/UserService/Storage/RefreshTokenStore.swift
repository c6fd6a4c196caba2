import Crypto
import Foundation
import ServiceKit
import Postgres

enum RefreshOutcome: Sendable {
    case rotated(userId: UUID, newToken: String, family: UUID)
    case invalid
    case expired
    /// A token that was already exchanged came back: someone holds a copy, so the whole family is revoked.
    case reused(userId: UUID, family: UUID)
}

/// Refresh tokens: random, stored only as SHA-256 hashes, rotated on every use.
/// Tokens descending from one login share a family; reusing a spent token
/// revokes the family (RFC 6819 §5.2.2.3 / OAuth 2.1 refresh token rotation).
struct RefreshTokenStore: Sendable {
    let pool: PostgresPool

    static func newToken() -> String {
        Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max) })
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Signs out every login of `userId` but `kept` (the caller's own): revokes their refresh
    /// tokens and answers the families (session ids) that were still live.
    /// Each family is locked first, as a rotation locks it, so a refresh racing this cannot
    /// leave a new token of a signed-out login behind.
    func revokeAll(of userId: UUID, except kept: UUID?) async throws -> [UUID] {
        try await pool.transaction { connection in
            let families = try connection.query(
                "SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1 AND ($2::uuid IS NULL OR family_id <> $2)",
                [userId, kept]
            ).map { try $0.decode("family_id", as: UUID.self) }
            for family in families.sorted(by: { $0.uuidString < $1.uuidString }) { try Self.lockFamily(family, connection) }
            let rows = try connection.query(
                """
                UPDATE refresh_tokens SET revoked_at = now()
                WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND ($2::uuid IS NULL OR family_id <> $2)
                RETURNING family_id
                """, [userId, kept])
            return Array(Set(try rows.map { try $0.decode("family_id", as: UUID.self) }))
        }
    }

    func issue(userId: UUID, lifetime: Duration) async throws -> (token: String, family: UUID) {
        let token = Self.newToken()
        let family = UUID()
        let expires = Date().addingTimeInterval(Double(lifetime.components.seconds))
        try await pool.query(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)",
            [Self.digest(token), family, userId, expires]
        )
        return (token, family)
    }

    func rotate(_ token: String, lifetime: Duration, familyLifetime: Duration) async throws -> RefreshOutcome {
        let hash = Self.digest(token)
        let next = Self.newToken()
        return try await pool.transaction { connection in
            // One family at a time: a logout (or a reuse) revoking it and a rotation adding to it
            // are serialised, so no token a rotation makes can slip past the revocation.
            guard let owner = try connection.query("SELECT family_id FROM refresh_tokens WHERE token_hash = $1", [hash]).first else {
                return .invalid
            }
            try Self.lockFamily(try owner.decode("family_id", as: UUID.self), connection)
            guard
                let row = try connection.query(
                    """
                    SELECT t.family_id, t.user_id, t.used_at, t.revoked_at, t.expires_at < now() AS expired,
                           (SELECT min(f.created_at) FROM refresh_tokens f WHERE f.family_id = t.family_id) AS family_started
                    FROM refresh_tokens t WHERE t.token_hash = $1 FOR UPDATE
                    """, [hash]
                ).first
            else { return .invalid }
            let family: UUID = try row.decode("family_id")
            if try row.decode("revoked_at", as: Date?.self) != nil { return .invalid }
            if try row.decode("used_at", as: Date?.self) != nil {
                try connection.query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL", [family])
                return .reused(userId: try row.decode("user_id"), family: family)
            }
            if try row.decode("expired", as: Bool.self) { return .expired }
            let familyEnds = try row.decode("family_started", as: Date.self).addingTimeInterval(Double(familyLifetime.components.seconds))
            guard familyEnds > Date() else {
                try connection.query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL", [family])
                return .expired
            }
            let expires = min(Date().addingTimeInterval(Double(lifetime.components.seconds)), familyEnds)
            let userId: UUID = try row.decode("user_id")
            try connection.query("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", [hash])
            try connection.query(
                "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)",
                [Self.digest(next), family, userId, expires]
            )
            return .rotated(userId: userId, newToken: next, family: family)
        }
    }

    func revokeFamily(of token: String) async throws -> (userId: UUID, family: UUID)? {
        try await pool.transaction { connection in
            guard let owner = try connection.query("SELECT family_id FROM refresh_tokens WHERE token_hash = $1", [Self.digest(token)]).first
            else {
                return nil
            }
            let family: UUID = try owner.decode("family_id")
            try Self.lockFamily(family, connection)
            guard
                let row = try connection.query(
                    """
                    UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL RETURNING user_id, family_id
                    """, [family]
                ).first
            else { return nil }
            return (try row.decode("user_id", as: UUID.self), try row.decode("family_id", as: UUID.self))
        }
    }

    /// Holds the family's lock until the transaction ends (taken before any of its rows).
    static func lockFamily(_ family: UUID, _ connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", [family.uuidString.lowercased()])
    }
}
