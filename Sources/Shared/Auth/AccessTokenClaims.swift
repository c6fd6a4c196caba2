import Foundation

/// The claims of a MicroChat access token. The same names Keycloak uses, so
/// one verifier reads tokens from either issuer.
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public var iss: String
    public var sub: String
    public var aud: Audience
    public var exp: Int64
    public var iat: Int64
    public var nbf: Int64?
    public var jti: String?
    public var preferredUsername: String?
    public var name: String?
    public var email: String?
    /// The session (a login: user-service's refresh-token family, Keycloak's session): signing it out ends the sockets it opened.
    public var sid: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, jti, name, email, sid
        case preferredUsername = "preferred_username"
    }

    public init(iss: String, sub: String, aud: String, exp: Int64, iat: Int64, nbf: Int64? = nil, jti: String? = nil, preferredUsername: String? = nil, name: String? = nil,
                sid: String? = nil) {
        self.sid = sid
        self.iss = iss
        self.sub = sub
        self.aud = Audience([aud])
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.jti = jti
        self.preferredUsername = preferredUsername
        self.name = name
    }
}

/// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
public struct Audience: Codable, Sendable, Equatable {
    public var values: [String]

    public init(_ values: [String]) { self.values = values }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            values = [single]
        } else {
            values = try container.decode([String].self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if values.count == 1 { try container.encode(values[0]) } else { try container.encode(values) }
    }
}

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
}
