import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import ServiceKit

/// Builds ui-service: the web front's files, the `/api` proxy and the WebSocket relay.
func buildApplication(configuration: UIServiceConfiguration, registry: PrometheusCollectorRegistry) async throws -> some ApplicationProtocol
{
    let logger = Logger(label: "ui-service")
    logger.info("starting ui-service", metadata: configuration.logMetadata)

    let assets = try StaticAssets(directory: configuration.assetsDirectory)
    logger.info("web front loaded", metadata: ["files": "\(assets.files.count)"])

    let users = UpstreamGroup(name: "user service", urls: [configuration.userServiceURL])
    let chats = UpstreamGroup(name: "chat service", urls: configuration.chatServiceURLs)
    var httpConfiguration = HTTPClient.Configuration()
    httpConfiguration.timeout = .init(connect: .seconds(1), read: .seconds(Int64(configuration.upstreamTimeoutSeconds)))
    httpConfiguration.decompression = .disabled
    httpConfiguration.redirectConfiguration = .disallow
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)

    let router = Router(context: UIRequestContext.self)
    router.add(middleware: ClientAddressMiddleware(trusted: configuration.trustedProxies))
    router.add(
        middleware: SecurityHeadersMiddleware(
            extraConnectOrigins: configuration.oidcIssuer.flatMap(SecurityHeadersMiddleware<UIRequestContext>.origin(of:)).map { [$0] }
                ?? []))
    router.addStandardMiddleware()

    OperationsController(service: "ui-service", checks: [], registry: registry).addRoutes(to: router)
    PageConfigController<UIRequestContext>(
        oidcIssuer: configuration.oidcIssuer, clientId: configuration.oidcClientId,
        maxUploadBytes: configuration.attachmentMaxBytes,
        maxMessageLength: configuration.maxMessageLength
    ).addRoutes(to: router)
    WebSocketProxy(chats: chats).addRoutes(to: router)
    HTTPProxy(users: users, chats: chats, http: http, timeout: .seconds(Int64(configuration.upstreamTimeoutSeconds)))
        .addRoutes(to: router)
    AssetsController<UIRequestContext>(assets: assets).addRoutes(to: router)

    return Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: WebSocketProxy.maxMessageSize))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ui-service"),
        services: [HTTPClientService(client: http)],
        logger: logger
    )
}

/// Shuts the proxy's HTTP client down with the application.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
