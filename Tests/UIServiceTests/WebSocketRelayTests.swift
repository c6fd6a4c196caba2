import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import HummingbirdWebSocket
import Logging
import NIOCore
import Prometheus
import ServiceKit
import Synchronization
import Testing
@testable import UIService

/// ui-service's WebSocket relay over live sockets, in process: a browser-side
/// client connects to ui-service (`app.test(.live)`), which relays to a
/// stand-in chat-service replica listening on its own port. Messages go both
/// ways, the caller's token is passed on, and close codes come back as the
/// replica sent them.
/// Lines noted by one task and read by another.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite("ui-service WebSocket relay, live in process")
struct WebSocketRelayTests {
    /// A chat-service replica's socket as far as the relay can tell: it refuses a
    /// handshake without a token, answers `ping:<n>` with `pong:<n>` and a binary
    /// frame with the same bytes reversed, tells who the caller said they were,
    /// and closes with 4000 ("resume") on `bye`.
    static func replica(seenAuthorization: Lines) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("api/ws") { request, _ in
            guard let authorization = request.headers[.authorization] else { return .dontUpgrade }
            seenAuthorization.append(authorization)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            try await outbound.write(.text("hello \(context.request.uri.query ?? "")"))
            for try await message in inbound.messages(maxSize: 1 << 20) {
                switch message {
                case .text("bye"):
                    try await outbound.close(.unknown(4000), reason: "resume")
                    return
                case .text(let text):
                    try await outbound.write(.text(text.replacingOccurrences(of: "ping:", with: "pong:")))
                case .binary(let bytes):
                    try await outbound.write(.binary(ByteBuffer(bytes: bytes.readableBytesView.reversed())))
                }
            }
        }
        return Application(
            router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: router),
            logger: Logger(label: "replica", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func uiService(chatPort: Int?) async throws -> some ApplicationProtocol {
        let chat = chatPort.map { "http://localhost:\($0)" } ?? "http://127.0.0.1:9"
        let configuration = try UIServiceConfiguration(
            environment: EnvironmentReader([
                "USER_SERVICE_URL": "http://127.0.0.1:9", "CHAT_SERVICE_URLS": chat, "UPSTREAM_TIMEOUT_SECONDS": "2",
            ]))
        return try await buildApplication(configuration: configuration, registry: PrometheusCollectorRegistry())
    }

    @Test("messages cross both ways in order, the token and query are passed on, and the replica's close code comes back")
    func relay() async throws {
        let seen = Lines()
        try await Self.replica(seenAuthorization: seen).test(.live) { chat in
            try await Self.uiService(chatPort: chat.port).test(.live) { browser in
                let received = Lines()
                let configuration = WebSocketClientConfiguration(additionalHeaders: [.authorization: "Bearer t0ken"])
                let close = try await browser.ws("/api/ws?resume=1", configuration: configuration) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                    for n in 1...50 { try await outbound.write(.text("ping:\(n)")) }
                    try await outbound.write(.binary(ByteBuffer(bytes: [1, 2, 3])))
                    try await outbound.write(.text("bye"))
                    while let message = try await messages.next() {
                        switch message {
                        case .text(let text): received.append(text)
                        case .binary(let bytes): received.append("binary \(Array(bytes.readableBytesView))")
                        }
                    }
                }
                let expected = ["hello resume=1"] + (1...50).map { "pong:\($0)" } + ["binary [3, 2, 1]"]
                #expect(received.all == expected)
                #expect(close?.closeCode == .unknown(4000))
            }
        }
        #expect(seen.all == ["Bearer t0ken"])
    }

    @Test("a handshake the replica refuses closes the browser's socket with 4401 (refresh the token)")
    func refused() async throws {
        let seen = Lines()
        try await Self.replica(seenAuthorization: seen).test(.live) { chat in
            try await Self.uiService(chatPort: chat.port).test(.live) { browser in
                let close = try await browser.ws("/api/ws") { inbound, _, _ in
                    for try await _ in inbound.messages(maxSize: 1 << 20) {}
                }
                #expect(close?.closeCode == .unknown(4401))
            }
        }
        #expect(seen.all.isEmpty)
    }

    @Test("with no replica to reach, the browser's socket closes with 1013 (try again later)")
    func noReplica() async throws {
        try await Self.uiService(chatPort: nil).test(.live) { browser in
            let close = try await browser.ws("/api/ws") { inbound, _, _ in
                for try await _ in inbound.messages(maxSize: 1 << 20) {}
            }
            #expect(close?.closeCode == .unknown(1013))
        }
    }
}
