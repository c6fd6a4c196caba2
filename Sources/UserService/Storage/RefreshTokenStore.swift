import Crypto
import Foundation
import Shared

enum RefreshOutcome: Sendable {
    case rotated(userId: UUID, newToken: String)
    case invalid
    case expired
    /// A token that was already exchanged came back: someone holds a copy, so the whole family is revoked.
    case reused
}

/// Refresh tokens: random, stored only as SHA-256 hashes, rotated on every use.
/// Tokens descending from one login share a family; reusing a spent token
/// revokes the family (RFC 6819 §5.2.2.3 / OAuth 2.1 refresh token rotation).
protocol RefreshTokenStore: Sendable {
    func issue(userId: UUID, lifetime: Duration) async throws -> String
    func rotate(_ token: String, lifetime: Duration) async throws -> RefreshOutcome
    func revokeFamily(of token: String) async throws -> Bool
}

struct PostgresRefreshTokenStore: RefreshTokenStore {
    let pool: PostgresPool

    static func newToken() -> String {
        Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max) })
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func issue(userId: UUID, lifetime: Duration) async throws -> String {
        let token = Self.newToken()
        let expires = Date().addingTimeInterval(Double(lifetime.components.seconds))
        try await pool.query(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)",
            [Self.digest(token), UUID(), userId, expires]
        )
        return token
    }

    func rotate(_ token: String, lifetime: Duration) async throws -> RefreshOutcome {
        let hash = Self.digest(token)
        let next = Self.newToken()
        let expires = Date().addingTimeInterval(Double(lifetime.components.seconds))
        return try await pool.transaction { connection in
            guard let row = try connection.query("""
                SELECT family_id, user_id, used_at, revoked_at, expires_at < now() AS expired
                FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE
                """, [hash]).first else { return .invalid }
            let family: UUID = try row.decode("family_id")
            if try row.decode("revoked_at", as: Date?.self) != nil { return .invalid }
            if try row.decode("used_at", as: Date?.self) != nil {
                try connection.query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL", [family])
                return .reused
            }
            if try row.decode("expired", as: Bool.self) { return .expired }
            let userId: UUID = try row.decode("user_id")
            try connection.query("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", [hash])
            try connection.query(
                "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)",
                [Self.digest(next), family, userId, expires]
            )
            return .rotated(userId: userId, newToken: next)
        }
    }

    func revokeFamily(of token: String) async throws -> Bool {
        try await pool.query("""
            UPDATE refresh_tokens SET revoked_at = now()
            WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL
            """, [Self.digest(token)]).affectedRows > 0
    }
}
