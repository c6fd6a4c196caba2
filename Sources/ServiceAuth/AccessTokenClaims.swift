import Foundation
import JWTKit
import ServiceKit

/// The claims of a MicroChat access token. The same names Keycloak uses, so
/// one verifier reads tokens from either issuer. The registered claims are
/// jwt-kit's types, whose checks (`verifyNotExpired`, `verifyIntendedAudience`…)
/// `TokenVerifier` applies with its configured issuer, audience and leeway.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    public var sub: SubjectClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var nbf: NotBeforeClaim?
    public var jti: IDClaim?
    public var preferredUsername: String?
    public var name: String?
    public var email: String?
    /// The session (a login: user-service's refresh-token family, Keycloak's session): signing it out ends the sockets it opened.
    public var sid: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, jti, name, email, sid
        case preferredUsername = "preferred_username"
    }

    public init(
        iss: String, sub: String, aud: String, exp: Int64, iat: Int64, nbf: Int64? = nil, jti: String? = nil,
        preferredUsername: String? = nil, name: String? = nil,
        sid: String? = nil
    ) {
        self.iss = IssuerClaim(value: iss)
        self.sub = SubjectClaim(value: sub)
        self.aud = AudienceClaim(value: [aud])
        self.exp = ExpirationClaim(value: Date(timeIntervalSince1970: Double(exp)))
        self.iat = IssuedAtClaim(value: Date(timeIntervalSince1970: Double(iat)))
        self.nbf = nbf.map { NotBeforeClaim(value: Date(timeIntervalSince1970: Double($0))) }
        self.jti = jti.map { IDClaim(value: $0) }
        self.preferredUsername = preferredUsername
        self.name = name
        self.sid = sid
    }

    /// Called by jwt-kit once the signature holds. The checks that need this
    /// verifier's configuration (issuer, audience, clock, leeway) follow in
    /// `TokenVerifier.check(_:now:)`, so nothing is checked here twice.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
