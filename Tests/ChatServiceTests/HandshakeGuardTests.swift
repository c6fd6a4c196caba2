import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import ServiceKit
import Synchronization
import Testing
@testable import ChatService
@testable import ServiceAuth

/// The WebSocket handshake guard on an EmbeddedChannel, with an issuer whose keys
/// never arrive: while it verifies, it reads nothing more from the connection and
/// holds only a bounded number of parts (issue 23, item 10).
@Suite("WebSocket handshake guard")
struct HandshakeGuardTests {
    /// An issuer that never answers: every token with a new `kid` waits on it.
    struct SilentIssuer: KeySetSource {
        func fetchKeySet() async throws -> PublishedKeySet {
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
    }

    /// Counts the reads the pipeline asks the channel for.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    static func token() -> String {
        let header = Base64URL.encode(Data(#"{"alg":"ES256","kid":"not-yet-published","typ":"JWT"}"#.utf8))
        let claims = Base64URL.encode(Data(#"{"sub":"3f1c8a52-6d1e-4c59-9d43-1f0f6a3b2c10","exp":4102444800}"#.utf8))
        return "\(header).\(claims).c2lnbmF0dXJl"
    }

    func verifyingChannel() throws -> (EmbeddedChannel, ReadCounter) {
        let verifier = TokenVerifier(
            configuration: .init(issuer: "http://issuer.invalid", audience: "microchat"),
            source: SilentIssuer(), logger: Logger(label: "handshake-guard-test"))
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(
            WebSocketHandshakeGuard(verifier: verifier, path: "/api/ws", admission: { _ in true }))
        var headers = HTTPHeaders()
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Authorization", value: "Bearer \(Self.token())")
        try channel.writeInbound(
            HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/api/ws", headers: headers)))
        return (channel, counter)
    }

    /// An issuer publishing one key at once.
    struct OneKey: KeySetSource {
        let signer: TokenSigner
        func fetchKeySet() async throws -> PublishedKeySet { PublishedKeySet(keys: [PublishedKey(jwk: signer.jwk)]) }
    }

    @Test("a ticket is redeemed once: the handshake goes on with its token in the header and no ticket in the URL")
    func ticketHandshake() async throws {
        let signer = try await TokenSigner(key: .init())
        let now = Int64(Date().timeIntervalSince1970)
        let user = UUID()
        let token = try await signer.sign(
            AccessTokenClaims(iss: "http://issuer.test", sub: user.uuidString, aud: "microchat", exp: now + 300, iat: now))
        let verifier = TokenVerifier(
            configuration: .init(issuer: "http://issuer.test", audience: "microchat"), source: OneKey(signer: signer),
            logger: Logger(label: "handshake-guard-test"))
        let tickets = Mutex<[String: String]>(["ticket-1": token])
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            WebSocketHandshakeGuard(
                verifier: verifier, path: "/api/ws", admission: { _ in true },
                redeem: { ticket in tickets.withLock { $0.removeValue(forKey: ticket) } }))
        var headers = HTTPHeaders()
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Connection", value: "Upgrade")
        try channel.writeInbound(
            HTTPServerRequestPart.head(
                HTTPRequestHead(
                    version: .http1_1, method: .GET, uri: "/api/ws?ticket=ticket-1&x=1",
                    headers: headers)))
        var passed: HTTPServerRequestPart?
        let deadline = ContinuousClock.now + .seconds(30)
        while passed == nil && ContinuousClock.now < deadline {
            channel.embeddedEventLoop.run()
            passed = try channel.readInbound(as: HTTPServerRequestPart.self)
            if passed == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        guard case let .head(head)? = passed else {
            Issue.record("the handshake was not passed on")
            return
        }
        #expect(head.uri == "/api/ws?x=1")
        #expect(head.headers.first(name: "authorization") == "Bearer \(token)")
        #expect(tickets.withLock { $0.isEmpty }, "the ticket was not used up")
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }

    @Test("while the token is verified, the connection is not read")
    func noReadsWhileVerifying() throws {
        let (channel, counter) = try verifyingChannel()
        let before = counter.reads
        channel.read()
        channel.read()
        #expect(counter.reads == before, "a read reached the socket while the token was being verified")
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }

    @Test("parts already parsed are held up to a bound; past it the handshake is refused 400 and the connection closed")
    func boundedHolding() throws {
        let (channel, _) = try verifyingChannel()
        for _ in 1..<WebSocketHandshakeGuard.holdLimit {
            try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: String(repeating: "x", count: 1024))))
        }
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil, "refused before the bound")
        for _ in 0..<100 {
            try? channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: String(repeating: "x", count: 1024))))
        }
        guard case let .head(head)? = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer once more than the bound was held")
            return
        }
        #expect(head.status == .badRequest)
        #expect(head.headers.first(name: "content-type") == "application/problem+json")
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil, "a held part was passed on after the refusal")
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}
