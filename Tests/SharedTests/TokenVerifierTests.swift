import Crypto
import Foundation
import Synchronization
import Testing
@testable import Shared

/// An in-memory key set whose keys a test can rotate, standing in for an issuer's JWKS endpoint.
final class RotatingKeys: KeySetSource {
    let keys: Mutex<[TokenSigner]>
    let fetches = Atomic<Int>(0)
    init(_ signers: [TokenSigner]) { keys = Mutex(signers) }
    func fetchKeySet() async throws -> JWKSet {
        fetches.add(1, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(30))  // a network round trip, so callers overlap
        return JWKSet(keys: keys.withLock { $0.map(\.jwk) })
    }
}

@Suite("Access token verification")
struct TokenVerifierTests {
    let issuer = "http://issuer.test"
    let now = Date()

    func claims(sub: String = UUID().uuidString, iss: String? = nil, aud: String = "microchat", expiresIn: Int64 = 300) -> AccessTokenClaims {
        let issued = Int64(now.timeIntervalSince1970)
        return AccessTokenClaims(iss: iss ?? issuer, sub: sub, aud: aud, exp: issued + expiresIn, iat: issued, preferredUsername: "ada")
    }

    func verifier(_ source: RotatingKeys) -> TokenVerifier {
        TokenVerifier(configuration: .init(issuer: issuer, audience: "microchat", minimumRefetchInterval: .zero), source: source, logger: TestEnvironment.logger)
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
        let signer = TokenSigner(key: .init())
        let id = UUID()
        let identity = try await verifier(RotatingKeys([signer])).verify(try signer.sign(claims(sub: id.uuidString)))
        #expect(identity.userId == id)
        #expect(identity.username == "ada")
    }

    @Test("expired, wrong issuer, wrong audience, forged and malformed tokens are refused")
    func refusals() async throws {
        let signer = TokenSigner(key: .init())
        let verifier = verifier(RotatingKeys([signer]))
        #expect(await code { try await verifier.verify(try signer.sign(claims(expiresIn: -3600))) } == "token_expired")
        #expect(await code { try await verifier.verify(try signer.sign(claims(iss: "http://evil.test"))) } == "invalid_token")
        #expect(await code { try await verifier.verify(try signer.sign(claims(aud: "someone-else"))) } == "invalid_token")
        #expect(await code { try await verifier.verify(try signer.sign(claims(sub: "not-a-uuid"))) } == "invalid_token")
        #expect(await code { try await verifier.verify("abc") } == "invalid_token")
        #expect(await code { try await verifier.verify("a.b.c") } == "invalid_token")

        // Same kid, different key: a forgery.
        let forger = TokenSigner(key: .init())
        let forged = try forger.sign(claims())
        let parts = forged.split(separator: ".")
        let header = Base64URL.encode(Data(#"{"alg":"ES256","kid":"\#(signer.kid)","typ":"JWT"}"#.utf8))
        let tampered = header + "." + parts[1] + "." + parts[2]
        #expect(await code { try await verifier.verify(tampered) } == "invalid_token")

        // A genuine token whose claims were edited after signing.
        let genuine = try signer.sign(claims()).split(separator: ".")
        var edited = claims()
        edited.sub = UUID().uuidString
        let editedPayload = Base64URL.encode(try JSONEncoder().encode(edited))
        #expect(await code { try await verifier.verify(genuine[0] + "." + editedPayload + "." + genuine[2]) } == "invalid_token")

        // alg=none is never accepted.
        let none = Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + editedPayload + "."
        #expect(await code { try await verifier.verify(none) } == "invalid_token")
    }

    @Test("a token signed with a rotated-in key makes the verifier refetch the JWKS")
    func keyRotation() async throws {
        let first = TokenSigner(key: .init())
        let source = RotatingKeys([first])
        let verifier = verifier(source)
        _ = try await verifier.verify(try first.sign(claims()))
        #expect(source.fetches.load(ordering: .relaxed) == 1)
        _ = try await verifier.verify(try first.sign(claims()))
        #expect(source.fetches.load(ordering: .relaxed) == 1)  // cached

        let second = TokenSigner(key: .init())
        source.keys.withLock { $0.append(second) }
        let identity = try await verifier.verify(try second.sign(claims(sub: UUID().uuidString)))
        #expect(identity.username == "ada")
        #expect(source.fetches.load(ordering: .relaxed) == 2)
    }

    @Test("many first requests at once share one key fetch and all succeed")
    func concurrentFirstUse() async throws {
        let signer = TokenSigner(key: .init())
        let source = RotatingKeys([signer])
        let limited = TokenVerifier(configuration: .init(issuer: issuer, audience: "microchat", minimumRefetchInterval: .seconds(60)),
                                    source: source, logger: TestEnvironment.logger)
        let tokens = try (0..<20).map { _ in try signer.sign(claims()) }
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
        let known = TokenSigner(key: .init())
        let source = RotatingKeys([known])
        let limited = TokenVerifier(configuration: .init(issuer: issuer, audience: "microchat", minimumRefetchInterval: .seconds(60)),
                                    source: source, logger: TestEnvironment.logger)
        let stranger = TokenSigner(key: .init())
        for _ in 0..<5 {
            #expect(await code { try await limited.verify(try stranger.sign(claims())) } == "invalid_token")
        }
        #expect(source.fetches.load(ordering: .relaxed) == 1)
    }

    @Test("a verified token is remembered only until it expires, and the memory is bounded")
    func verifiedTokenCache() async throws {
        let signer = TokenSigner(key: .init())
        let source = RotatingKeys([signer])
        let verifier = TokenVerifier(configuration: .init(issuer: issuer, audience: "microchat", leeway: .seconds(30),
                                                          minimumRefetchInterval: .zero, verifiedTokenCacheSize: 4),
                                     source: source, logger: TestEnvironment.logger)
        let token = try signer.sign(claims(expiresIn: 60))
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
        for _ in 0..<20 { _ = try await verifier.verify(try signer.sign(claims(sub: UUID().uuidString)), now: now) }
        #expect(verifier.verified.count <= 4)
    }
}
