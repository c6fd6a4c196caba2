import Foundation
import JWTKit
import ServiceKit

/// A JWKS document as issuers publish it: jwt-kit's `JWK` for the key itself,
/// plus `use`, which jwt-kit does not model. A key jwt-kit cannot read (an
/// unfamiliar `kty`, say) is kept as nil rather than failing the whole set,
/// since issuers such as Keycloak publish encryption keys beside signing keys.
public struct PublishedKeySet: Codable, Sendable {
    public var keys: [PublishedKey]
    public init(keys: [PublishedKey]) { self.keys = keys }
}

public struct PublishedKey: Codable, Sendable {
    /// `sig` or `enc`; nil when the issuer does not say.
    public var use: String?
    public var jwk: JWK?

    public init(jwk: JWK, use: String? = "sig") {
        self.jwk = jwk
        self.use = use
    }

    private enum Keys: String, CodingKey { case use }

    public init(from decoder: any Decoder) throws {
        use = try decoder.container(keyedBy: Keys.self).decodeIfPresent(String.self, forKey: .use)
        jwk = try? JWK(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try jwk?.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(use, forKey: .use)
    }

    /// The JWS algorithm this key verifies, if it is a signing key of a kind
    /// MicroChat accepts: ES256 (P-256, what user-service signs with) or RS256
    /// (what Keycloak signs with by default). A key naming another `alg` is not used.
    var signingAlgorithm: String? {
        guard let jwk, use == nil || use == "sig" else { return nil }
        switch (jwk.keyType, jwk.algorithm?.rawValue) {
        case (.ecdsa, "ES256"), (.ecdsa, nil): return jwk.curve?.rawValue == "P-256" ? "ES256" : nil
        case (.rsa, "RS256"), (.rsa, nil): return "RS256"
        default: return nil
        }
    }
}
