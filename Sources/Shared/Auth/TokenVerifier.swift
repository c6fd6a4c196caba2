import Foundation
import Logging
import Synchronization

/// Where a verifier gets the issuer's public keys.
public protocol KeySetSource: Sendable {
    func fetchKeySet() async throws -> JWKSet
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
              let discovery = URLComponents(string: discoveryURL), let discoveryHost = discovery.host else {
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

    public func fetchKeySet() async throws -> JWKSet {
        let discovery = try await client.get(discoveryURL, as: Discovery.self)
        let keys = try Self.keysURL(discoveryURL: discoveryURL, document: discovery, expectedIssuer: expectedIssuer)
        return try await client.get(keys, as: JWKSet.self)
    }
}

/// Verifies bearer access tokens: signature against the issuer's JWKS, then
/// issuer, audience and lifetime. A token signed with a key the verifier has
/// not seen makes it fetch the key set again (key rotation), at most once per
/// `minimumRefetchInterval` so forged `kid`s cannot flood the issuer.
public final class TokenVerifier: Sendable {
    public struct Configuration: Sendable {
        public var issuer: String
        public var audience: String
        public var leeway: Duration
        public var minimumRefetchInterval: Duration
        /// How many verified tokens are remembered until they expire (0: verify every time).
        public var verifiedTokenCacheSize: Int

        public init(issuer: String, audience: String, leeway: Duration = .seconds(30), minimumRefetchInterval: Duration = .seconds(10),
                    verifiedTokenCacheSize: Int = 10_000) {
            self.issuer = issuer
            self.audience = audience
            self.leeway = leeway
            self.minimumRefetchInterval = minimumRefetchInterval
            self.verifiedTokenCacheSize = verifiedTokenCacheSize
        }
    }

    private struct Cache {
        var keys: [String: VerificationKey] = [:]
        var lastFetch: ContinuousClock.Instant?
        var inflight: Task<[String: VerificationKey], any Error>?
    }

    public let configuration: Configuration
    private let source: any KeySetSource
    private let cache = Mutex(Cache())
    let verified: VerifiedTokenCache
    private let logger: Logger

    public init(configuration: Configuration, source: any KeySetSource, logger: Logger) {
        self.configuration = configuration
        self.source = source
        self.logger = logger
        self.verified = VerifiedTokenCache(capacity: configuration.verifiedTokenCacheSize)
    }

    /// Returns the caller's identity or throws a 401 `AppError` saying what is wrong.
    /// A token verified before is answered from memory until it expires.
    public func verify(_ token: String, now: Date = Date()) async throws -> Identity {
        if let known = verified.identity(for: token, now: now) { return known }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let claimsData = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]) else {
            throw AppError.unauthorized("invalid_token", "The access token is not a well-formed JWT.")
        }
        struct Header: Decodable {
            var alg: String
            var kid: String?
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw AppError.unauthorized("invalid_token", "The access token header cannot be read.")
        }
        guard header.alg == "ES256" || header.alg == "RS256" else {
            throw AppError.unauthorized("invalid_token", "Tokens signed with \(header.alg) are not accepted.")
        }
        let kid = header.kid ?? ""
        guard let key = try await key(for: kid), key.algorithm == header.alg else {
            throw AppError.unauthorized("invalid_token", "The access token was not signed by a known key.")
        }
        guard key.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8)) else {
            throw AppError.unauthorized("invalid_token", "The access token signature is not valid.")
        }
        guard let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: claimsData) else {
            throw AppError.unauthorized("invalid_token", "The access token claims cannot be read.")
        }
        guard claims.iss == configuration.issuer else {
            throw AppError.unauthorized("invalid_token", "The access token comes from another issuer.")
        }
        guard claims.aud.values.contains(configuration.audience) else {
            throw AppError.unauthorized("invalid_token", "The access token is not meant for this audience.")
        }
        let leeway = Double(configuration.leeway.components.seconds)
        let nowSeconds = now.timeIntervalSince1970
        guard Double(claims.exp) + leeway > nowSeconds else {
            throw AppError.unauthorized("token_expired", "The access token has expired; refresh it.")
        }
        if let nbf = claims.nbf, Double(nbf) - leeway > nowSeconds {
            throw AppError.unauthorized("invalid_token", "The access token is not valid yet.")
        }
        guard let userId = UUID(uuidString: claims.sub) else {
            throw AppError.unauthorized("invalid_token", "The access token subject is not a user id.")
        }
        let identity = Identity(userId: userId, username: claims.preferredUsername, displayName: claims.name, email: claims.email,
                                expiresAt: Date(timeIntervalSince1970: Double(claims.exp)), sessionId: claims.sid, token: token)
        // Not before it is valid: a token with a future nbf is checked again next time.
        if claims.nbf.map({ Double($0) <= nowSeconds }) ?? true {
            verified.remember(token, identity, validUntil: Double(claims.exp) + leeway, now: now)
        }
        return identity
    }

    private func key(for kid: String) async throws -> VerificationKey? {
        enum Plan {
            case known(VerificationKey)
            case wait(Task<[String: VerificationKey], any Error>)
            case refuse
        }
        let interval = configuration.minimumRefetchInterval
        let source = self.source
        let logger = self.logger
        // Concurrent callers that miss share one fetch instead of being refused by the rate limit.
        let plan = cache.withLock { cache -> Plan in
            if let known = cache.keys[kid] { return .known(known) }
            if let inflight = cache.inflight { return .wait(inflight) }
            if let last = cache.lastFetch, ContinuousClock.now - last < interval { return .refuse }
            cache.lastFetch = ContinuousClock.now
            let fetch = Task { try await Self.load(source, logger: logger) }
            cache.inflight = fetch
            return .wait(fetch)
        }
        switch plan {
        case let .known(key):
            return key
        case .refuse:
            return nil
        case let .wait(fetch):
            do {
                let keys = try await fetch.value
                cache.withLock { cache in
                    cache.keys = keys
                    cache.inflight = nil
                }
                return keys[kid]
            } catch {
                cache.withLock { cache in
                    cache.inflight = nil
                    cache.lastFetch = nil
                }
                logger.error("cannot fetch the issuer's keys", metadata: ["error": "\(error)"])
                throw AppError(.serviceUnavailable, code: "issuer_unavailable", detail: "The token issuer's keys cannot be fetched right now.")
            }
        }
    }

    private static func load(_ source: any KeySetSource, logger: Logger) async throws -> [String: VerificationKey] {
        let keySet = try await source.fetchKeySet()
        var keys: [String: VerificationKey] = [:]
        for jwk in keySet.keys where jwk.use == nil || jwk.use == "sig" {
            if let key = jwk.verificationKey() { keys[jwk.kid ?? ""] = key }
        }
        logger.info("loaded issuer keys", metadata: ["kids": "\(keys.keys.sorted())"])
        return keys
    }
}
