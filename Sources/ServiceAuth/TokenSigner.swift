import Crypto
import Foundation
import JWTKit
import ServiceKit

/// Signs ES256 access tokens with one private key, through jwt-kit.
public struct TokenSigner: Sendable {
    public let kid: String
    public let jwk: JWK
    private let keys: JWTKeyCollection

    /// Numeric dates as whole seconds, as issuers conventionally write them.
    private static let serializer: DefaultJWTSerializer = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .integerSecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return DefaultJWTSerializer(jsonEncoder: encoder)
    }()

    public init(key: P256.Signing.PrivateKey) async throws {
        kid = Self.keyID(for: key.publicKey)
        jwk = try Self.publicJWK(for: key.publicKey)
        keys = JWTKeyCollection(defaultJWTSerializer: Self.serializer)
        await keys.add(ecdsa: try ES256PrivateKey(backing: key), kid: JWKIdentifier(string: kid))
    }

    /// The public half as a JWK (`kid` = `keyID(for:)`), as the JWKS publishes it.
    public static func publicJWK(for key: P256.Signing.PublicKey) throws -> JWK {
        guard let parameters = try ES256PublicKey(backing: key).parameters else {
            throw JWTError.invalidJWK(reason: "a P-256 key without coordinates")
        }
        return JWK.ecdsa(.es256, identifier: JWKIdentifier(string: keyID(for: key)), x: parameters.x, y: parameters.y, curve: .p256)
    }

    /// A stable id derived from the public key (a short SHA-256 thumbprint).
    public static func keyID(for key: P256.Signing.PublicKey) -> String {
        Base64URL.encode(SHA256.hash(data: key.rawRepresentation).prefix(16))
    }

    public func sign(_ claims: AccessTokenClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }
}
