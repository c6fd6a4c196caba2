import Foundation
import ServiceKit

/// The answer to register, login and refresh.
struct AuthResponse: Codable, Sendable {
    var user: OwnProfile
    var accessToken: String
    var refreshToken: String
    var tokenType: String
    /// Seconds until the access token expires.
    var expiresIn: Int

    init(user: OwnProfile, accessToken: String, refreshToken: String, expiresIn: Int) {
        self.user = user
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
    }
}
