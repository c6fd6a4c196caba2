import Crypto
import _CryptoExtras
import Foundation
import Logging
import JWTKit
import Synchronization
import Testing
@testable import ServiceKit
@testable import ServiceAuth

/// An in-memory key set whose keys a test can rotate, standing in for an issuer's JWKS endpoint.
final class RotatingKeys: KeySetSource {
    let keys: Mutex<[TokenSigner]>
    let fetches = Atomic<Int>(0)
    init(_ signers: [TokenSigner]) { keys = Mutex(signers) }
    func fetchKeySet() async throws -> PublishedKeySet {
        fetches.add(1, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(30))  // a network round trip, so callers overlap
        return PublishedKeySet(keys: keys.withLock { $0.map { PublishedKey(jwk: $0.jwk) } })
    }
}

/// Signed-out sessions held in memory, standing in for the Redis list.
final class RevokedList: SessionRevocationList {
    let revoked = Mutex<Set<String>>([])
    func isRevoked(session: String) async -> Bool { revoked.withLock { $0.contains(session) } }
}

@Suite("Access token verification")
struct TokenVerifierTests {
    let issuer = "http://issuer.test"
    let now = Date()

    func claims(sub: String = UUID().uuidString, iss: String? = nil, aud: String = "microchat", expiresIn: Int64 = 300) -> AccessTokenClaims
    {
        let issued = Int64(now.timeIntervalSince1970)
        return AccessTokenClaims(iss: iss ?? issuer, sub: sub, aud: aud, exp: issued + expiresIn, iat: issued, preferredUsername: "ada")
    }

    func verifier(_ source: RotatingKeys) -> TokenVerifier {
        TokenVerifier(
            configuration: .init(issuer: issuer, audience: "microchat", minimumRefetchInterval: .zero), source: source,
            logger: quietLogger)
    }

    func code(of body: () async throws -> Identity) async -> String? {
        do {
            _ = try await body()
            return nil
        } catch let error as AppError {
            #expect(error.status == .unauthorized)
            return error.code
        } catch {
            return "\(error)"
        }
    }

    @Test("a good token yields the caller's identity")
    func valid() async throws {
        let signer = try await TokenSigner(key: .init())
        let id = UUID()
        let identity = try await verifier(RotatingKeys([signer])).verify(try await signer.sign(claims(sub: id.uuidString)))
        #expect(identity.userId == id)
        #expect(identity.username == "ada")
    }

    @Test("a token whose session was signed out is refused at once, even one verified (and remembered) before")
    func signedOutSession() async throws {
        let signer = try await TokenSigner(key: .init())
        let list = RevokedList()
        let verifier = TokenVerifier(
            configuration: .init(issuer: issuer, audience: "microchat"), source: RotatingKeys([signer]),
            revocations: list, logger: quietLogger)
        var ended = claims()
        ended.sid = "session-a"
        var other = claims()
        other.sid = "session-b"
        let endedToken = try await signer.sign(ended), otherToken = try await signer.sign(other)
        #expect(try await verifier.verify(endedToken).sessionId == "session-a")
        list.revoked.withLock { _ = $0.insert("session-a") }
        #expect(await code { try await verifier.verify(endedToken) } == "session_revoked")
        #expect(try await verifier.verify(otherToken).sessionId == "session-b")
        // A token without a session id is not affected by the list.
        #expect(try await verifier.verify(try await signer.sign(claims())).sessionId == nil)
    }

    @Test("expired, wrong issuer, wrong audience, forged and malformed tokens are refused")
    func refusals() async throws {
        let signer = try await TokenSigner(key: .init())
        let verifier = verifier(RotatingKeys([signer]))
        #expect(await code { try await verifier.verify(try await signer.sign(claims(expiresIn: -3600))) } == "token_expired")
        #expect(await code { try await verifier.verify(try await signer.sign(claims(iss: "http://evil.test"))) } == "invalid_token")
        #expect(await code { try await verifier.verify(try await signer.sign(claims(aud: "someone-else"))) } == "invalid_token")
        #expect(await code { try await verifier.verify(try await signer.sign(claims(sub: "not-a-uuid"))) } == "invalid_token")
        #expect(await code { try await verifier.verify("abc") } == "invalid_token")
        #expect(await code { try await verifier.verify("a.b.c") } == "invalid_token")

        // Same kid, different key: a forgery.
        let forger = try await TokenSigner(key: .init())
        let forged = try await forger.sign(claims())
        let parts = forged.split(separator: ".")
        let header = Base64URL.encode(Data(#"{"alg":"ES256","kid":"\#(signer.kid)","typ":"JWT"}"#.utf8))
        let tampered = header + "." + parts[1] + "." + parts[2]
        #expect(await code { try await verifier.verify(tampered) } == "invalid_token")

        // A genuine token whose claims were edited after signing.
        let genuine = try await signer.sign(claims()).split(separator: ".")
        var edited = claims()
        edited.sub = SubjectClaim(value: UUID().uuidString)
        let editedPayload = Base64URL.encode(try JSONEncoder().encode(edited))
        #expect(await code { try await verifier.verify(genuine[0] + "." + editedPayload + "." + genuine[2]) } == "invalid_token")

        // alg=none is never accepted.
        let none = Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + editedPayload + "."
        #expect(await code { try await verifier.verify(none) } == "invalid_token")
    }

    @Test("a token signed with a rotated-in key makes the verifier refetch the JWKS")
    func keyRotation() async throws {
        let first = try await TokenSigner(key: .init())
        let source = RotatingKeys([first])
        let verifier = verifier(source)
        _ = try await verifier.verify(try await first.sign(claims()))
        #expect(source.fetches.load(ordering: .relaxed) == 1)
        _ = try await verifier.verify(try await first.sign(claims()))
        #expect(source.fetches.load(ordering: .relaxed) == 1)  // cached

        let second = try await TokenSigner(key: .init())
        source.keys.withLock { $0.append(second) }
        let identity = try await verifier.verify(try await second.sign(claims(sub: UUID().uuidString)))
        #expect(identity.username == "ada")
        #expect(source.fetches.load(ordering: .relaxed) == 2)
    }

    @Test("many first requests at once share one key fetch and all succeed")
    func concurrentFirstUse() async throws {
        let signer = try await TokenSigner(key: .init())
        let source = RotatingKeys([signer])
        let limited = TokenVerifier(
            configuration: .init(issuer: issuer, audience: "microchat", minimumRefetchInterval: .seconds(60)),
            source: source, logger: quietLogger)
        var tokens: [String] = []
        for _ in 0..<20 { tokens.append(try await signer.sign(claims())) }
        let verified = try await withThrowingTaskGroup(of: Identity.self) { group in
            for token in tokens { group.addTask { try await limited.verify(token) } }
            var count = 0
            for try await _ in group { count += 1 }
            return count
        }
        #expect(verified == 20)
        #expect(source.fetches.load(ordering: .relaxed) == 1)
    }

    @Test("unknown kids cannot make the verifier hammer the issuer")
    func refetchIsRateLimited() async throws {
        let known = try await TokenSigner(key: .init())
        let source = RotatingKeys([known])
        let limited = TokenVerifier(
            configuration: .init(issuer: issuer, audience: "microchat", minimumRefetchInterval: .seconds(60)),
            source: source, logger: quietLogger)
        let stranger = try await TokenSigner(key: .init())
        for _ in 0..<5 {
            #expect(await code { try await limited.verify(try await stranger.sign(claims())) } == "invalid_token")
        }
        #expect(source.fetches.load(ordering: .relaxed) == 1)
    }

    @Test("a verified token is remembered only until it expires, and the memory is bounded")
    func verifiedTokenCache() async throws {
        let signer = try await TokenSigner(key: .init())
        let source = RotatingKeys([signer])
        let verifier = TokenVerifier(
            configuration: .init(
                issuer: issuer, audience: "microchat", leeway: .seconds(30),
                minimumRefetchInterval: .zero, verifiedTokenCacheSize: 4),
            source: source, logger: quietLogger)
        let token = try await signer.sign(claims(expiresIn: 60))
        _ = try await verifier.verify(token, now: now)
        #expect(verifier.verified.count == 1)
        // Answered from memory, even once the issuer no longer publishes the key...
        source.keys.withLock { $0 = [] }
        #expect(try await verifier.verify(token, now: now.addingTimeInterval(30)).username == "ada")
        // ...but never past its expiry (plus the leeway): then it is refused as expired.
        #expect(await code { try await verifier.verify(token, now: now.addingTimeInterval(91)) } == "token_expired")
        #expect(verifier.verified.count == 0)
        // One changed byte is a different token: verified afresh, and refused.
        source.keys.withLock { $0 = [signer] }
        _ = try await verifier.verify(token, now: now)
        // (A character in the middle of the signature: the last one may only carry padding bits.)
        var characters = Array(token)
        let middle = characters.count - 20
        characters[middle] = characters[middle] == "A" ? "B" : "A"
        let tampered = String(characters)
        #expect(await code { try await verifier.verify(tampered, now: now) } == "invalid_token")
        // Bounded: many distinct tokens never hold more than the capacity.
        for _ in 0..<20 { _ = try await verifier.verify(try await signer.sign(claims(sub: UUID().uuidString)), now: now) }
        #expect(verifier.verified.count <= 4)
    }

    /// A fixed key set, as an issuer such as Keycloak publishes it.
    struct FixedKeys: KeySetSource {
        let set: PublishedKeySet
        func fetchKeySet() async throws -> PublishedKeySet { set }
    }

    @Test("RS256 tokens verify against an RSA JWK (Keycloak's default), beside keys that are skipped")
    func rsaAndMixedKeySet() async throws {
        let rsa = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let (modulus, exponent) = try rsa.publicKey.getKeyPrimitives()
        let rsaJWK = JWK.rsa(nil, identifier: "kc-rsa", modulus: Base64URL.encode(modulus), exponent: Base64URL.encode(exponent))
        let ec = try await TokenSigner(key: .init())
        // What a Keycloak realm publishes besides its signing key: the same kind of key for encryption,
        // and here also a key type jwt-kit does not read. Neither may break the set or be used to verify.
        let document = """
            {"keys":[
              {"kid":"kc-enc","kty":"RSA","alg":"RSA-OAEP","use":"enc","n":"\(rsaJWK.modulus ?? "")","e":"\(rsaJWK.exponent ?? "")"},
              {"kid":"odd","kty":"oct","k":"c2VjcmV0"}
            ]}
            """
        var set = try JSONDecoder().decode(PublishedKeySet.self, from: Data(document.utf8))
        #expect(set.keys.count == 2 && set.keys[1].jwk == nil)
        set.keys.append(PublishedKey(jwk: rsaJWK, use: "sig"))
        set.keys.append(PublishedKey(jwk: ec.jwk))
        let verifier = TokenVerifier(
            configuration: .init(issuer: issuer, audience: "microchat", minimumRefetchInterval: .zero),
            source: FixedKeys(set: set), logger: quietLogger)

        let keycloak = JWTKeyCollection()
        await keycloak.add(rsa: rsa, digestAlgorithm: .sha256, kid: "kc-rsa")
        let id = UUID()
        let rsaToken = try await keycloak.sign(claims(sub: id.uuidString), kid: "kc-rsa")
        #expect(try await verifier.verify(rsaToken).userId == id)
        #expect(try await verifier.verify(try await ec.sign(claims())).username == "ada")

        // The encryption key never verifies, even for a token that names it.
        await keycloak.add(rsa: rsa, digestAlgorithm: .sha256, kid: "kc-enc")
        #expect(await code { try await verifier.verify(try await keycloak.sign(claims(), kid: "kc-enc")) } == "invalid_token")
        // A header naming another algorithm than the key's is refused before any signature check (algorithm confusion).
        let parts = rsaToken.split(separator: ".")
        let confused = Base64URL.encode(Data(#"{"alg":"ES256","kid":"kc-rsa","typ":"JWT"}"#.utf8)) + "." + parts[1] + "." + parts[2]
        #expect(await code { try await verifier.verify(confused) } == "invalid_token")
        let hmac = Base64URL.encode(Data(#"{"alg":"HS256","kid":"kc-rsa","typ":"JWT"}"#.utf8)) + "." + parts[1] + "." + parts[2]
        #expect(await code { try await verifier.verify(hmac) } == "invalid_token")
    }

    @Test("the published JWKS carries use=sig and the EC coordinates, and reads back")
    func publishedKeyRoundTrip() async throws {
        let signer = try await TokenSigner(key: .init())
        let data = try JSONEncoder().encode(PublishedKeySet(keys: [PublishedKey(jwk: signer.jwk)]))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[String: String]]])
        let key = try #require(object["keys"]?.first)
        #expect(key["use"] == "sig" && key["kty"] == "EC" && key["crv"] == "P-256" && key["alg"] == "ES256" && key["kid"] == signer.kid)
        #expect(key["x"]?.count == 43 && key["y"]?.count == 43)
        let back = try JSONDecoder().decode(PublishedKeySet.self, from: data)
        #expect(back.keys.first?.signingAlgorithm == "ES256")
    }
}

/// The verifier's warnings are expected here (refused tokens); only errors are worth printing.
private let quietLogger: Logger = {
    var logger = Logger(label: "tests")
    logger.logLevel = .error
    return logger
}()
