import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit
import ServiceAuth

/// Checks the access token of a WebSocket handshake on `path` before
/// hummingbird-websocket's upgrader sees the request, so that a refused
/// handshake is answered like every other refused call — 401 (or 503 when the
/// issuer's keys cannot be had) with a problem+json body — where the upgrader
/// itself could only answer a bare 400. Anything that is not such a handshake
/// passes untouched; either way the handler then leaves the pipeline, and the
/// route's `AuthMiddleware` still makes its own check.
///
/// A handshake may carry a one-time ticket (`?ticket=`, from `POST
/// /api/ws/tickets`) instead of a token: the guard redeems it, verifies the
/// token it stood for, and passes the request on with that token in the
/// `Authorization` header and the ticket taken out of the URL, so the route
/// sees an ordinary header-authenticated handshake.
///
/// While a token is being verified (up to the issuer's discovery timeout for an
/// unknown `kid`), the connection is not read: what the client sends meanwhile
/// waits in the kernel, and only what the decoder had already parsed is held,
/// at most `holdLimit` parts — past that the handshake is refused 400.
final class WebSocketHandshakeGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Parts held while verifying: a handshake is one head and an end; anything
    /// beyond a few pipelined requests is not a client waiting politely.
    static let holdLimit = 16

    private enum State {
        case waitingForHead
        case verifying
        case refused
    }

    private let verifier: TokenVerifier
    private let path: String
    private let admission: @Sendable (Identity) -> Bool
    private let redeem: @Sendable (String) async -> String?
    private var state = State.waitingForHead
    private var held: [NIOAny] = []
    /// A read the channel asked for while verifying, passed on once a verdict is in.
    private var readPending = false

    /// `admission` says whether the verified caller may open one more socket here;
    /// when it says no, the handshake is answered 429 `too_many_connections`.
    /// `redeem` turns a ticket into the access token it stands for (nil: unknown, used or expired).
    init(
        verifier: TokenVerifier, path: String, admission: @escaping @Sendable (Identity) -> Bool,
        redeem: @escaping @Sendable (String) async -> String? = { _ in nil }
    ) {
        self.verifier = verifier
        self.path = path
        self.admission = admission
        self.redeem = redeem
    }

    /// What the check decided: refuse with a problem, or pass on (with the ticket's token, when one was redeemed).
    private enum Verdict {
        case refuse(AppError)
        case pass(ticketToken: String?)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .verifying:
            held.append(data)
            if held.count > Self.holdLimit {
                decided(
                    context: context,
                    refusal: AppError.badRequest(
                        "too_much_before_upgrade",
                        "Too much was sent before the WebSocket handshake was answered."),
                    requestId: UUID().uuidString.lowercased())
            }
            return
        case .refused:
            return
        case .waitingForHead:
            break
        }
        guard case let .head(head) = unwrapInboundIn(data), isHandshake(head) else {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        state = .verifying
        held.append(data)

        let verifier = self.verifier, admission = self.admission, redeem = self.redeem
        let authorization = head.headers.first(name: "authorization")
        let query = URLComponents(string: head.uri)?.queryItems ?? []
        let queryToken = query.first { $0.name == "access_token" }?.value
        let ticket = query.first { $0.name == "ticket" }?.value
        let requestId = head.headers.first(name: "x-request-id") ?? UUID().uuidString.lowercased()
        let verdict = context.eventLoop.makePromise(of: Verdict.self)
        verdict.completeWithTask {
            do {
                var ticketToken: String?
                if let ticket {
                    guard let token = await redeem(ticket) else {
                        return .refuse(
                            AppError.unauthorized(
                                "invalid_ticket",
                                "The socket ticket is unknown, used or expired; ask POST /api/ws/tickets for a new one."))
                    }
                    ticketToken = token
                }
                let token =
                    try ticketToken ?? AuthMiddleware<ChatRequestContext>.bearerToken(authorization: authorization, queryToken: queryToken)
                let identity = try await verifier.verify(token)
                guard admission(identity) else {
                    return .refuse(
                        AppError.tooManyRequests(
                            "too_many_connections",
                            "You have too many live connections here; close one and try again.", retryAfter: 5))
                }
                return .pass(ticketToken: ticketToken)
            } catch let error as AppError {
                return .refuse(error)
            } catch {
                return .pass(ticketToken: nil)  // not a verdict on the token: let the route decide
            }
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        verdict.futureResult.whenSuccess { verdict in
            let (handler, context) = bound.value
            switch verdict {
            case let .refuse(error): handler.decided(context: context, refusal: error, requestId: requestId)
            case let .pass(token):
                if let token { handler.carry(token: token) }
                handler.decided(context: context, refusal: nil, requestId: requestId)
            }
        }
    }

    /// Puts a redeemed ticket's token in the held handshake's Authorization header and takes the ticket out of its URL.
    private func carry(token: String) {
        guard let first = held.first, case var .head(head) = unwrapInboundIn(first) else { return }
        head.headers.replaceOrAdd(name: "authorization", value: "Bearer " + token)
        if var components = URLComponents(string: head.uri) {
            let rest = (components.queryItems ?? []).filter { $0.name != "ticket" && $0.name != "access_token" }
            components.queryItems = rest.isEmpty ? nil : rest
            head.uri = components.string ?? path
        }
        held[0] = wrapInboundOut(.head(head))
    }

    /// No reads while a token is verified: the client's further bytes stay in the kernel.
    func read(context: ChannelHandlerContext) {
        if state == .verifying {
            readPending = true
        } else {
            context.read()
        }
    }

    private func isHandshake(_ head: HTTPRequestHead) -> Bool {
        let target = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        return target == path && head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
    }

    private func decided(context: ChannelHandlerContext, refusal: AppError?, requestId: String) {
        guard state == .verifying else { return }  // refused already (too much held)
        guard let refusal else {
            let parts = held
            held = []
            state = .waitingForHead
            for part in parts { context.fireChannelRead(part) }
            context.fireChannelReadComplete()
            if readPending {
                readPending = false
                context.read()
            }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        state = .refused
        held = []
        readPending = false
        let body = refusal.problemJSON(requestId: requestId)
        var headers = HTTPHeaders()
        for field in refusal.headers { headers.add(name: field.name.canonicalName, value: field.value) }
        headers.replaceOrAdd(name: "content-type", value: "application/problem+json")
        headers.replaceOrAdd(name: "content-length", value: String(body.count))
        headers.replaceOrAdd(name: "connection", value: "close")
        headers.replaceOrAdd(name: "x-request-id", value: requestId)
        let status = HTTPResponseStatus(statusCode: refusal.status.code)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}

/// hummingbird-websocket's HTTP/1 channel with a `WebSocketHandshakeGuard` in
/// front of its upgrader.
struct GuardedWebSocketChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let verifier: TokenVerifier
    let path: String
    let admission: @Sendable (Identity) -> Bool
    let redeem: @Sendable (String) async -> String?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(
                WebSocketHandshakeGuard(
                    verifier: verifier, path: path, admission: admission,
                    redeem: redeem),
                position: .after(decoder.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with WebSocket upgrades whose handshakes on `path` are token-checked first.
    static func http1GuardedWebSocketUpgrade<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WSResponderBuilder,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration,
        verifier: TokenVerifier,
        path: String,
        admission: @escaping @Sendable (Identity) -> Bool,
        redeem: @escaping @Sendable (String) async -> String?
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            GuardedWebSocketChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                verifier: verifier,
                path: path,
                admission: admission,
                redeem: redeem
            )
        }
    }
}
