import Foundation
import Shared

/// Mints access tokens and refresh tokens for a signed-in user.
struct TokenIssuer: Sendable {
    let signer: TokenSigner
    let issuerURL: String
    let audience: String
    let accessTokenLifetime: Duration
    let refreshTokenLifetime: Duration
    let refreshTokens: any RefreshTokenStore

    func accessToken(for user: UserRecord, now: Date = Date()) throws -> String {
        let issued = Int64(now.timeIntervalSince1970)
        return try signer.sign(AccessTokenClaims(
            iss: issuerURL, sub: user.id.uuidString, aud: audience,
            exp: issued + accessTokenLifetime.components.seconds, iat: issued, nbf: issued,
            jti: UUID().uuidString.lowercased(), preferredUsername: user.username, name: user.displayName
        ))
    }

    /// A new login: a new refresh token family.
    func session(for user: UserRecord) async throws -> AuthResponse {
        let refresh = try await refreshTokens.issue(userId: user.id, lifetime: refreshTokenLifetime)
        return try session(for: user, refreshToken: refresh)
    }

    func session(for user: UserRecord, refreshToken: String) throws -> AuthResponse {
        AuthResponse(user: user.ownProfile, accessToken: try accessToken(for: user), refreshToken: refreshToken,
                     expiresIn: Int(accessTokenLifetime.components.seconds))
    }
}
