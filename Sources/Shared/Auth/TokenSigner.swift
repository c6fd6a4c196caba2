import Crypto
import Foundation

/// Signs ES256 access tokens with one private key (held as its raw bytes,
/// since swift-crypto's key type is not Sendable here).
public struct TokenSigner: Sendable {
    private let privateKeyBytes: Data
    public let kid: String

    public init(key: P256.Signing.PrivateKey) {
        self.privateKeyBytes = key.rawRepresentation
        self.kid = Self.keyID(for: key.publicKey)
    }

    public var key: P256.Signing.PrivateKey {
        // The bytes came from a valid key in init; rebuilding it cannot fail.
        (try? P256.Signing.PrivateKey(rawRepresentation: privateKeyBytes)) ?? P256.Signing.PrivateKey()
    }

    /// A stable id derived from the public key (a short SHA-256 thumbprint).
    public static func keyID(for key: P256.Signing.PublicKey) -> String {
        Base64URL.encode(SHA256.hash(data: key.rawRepresentation).prefix(16))
    }

    public var jwk: JWK { JWK(p256: key.publicKey, kid: kid) }

    public func sign(_ claims: AccessTokenClaims) throws -> String {
        let header = ["alg": "ES256", "typ": "JWT", "kid": kid]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let signingInput = Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try encoder.encode(claims))
        let signature = try key.signature(for: SHA256.hash(data: Data(signingInput.utf8)))
        return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }
}
