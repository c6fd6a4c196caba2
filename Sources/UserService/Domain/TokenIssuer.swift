import Foundation
import ServiceKit
import ServiceAuth

/// Mints access tokens and refresh tokens for a signed-in user.
struct TokenIssuer: Sendable {
    let signer: TokenSigner
    let issuerURL: String
    let audience: String
    let accessTokenLifetime: Duration
    let refreshTokenLifetime: Duration
    /// The longest a login lasts, however often its refresh token is rotated.
    let refreshFamilyLifetime: Duration
    let refreshTokens: RefreshTokenStore

    /// An access token whose `sid` is the login's refresh-token family.
    func accessToken(for user: UserRecord, family: UUID, now: Date = Date()) async throws -> String {
        let issued = Int64(now.timeIntervalSince1970)
        return try await signer.sign(
            AccessTokenClaims(
                iss: issuerURL, sub: user.id.uuidString, aud: audience,
                exp: issued + accessTokenLifetime.components.seconds, iat: issued, nbf: issued,
                jti: UUID().uuidString.lowercased(), preferredUsername: user.username, name: user.displayName,
                sid: family.uuidString.lowercased()
            ))
    }

    /// A new login: a new refresh token family.
    func session(for user: UserRecord) async throws -> AuthResponse {
        let (refresh, family) = try await refreshTokens.issue(userId: user.id, lifetime: refreshTokenLifetime)
        return try await session(for: user, refreshToken: refresh, family: family)
    }

    func session(for user: UserRecord, refreshToken: String, family: UUID) async throws -> AuthResponse {
        AuthResponse(
            user: user.ownProfile, accessToken: try await accessToken(for: user, family: family), refreshToken: refreshToken,
            expiresIn: Int(accessTokenLifetime.components.seconds))
    }
}
