import Crypto
import Foundation
import _CryptoExtras

/// One public key in a JWKS document (RFC 7517). MicroChat signs with ES256;
/// RS256 keys are accepted too because Keycloak signs with them by default.
public struct JWK: Codable, Sendable, Equatable {
    public var kty: String
    public var kid: String?
    public var use: String?
    public var alg: String?
    // EC
    public var crv: String?
    public var x: String?
    public var y: String?
    // RSA
    public var n: String?
    public var e: String?

    public init(kty: String, kid: String?, use: String?, alg: String?, crv: String? = nil, x: String? = nil, y: String? = nil, n: String? = nil, e: String? = nil) {
        self.kty = kty
        self.kid = kid
        self.use = use
        self.alg = alg
        self.crv = crv
        self.x = x
        self.y = y
        self.n = n
        self.e = e
    }

    /// The JWK for a P-256 public key.
    public init(p256 key: P256.Signing.PublicKey, kid: String) {
        let raw = key.rawRepresentation  // x ‖ y, 32 bytes each
        self.init(kty: "EC", kid: kid, use: "sig", alg: "ES256", crv: "P-256",
                  x: Base64URL.encode(raw.prefix(32)), y: Base64URL.encode(raw.suffix(32)))
    }

    /// The verification key this JWK describes, or nil for a kind MicroChat does not verify.
    func verificationKey() -> VerificationKey? {
        if kty == "EC", crv == "P-256", let x = x.flatMap(Base64URL.decode), let y = y.flatMap(Base64URL.decode),
           x.count == 32, y.count == 32, (try? P256.Signing.PublicKey(rawRepresentation: x + y)) != nil {
            return .es256(rawRepresentation: x + y)
        }
        if kty == "RSA", let n = n.flatMap(Base64URL.decode), let e = e.flatMap(Base64URL.decode),
           (try? _RSA.Signing.PublicKey(n: n, e: e)) != nil {
            return .rs256(n: n, e: e)
        }
        return nil
    }
}

public struct JWKSet: Codable, Sendable, Equatable {
    public var keys: [JWK]
    public init(keys: [JWK]) { self.keys = keys }
}

/// A public key able to check one JWS algorithm. The key is held as bytes
/// (swift-crypto's key types are not Sendable here) and checked for validity
/// when the JWKS is loaded, so rebuilding it per use cannot fail in practice.
enum VerificationKey: Sendable {
    case es256(rawRepresentation: Data)
    case rs256(n: Data, e: Data)

    var algorithm: String {
        switch self {
        case .es256: "ES256"
        case .rs256: "RS256"
        }
    }

    func isValidSignature(_ signature: Data, for message: Data) -> Bool {
        switch self {
        case let .es256(raw):
            guard let key = try? P256.Signing.PublicKey(rawRepresentation: raw),
                  let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: SHA256.hash(data: message))
        case let .rs256(n, e):
            guard let key = try? _RSA.Signing.PublicKey(n: n, e: e) else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        }
    }
}
