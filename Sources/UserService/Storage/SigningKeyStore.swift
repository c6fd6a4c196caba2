import Crypto
import Foundation
import ServiceKit
import Postgres
import ServiceAuth

/// The ES256 keys user-service signs with, kept in its own schema so every
/// replica signs with the same key and publishes the same JWKS. The newest
/// unretired key signs; older ones stay published until retired, so tokens
/// signed before a rotation keep verifying until they expire.
struct SigningKeyStore: Sendable, KeySetSource {
    let pool: PostgresPool

    /// The current signer, creating the first key (or a fresh one after `rotateAfter`) if needed.
    /// Replicas starting together agree on one key through an advisory lock.
    func currentSigner(rotateAfter: Duration) async throws -> TokenSigner {
        let maxAge = Double(rotateAfter.components.seconds)
        let pem = try await pool.withConnection { connection -> String in
            try connection.transaction { connection in
                try connection.query("SELECT pg_advisory_xact_lock(hashtext('microchat.signing_keys'))")
                // A key stops signing once it is older than the rotation age; one more rotation
                // period later no token it signed can still be alive, so it leaves the JWKS.
                try connection.query(
                    """
                    UPDATE signing_keys SET retired_at = now()
                    WHERE retired_at IS NULL AND created_at < now() - make_interval(secs => $1)
                    """, [maxAge * 2])
                if let row = try connection.query(
                    """
                    SELECT private_key_pem FROM signing_keys
                    WHERE retired_at IS NULL AND created_at > now() - make_interval(secs => $1)
                    ORDER BY created_at DESC LIMIT 1
                    """, [maxAge]
                ).first {
                    return try row.decode("private_key_pem")
                }
                let key = P256.Signing.PrivateKey()
                try connection.query(
                    "INSERT INTO signing_keys (kid, private_key_pem) VALUES ($1, $2)",
                    [TokenSigner.keyID(for: key.publicKey), key.pemRepresentation])
                return key.pemRepresentation
            }
        }
        return try await TokenSigner(key: try P256.Signing.PrivateKey(pemRepresentation: pem))
    }

    /// Every key that may still have signed a live token, as a JWKS.
    func fetchKeySet() async throws -> PublishedKeySet {
        let rows = try await pool.query("SELECT private_key_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC")
        return PublishedKeySet(
            keys: try rows.map { row in
                let key = try P256.Signing.PrivateKey(pemRepresentation: try row.decode("private_key_pem", as: String.self))
                return PublishedKey(jwk: try TokenSigner.publicJWK(for: key.publicKey))
            })
    }
}
