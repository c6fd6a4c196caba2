import Foundation

/// Who is calling, once their access token has been verified.
public struct Identity: Sendable, Equatable {
    public var userId: UUID
    public var username: String?
    /// The `name` and `email` claims, when the issuer puts them in access tokens (Keycloak does).
    public var displayName: String?
    public var email: String?
    public var expiresAt: Date
    /// The token's `sid`: the sign-in session it belongs to, when the issuer says.
    public var sessionId: String? = nil
    /// The raw bearer token, so a service can call another on the user's behalf.
    public var token: String

    public init(
        userId: UUID, username: String?, displayName: String? = nil, email: String? = nil, expiresAt: Date, sessionId: String? = nil,
        token: String
    ) {
        self.userId = userId
        self.username = username
        self.displayName = displayName
        self.email = email
        self.expiresAt = expiresAt
        self.sessionId = sessionId
        self.token = token
    }
}
