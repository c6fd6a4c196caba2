// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "MicroChat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "user-service", targets: ["UserService"]),
        .executable(name: "chat-service", targets: ["ChatService"]),
        .executable(name: "ui-service", targets: ["UIService"]),
        .executable(name: "chat-load", targets: ["ChatLoad"]),
    ],
    // Every direct dependency is pinned exactly; the whole resolved graph is listed in
    // Package.versions, which `./microchat test` and the image build check (scripts/package-versions).
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", exact: "5.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", exact: "2.8.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", exact: "0.2.0"),
        // Traces: the API (Hummingbird already depends on it) and OpenTelemetry's OTLP/HTTP exporter
        // (only that trait: the gRPC exporter would pull in gRPC Swift and minutes of build).
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", exact: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", exact: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // The protocol-and-models library every service links: event and
        // message types, HTTP plumbing, tokens, configuration, the runtime.
        // What crosses a boundary between services, the page's socket and chat-load: events,
        // messages, rooms, channel names, close codes, the public URL table. Foundation only.
        .target(
            name: "ChatProtocol",
            swiftSettings: swiftSettings
        ),
        // The service runtime: HTTP (problems, JSON bodies, clients), configuration, health,
        // metrics, logging, the OpenAPI documents' shared parts.
        .target(
            name: "ServiceKit",
            dependencies: [
                "ChatProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            // The OpenAPI parts every service shares (problems, bearer auth, operations routes).
            resources: [.embedInCode("OpenAPI/shared.json")],
            swiftSettings: swiftSettings
        ),
        // Access tokens: signing, verifying, published keys, signed-out sessions. Linked by
        // user-service and chat-service only (ui-service verifies nothing and links no JWT code).
        .target(
            name: "ServiceAuth",
            dependencies: [
                "ServiceKit", "ChatProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // libpq behind async calls on a thread pool: user-service and chat-service own a schema each.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ", "ChatProtocol", "ServiceKit",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Where uploads live: the file system or an S3-compatible bucket (Signature V4 over AsyncHTTPClient).
        .target(
            name: "ObjectStorage",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // hiredis behind async calls (pub/sub, commands, AUTH and a TLS tunnel): the message bus.
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis", "ServiceKit", "ServiceAuth",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "UserService",
            dependencies: [
                "ChatProtocol", "ServiceKit", "ServiceAuth", "Postgres", "Redis", "ObjectStorage",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            resources: [.embedInCode("OpenAPI/user-service.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ChatService",
            dependencies: [
                "ChatProtocol", "ServiceKit", "ServiceAuth", "Postgres", "Redis", "ObjectStorage",
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            resources: [.embedInCode("OpenAPI/chat-service.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "UIService",
            dependencies: [
                "ChatProtocol", "ServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            resources: [.copy("Public")],
            swiftSettings: swiftSettings
        ),
        // The load generator `./microchat bench` drives the stack with.
        .executableTarget(
            name: "ChatLoad",
            dependencies: [
                "ChatProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ChatProtocol", "ServiceKit", "ServiceAuth", "Postgres", "Redis", "ObjectStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Route-level tests of each service through its buildApplication (HummingbirdTesting).
        .testTarget(
            name: "UserServiceTests",
            dependencies: [
                "UserService", "ChatProtocol", "ServiceKit", "ServiceAuth", "Postgres", "Redis",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChatServiceTests",
            dependencies: [
                "ChatService", "ChatProtocol", "ServiceKit", "ServiceAuth", "Postgres", "Redis",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The suites that need PostgreSQL, Redis and S3: `./microchat test` starts them and sets
        // MICROCHAT_TEST_*; under a plain `swift test` these suites report themselves skipped
        // (every other target needs nothing running).
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ChatService", "UserService", "ChatProtocol", "ServiceKit", "ServiceAuth", "Postgres", "Redis", "ObjectStorage",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The load generator's XMPP stream parsing and its delivery checks, no server needed.
        .testTarget(
            name: "ChatLoadTests",
            dependencies: [
                "ChatLoad",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UIServiceTests",
            dependencies: [
                "UIService", "ChatProtocol", "ServiceKit",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
