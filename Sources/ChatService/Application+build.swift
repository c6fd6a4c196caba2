import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOPosix
import ObjectStorage
import Prometheus
import ServiceKit
import Postgres
import Redis
import ServiceAuth

/// Builds chat-service: storage, migrations, Redis fan-out, routes and the WebSocket gateway.
func buildApplication(configuration: ChatServiceConfiguration, registry: PrometheusCollectorRegistry) async throws
    -> some ApplicationProtocol
{
    var logger = Logger(label: "chat-service")
    logger[metadataKey: "replica"] = .string(configuration.replicaId)
    logger.info("starting chat-service", metadata: configuration.logMetadata)

    let pool = PostgresPool(
        configuration: .init(
            url: configuration.databaseURL, size: configuration.databasePoolSize,
            reconnectWait: configuration.databaseReconnectWait), logger: logger)
    try await Migrator(schema: "chat_service", migrations: ChatMigrations.all).migrate(pool, logger: logger)

    guard let endpoint = RedisEndpoint(url: configuration.redisURL) else {
        throw ConfigurationError(name: "REDIS_URL", problem: "expected redis://host:port")
    }
    let redis = RedisClient(endpoint: endpoint, connections: MachineSize.redisConnections)
    let subscriber = try RedisSubscriber(endpoint: endpoint, logger: logger)

    let client = ServiceClient()
    let revokedSessions = RevokedSessions(redis: redis, logger: logger)
    let verifier = TokenVerifier(
        configuration: .init(issuer: configuration.authIssuer, audience: configuration.audience),
        source: DiscoveryKeySource(discoveryURL: configuration.authDiscoveryURL, issuer: configuration.authIssuer, client: client),
        revocations: revokedSessions,
        logger: logger
    )
    let rooms = RoomStore(pool: pool)
    let messages = MessageStore(pool: pool)
    let gapFills = GapFillReads(messages: messages)
    let store = try configuration.storage.makeStore(client: HTTPClient.shared)
    let attachments = AttachmentStore(pool: pool)
    let sweeper = UnclaimedUploadSweeper(
        attachments: attachments, store: store, age: .seconds(configuration.unclaimedUploadSeconds),
        interval: .seconds(configuration.uploadSweepSeconds), logger: logger)
    let gateway = Gateway(
        replicaId: configuration.replicaId, redis: redis, subscriber: subscriber, gapFills: gapFills, rooms: rooms,
        messages: messages, degradedPollInterval: .milliseconds(configuration.degradedPollMilliseconds),
        membershipRecheckInterval: .seconds(configuration.membershipRecheckSeconds), revocations: revokedSessions,
        logger: logger)
    // Half the pool commits sends; the rest stays free for reads, rooms and gap fills.
    let sends = SendBatcher(store: messages, workers: max(2, configuration.databasePoolSize / 2), logger: logger) {
        room, created, repeated, traceParents in
        await gateway.announceCreated(created, repeated: repeated, inRoom: room, traceParents: traceParents)
    }

    let router = Router(context: ChatRequestContext.self)
    router.addStandardMiddleware()

    OperationsController(
        service: "chat-service",
        checks: [
            ReadinessCheck(name: "postgres") { try await pool.query("SELECT 1", waitForServer: false) },
            // Without Redis the replica keeps working (delivery through PostgreSQL), so it stays ready.
            ReadinessCheck(name: "redis", critical: false) { try await redis.ping() },
            ReadinessCheck(name: "delivery", critical: false) {
                if gateway.isDegraded { throw DeliveryPath.postgresPolling }
            },
        ],
        registry: registry
    ).addRoutes(to: router)

    let authenticated = AuthMiddleware<ChatRequestContext>(verifier: verifier)
    let roomsGroup = router.group("api/rooms").add(middleware: authenticated)
    let directory = UserDirectory(baseURL: configuration.userServiceURL, client: client)
    let roomsController = RoomsController(
        rooms: rooms, directory: directory, gateway: gateway, messages: messages,
        creations: RoomCreationLimit(redis: redis, perHour: configuration.roomCreationsPerHour, logger: logger))
    InvitationsController(rooms: rooms, directory: directory, gateway: gateway, announcer: roomsController).addRoutes(to: roomsGroup)
    JoiningController(rooms: rooms, announcer: roomsController, joins: SelfJoinLimit(redis: redis, logger: logger))
        .addRoutes(to: roomsGroup)
    roomsController.addRoutes(to: roomsGroup)
    let mentions = MentionResolver(baseURL: configuration.userServiceURL, client: client, logger: logger)
    MessagesController(
        rooms: rooms, messages: messages, sends: sends, gateway: gateway, maxLength: configuration.maxMessageLength, store: store,
        mentions: mentions
    )
    .addRoutes(to: roomsGroup)
    ReactionsController(rooms: rooms, messages: messages, gateway: gateway).addRoutes(to: roomsGroup)
    let apiGroup = router.group("api").add(middleware: authenticated)
    InternalController(rooms: rooms, messages: messages, gateway: gateway)
        .addRoutes(to: router.group("internal").add(middleware: authenticated))
    SearchController(messages: messages).addRoutes(to: apiGroup)
    PinsController(rooms: rooms, messages: messages, gateway: gateway).addRoutes(to: roomsGroup)
    SavedController(rooms: rooms, messages: messages, gateway: gateway).addRoutes(rooms: roomsGroup, api: apiGroup)
    ThreadsController(rooms: rooms, messages: messages).addRoutes(rooms: roomsGroup, api: apiGroup)
    AttachmentsController(rooms: rooms, attachments: attachments, store: store, maxBytes: configuration.attachmentMaxBytes)
        .addRoutes(to: roomsGroup)
    let previewCache = LinkPreviewCache(pool: pool)
    let resolverThreads = NIOThreadPool(numberOfThreads: 4)
    resolverThreads.start()
    LinkPreviewController(
        rooms: rooms, messages: messages,
        previews: try makeLinkPreviewer(
            configuration: configuration, cache: previewCache, redis: redis, resolverThreads: resolverThreads, logger: logger),
        cache: previewCache, gateway: gateway
    ).addRoutes(to: roomsGroup)

    let presence = PresenceRegistry(redis: redis, lifetime: .seconds(configuration.presenceSocketSeconds))
    let presenceKeeper = PresenceKeeper(registry: presence, gateway: gateway, rooms: rooms, logger: logger)
    let tickets = WebSocketTickets(redis: redis, logger: logger)
    TicketsController(tickets: tickets).addRoutes(to: router.group("api/ws/tickets").add(middleware: authenticated))

    let limits = configuration.webSocketLimits
    let typing = TypingCoalescer(redis: redis, window: .milliseconds(configuration.typingWindowMilliseconds))
    router.group("api").add(middleware: AuthMiddleware<ChatRequestContext>(verifier: verifier, allowQueryToken: true))
        .ws("ws") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let identity = context.requestContext.identity else { return }
            let session = WebSocketSession(
                identity: identity, verifier: verifier, gateway: gateway, messages: messages, gapFills: gapFills, rooms: rooms,
                directory: directory, presence: presence, limits: limits, typing: typing, logger: context.logger)
            try await session.run(inbound: inbound, outbound: outbound)
        }

    let document = try OpenAPIDocument(serviceDocument: PackageResources.chat_service_json)
    document.addRoutes(to: router)
    try document.check(router)

    return Application(
        router: router,
        server: .http1GuardedWebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(
                ws: .init(maxFrameSize: limits.maxFrameSize, autoPing: .enabled(timePeriod: .seconds(configuration.webSocketPingSeconds)))),
            verifier: verifier,
            path: "/api/ws",
            admission: { identity in gateway.connectionCount(of: identity.userId) < limits.connectionsPerPerson },
            redeem: { ticket in await tickets.redeem(ticket) }
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "chat-service"),
        services: [pool, redis, subscriber, gateway, sends, sweeper, presenceKeeper, ThreadPoolService(pool: resolverThreads)],
        logger: logger
    )
}
