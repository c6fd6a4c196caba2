import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ObjectStorage
import NIOPosix
import Prometheus
import ServiceKit
import Postgres
import Redis
import ServiceAuth

/// Builds user-service: storage, migrations, signing key, routes, middleware.
/// `main` and the tests call this one function, so what is tested is what runs.
func buildApplication(configuration: UserServiceConfiguration, registry: PrometheusCollectorRegistry) async throws
    -> some ApplicationProtocol
{
    let logger = Logger(label: "user-service")
    logger.info("starting user-service", metadata: configuration.logMetadata)

    let pool = PostgresPool(
        configuration: .init(
            url: configuration.databaseURL, size: configuration.databasePoolSize,
            reconnectWait: configuration.databaseReconnectWait), logger: logger)
    try await Migrator(schema: "user_service", migrations: UserMigrations.all).migrate(pool, logger: logger)

    let keyStore = SigningKeyStore(pool: pool)
    let signer = try await keyStore.currentSigner(rotateAfter: configuration.signingKeyRotation)
    let users = UserRepository(pool: pool)
    let refreshTokens = RefreshTokenStore(pool: pool)
    let hashingThreads = NIOThreadPool(numberOfThreads: max(2, ProcessInfo.processInfo.activeProcessorCount))
    hashingThreads.start()
    let issuer = TokenIssuer(
        signer: signer, issuerURL: configuration.issuerURL, audience: configuration.audience,
        accessTokenLifetime: configuration.accessTokenLifetime, refreshTokenLifetime: configuration.refreshTokenLifetime,
        refreshFamilyLifetime: configuration.refreshFamilyLifetime,
        refreshTokens: refreshTokens
    )
    // user-service verifies its own tokens through the same verifier other services use,
    // with its key store as the key source instead of an HTTP fetch of its own JWKS;
    // with an external issuer (AUTH_ISSUER), it verifies that issuer's tokens instead.
    guard let redisEndpoint = RedisEndpoint(url: configuration.redisURL) else {
        throw ConfigurationError(name: "REDIS_URL", problem: "expected redis://host:port")
    }
    let redis = RedisClient(endpoint: redisEndpoint, connections: MachineSize.redisConnections)
    let revokedSessions = RevokedSessions(redis: redis, logger: logger)
    let verifier: TokenVerifier
    var provisioner: ExternalAccountProvisioner?
    if let external = configuration.externalIssuer, let discovery = configuration.externalDiscoveryURL {
        verifier = TokenVerifier(
            configuration: .init(issuer: external, audience: configuration.audience),
            source: DiscoveryKeySource(discoveryURL: discovery, issuer: external, client: ServiceClient()), revocations: revokedSessions,
            logger: logger
        )
        provisioner = ExternalAccountProvisioner(users: users, logger: logger)
    } else {
        verifier = TokenVerifier(
            configuration: .init(issuer: configuration.issuerURL, audience: configuration.audience, minimumRefetchInterval: .seconds(1)),
            source: keyStore, revocations: revokedSessions, logger: logger
        )
    }

    let router = Router(context: UserRequestContext.self)
    router.addStandardMiddleware()
    router.add(middleware: ClientAddressMiddleware(trusted: configuration.trustedProxies))

    OperationsController(
        service: "user-service",
        checks: [ReadinessCheck(name: "postgres") { try await pool.query("SELECT 1", waitForServer: false) }],
        registry: registry
    ).addRoutes(to: router)
    IdentityProviderController(issuerURL: configuration.issuerURL, keys: keyStore).addRoutes(to: router)

    let hasher = PasswordHasher(
        threads: hashingThreads, queueLimit: configuration.limits.passwordHashQueue,
        unknownLoginLimit: configuration.limits.unknownLoginHashes)
    let throttle = LoginThrottle(redis: redis, limits: configuration.limits)
    let sessionRevocations = SessionRevocations(
        redis: redis, list: revokedSessions, tokenLifetime: configuration.accessTokenLifetime, logger: logger)
    if let external = configuration.externalIssuer {
        ExternalAccountsController(issuer: external).addRoutes(to: router.group("api/auth"))
    } else {
        AuthController(
            users: users, refreshTokens: refreshTokens, hasher: hasher, issuer: issuer, throttle: throttle,
            revocations: sessionRevocations
        )
        .addRoutes(to: router.group("api/auth"))
    }

    let authenticated = AuthMiddleware<UserRequestContext>(verifier: verifier) { [provisioner] identity in
        await provisioner?.ensureAccount(for: identity)
        // Presence: any authenticated call counts as activity.
        try? await users.touch(id: identity.userId)
    }
    let blocks = BlockStore(pool: pool)
    let presence = PresenceVisibility(
        blocks: blocks, registry: PresenceRegistry(redis: redis),
        rooms: ChatServiceRoomSharing(chatServiceURL: configuration.chatServiceURL, client: ServiceClient()), logger: logger)
    let profiles = ProfileAnnouncements(redis: redis, logger: logger)
    let contacts = ContactStore(pool: pool)
    let people = PeopleRoutes(
        users: users, contacts: contacts, blocks: blocks, presence: presence, profiles: profiles,
        relations: RelationAnnouncements(redis: redis, logger: logger))
    let usersGroup = people.add(to: router, authenticated: authenticated)
    let avatars = AvatarStore(pool: pool)
    let pictures = try configuration.storage.makeStore(client: HTTPClient.shared)
    AvatarController(
        users: users, avatars: avatars, store: pictures, maxBytes: configuration.avatarMaxBytes, announcements: profiles
    )
    .addRoutes(authenticated: usersGroup, public: router)
    AccountController(
        users: users, refreshTokens: refreshTokens, contacts: contacts, blocks: blocks, avatars: avatars, store: pictures,
        hasher: hasher, throttle: throttle, revocations: sessionRevocations, chatServiceURL: configuration.chatServiceURL,
        client: ServiceClient(), externalIssuer: configuration.externalIssuer
    )
    .addRoutes(to: usersGroup)

    let document = try OpenAPIDocument(serviceDocument: PackageResources.user_service_json)
    document.addRoutes(to: router)
    try document.check(router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "user-service"),
        services: [pool, redis],
        logger: logger
    )
    app.addServices(ThreadPoolService(pool: hashingThreads))
    return app
}
