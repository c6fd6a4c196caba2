import Foundation
import JWTKit
import Logging
import Synchronization
import ServiceKit

/// Where a verifier gets the issuer's public keys.
public protocol KeySetSource: Sendable {
    func fetchKeySet() async throws -> PublishedKeySet
}

/// Keys published by an OpenID issuer: its discovery document names the JWKS.
/// This is the only path chat-service uses, for user-service on one host and
/// for Keycloak in a cluster alike. The document is believed only if its
/// `issuer` is the one configured, and keys are fetched only from the host the
/// document was fetched from, over https unless that host is loopback or
/// cluster-local — so a tampered or misrouted document cannot point the
/// verifier at someone else's keys.
public struct DiscoveryKeySource: KeySetSource {
    public let discoveryURL: String
    public let expectedIssuer: String
    public let client: ServiceClient

    public init(discoveryURL: String, issuer: String, client: ServiceClient) {
        self.discoveryURL = discoveryURL
        self.expectedIssuer = issuer
        self.client = client
    }

    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    /// Hosts reached over the machine or the cluster's own network, where plain http is acceptable.
    static func isLocal(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return name == "localhost" || name == "::1" || name.hasPrefix("127.") || name.hasSuffix(".cluster.local")
            || name.hasSuffix(".svc") || !name.contains(".")
    }

    /// The JWKS URL to fetch, or why the document is not believed.
    static func keysURL(discoveryURL: String, document: Discovery, expectedIssuer: String) throws -> String {
        guard document.issuer == expectedIssuer else {
            throw Refused(description: "the discovery document's issuer \(document.issuer) is not the configured \(expectedIssuer)")
        }
        guard let keys = URLComponents(string: document.jwksUri), let scheme = keys.scheme?.lowercased(), let host = keys.host,
            let discovery = URLComponents(string: discoveryURL), let discoveryHost = discovery.host
        else {
            throw Refused(description: "the discovery document's jwks_uri is not a URL")
        }
        guard host.lowercased() == discoveryHost.lowercased() else {
            throw Refused(description: "jwks_uri points at \(host), not the discovery document's host \(discoveryHost)")
        }
        guard scheme == "https" || (scheme == "http" && isLocal(host)) else {
            throw Refused(description: "jwks_uri must be https outside loopback and the cluster (got \(scheme)://\(host))")
        }
        return document.jwksUri
    }

    struct Discovery: Decodable {
        var issuer: String
        var jwksUri: String
        enum CodingKeys: String, CodingKey {
            case issuer
            case jwksUri = "jwks_uri"
        }
    }

    public func fetchKeySet() async throws -> PublishedKeySet {
        let discovery = try await client.get(discoveryURL, as: Discovery.self)
        let keys = try Self.keysURL(discoveryURL: discoveryURL, document: discovery, expectedIssuer: expectedIssuer)
        return try await client.get(keys, as: PublishedKeySet.self)
    }
}

/// Verifies bearer access tokens with jwt-kit: the signature against the
/// issuer's JWKS, then issuer, audience and lifetime with jwt-kit's claim checks.
/// What jwt-kit leaves to its caller is here: which keys to trust (only the
/// configured issuer's, only ES256/RS256, the header's `alg` must be the key's),
/// when to fetch them again (a token signed with a key not seen yet, at most
/// once per `minimumRefetchInterval`, so forged `kid`s cannot flood the
/// issuer), and the answers a client sees (401 problem codes).
public final class TokenVerifier: Sendable {
    public struct Configuration: Sendable {
        public var issuer: String
        public var audience: String
        public var leeway: Duration
        public var minimumRefetchInterval: Duration
        /// How many verified tokens are remembered until they expire (0: verify every time).
        public var verifiedTokenCacheSize: Int

        public init(
            issuer: String, audience: String, leeway: Duration = .seconds(30), minimumRefetchInterval: Duration = .seconds(10),
            verifiedTokenCacheSize: Int = 10_000
        ) {
            self.issuer = issuer
            self.audience = audience
            self.leeway = leeway
            self.minimumRefetchInterval = minimumRefetchInterval
            self.verifiedTokenCacheSize = verifiedTokenCacheSize
        }
    }

    /// The issuer's signing keys as last fetched: jwt-kit's collection, and each kid's algorithm.
    struct Keys: Sendable {
        var collection: JWTKeyCollection
        var algorithms: [String: String]
    }

    private struct Cache {
        var keys: Keys?
        var lastFetch: ContinuousClock.Instant?
        var inflight: Task<Keys, any Error>?
    }

    public let configuration: Configuration
    private let source: any KeySetSource
    private let cache = Mutex(Cache())
    let verified: VerifiedTokenCache
    private let logger: Logger
    /// Signed-out sessions: a token whose `sid` is listed is refused even though its signature and lifetime hold.
    private let revocations: (any SessionRevocationList)?

    public init(configuration: Configuration, source: any KeySetSource, revocations: (any SessionRevocationList)? = nil, logger: Logger) {
        self.configuration = configuration
        self.source = source
        self.revocations = revocations
        self.logger = logger
        self.verified = VerifiedTokenCache(capacity: configuration.verifiedTokenCacheSize)
    }

    private static func refuse(_ detail: String, code: String = "invalid_token") -> AppError {
        AppError.unauthorized(code, detail)
    }

    /// The header fields that choose the key, read before the signature is checked.
    private struct Header: Decodable {
        var alg: String
        var kid: String?
    }

    /// Returns the caller's identity or throws a 401 `AppError` saying what is wrong.
    /// A token verified before is answered from memory until it expires; whether
    /// its session was signed out is asked every time.
    public func verify(_ token: String, now: Date = Date()) async throws -> Identity {
        let identity = try await verifySignatureAndClaims(token, now: now)
        if let session = identity.sessionId, let revocations, await revocations.isRevoked(session: session) {
            throw Self.refuse(
                "This sign-in was ended (signed out, or its refresh token was reused); sign in again.", code: "session_revoked")
        }
        return identity
    }

    /// True when the session `identity` came with has been signed out since.
    public func isSignedOut(_ identity: Identity) async -> Bool {
        guard let session = identity.sessionId, let revocations else { return false }
        return await revocations.isRevoked(session: session)
    }

    private func verifySignatureAndClaims(_ token: String, now: Date) async throws -> Identity {
        if let known = verified.identity(for: token, now: now) { return known }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]) else {
            throw Self.refuse("The access token is not a well-formed JWT.")
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw Self.refuse("The access token header cannot be read.")
        }
        guard header.alg == "ES256" || header.alg == "RS256" else {
            throw Self.refuse("Tokens signed with \(header.alg) are not accepted.")
        }
        let kid = header.kid ?? ""
        guard let keys = try await keys(for: kid), keys.algorithms[kid] == header.alg else {
            throw Self.refuse("The access token was not signed by a known key.")
        }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.collection.verify(token, as: AccessTokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw Self.refuse("The access token signature is not valid.")
        } catch {
            throw Self.refuse("The access token cannot be read.")
        }
        try check(claims, now: now)
        guard let userId = UUID(uuidString: claims.sub.value) else {
            throw Self.refuse("The access token subject is not a user id.")
        }
        let identity = Identity(
            userId: userId, username: claims.preferredUsername, displayName: claims.name, email: claims.email,
            expiresAt: claims.exp.value, sessionId: claims.sid, token: token)
        // Not before it is valid: a token with a future nbf is checked again next time.
        if claims.nbf.map({ $0.value <= now }) ?? true {
            verified.remember(token, identity, validUntil: claims.exp.value.timeIntervalSince1970 + leewaySeconds, now: now)
        }
        return identity
    }

    private var leewaySeconds: Double { Double(configuration.leeway.components.seconds) }

    /// Issuer, audience, expiry and not-before, with jwt-kit's claim checks and this verifier's clock and leeway.
    func check(_ claims: AccessTokenClaims, now: Date) throws {
        guard claims.iss.value == configuration.issuer else {
            throw Self.refuse("The access token comes from another issuer.")
        }
        do { try claims.aud.verifyIntendedAudience(includes: configuration.audience) } catch {
            throw Self.refuse("The access token is not meant for this audience.")
        }
        do { try claims.exp.verifyNotExpired(currentDate: now.addingTimeInterval(-leewaySeconds)) } catch {
            throw Self.refuse("The access token has expired; refresh it.", code: "token_expired")
        }
        if let nbf = claims.nbf {
            do { try nbf.verifyNotBefore(currentDate: now.addingTimeInterval(leewaySeconds)) } catch {
                throw Self.refuse("The access token is not valid yet.")
            }
        }
    }

    /// The key set that knows `kid`, fetching it again when `kid` is new (rate-limited), or nil.
    private func keys(for kid: String) async throws -> Keys? {
        enum Plan {
            case known(Keys)
            case wait(Task<Keys, any Error>)
            case refuse
        }
        let interval = configuration.minimumRefetchInterval
        let source = self.source
        let logger = self.logger
        // Concurrent callers that miss share one fetch instead of being refused by the rate limit.
        let plan = cache.withLock { cache -> Plan in
            if let known = cache.keys, known.algorithms[kid] != nil { return .known(known) }
            if let inflight = cache.inflight { return .wait(inflight) }
            if let last = cache.lastFetch, ContinuousClock.now - last < interval { return .refuse }
            cache.lastFetch = ContinuousClock.now
            let fetch = Task { try await Self.load(source, logger: logger) }
            cache.inflight = fetch
            return .wait(fetch)
        }
        switch plan {
        case let .known(keys):
            return keys
        case .refuse:
            return nil
        case let .wait(fetch):
            do {
                let keys = try await fetch.value
                cache.withLock { cache in
                    cache.keys = keys
                    cache.inflight = nil
                }
                return keys.algorithms[kid] == nil ? nil : keys
            } catch {
                cache.withLock { cache in
                    cache.inflight = nil
                    cache.lastFetch = nil
                }
                logger.error("cannot fetch the issuer's keys", metadata: ["error": "\(error)"])
                throw AppError(
                    .serviceUnavailable, code: "issuer_unavailable", detail: "The token issuer's keys cannot be fetched right now.")
            }
        }
    }

    /// The issuer's ES256/RS256 signing keys, each pinned to its algorithm (a
    /// JWK without `alg` gets the one its key type implies), so a token cannot
    /// choose how its key is used.
    private static func load(_ source: any KeySetSource, logger: Logger) async throws -> Keys {
        let keySet = try await source.fetchKeySet()
        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        for published in keySet.keys {
            guard var jwk = published.jwk, let algorithm = published.signingAlgorithm, let kid = jwk.keyIdentifier?.string else { continue }
            jwk.algorithm = JWK.Algorithm(rawValue: algorithm)
            do {
                try await collection.add(jwk: jwk)
                algorithms[kid] = algorithm
            } catch {
                logger.warning("skipping an issuer key jwt-kit cannot use", metadata: ["kid": "\(kid)", "error": "\(error)"])
            }
        }
        logger.info("loaded issuer keys", metadata: ["kids": "\(algorithms.keys.sorted())"])
        return Keys(collection: collection, algorithms: algorithms)
    }
}
