import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceKit

/// Relays the browser's WebSocket to one chat-service replica, taking the
/// replicas in turn so clients spread across them. Frames pass through as
/// they are (chat-service's are not even decoded); when the replica closes,
/// the browser gets its close code (4000 "resume" included), and when the
/// browser goes, the replica is told.
///
/// Close codes the proxy itself sends: 4401 when the replica refused the
/// handshake (the token, in practice: refresh it and reconnect) and 1013
/// ("try again later") when no replica could be reached.
struct WebSocketProxy: Sendable {
    static let tokenRefused = WebSocketErrorCode(codeNumber: 4401)
    static let maxMessageSize = 1024 * 1024

    let chats: UpstreamGroup

    func addRoutes<Context: RequestIDContext & WebSocketRequestContext & ClientAddressContext>(to router: Router<Context>) {
        router.ws("api/ws") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            await relay(
                request: context.request, requestId: context.requestContext.requestId, client: context.requestContext.clientAddress,
                inbound: inbound, outbound: outbound, logger: context.logger)
        }
    }

    func relay(
        request: Request, requestId: String, client: String?, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
        logger: Logger
    ) async {
        var headers: HTTPFields = [.xRequestID: requestId]
        if let authorization = request.headers[.authorization] { headers[.authorization] = authorization }
        if let client { headers[.xForwardedFor] = client }
        let configuration = WebSocketClientConfiguration(maxFrameSize: Self.maxMessageSize, additionalHeaders: headers)
        let target = request.uri.description

        for base in chats.attemptOrder(for: .sockets) {
            let url = "ws" + base.dropFirst(4) + target  // http://… → ws://…, https://… → wss://…
            do {
                let closeFrame = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                    upInbound, upOutbound, _ in
                    try await Self.pipe(browserInbound: inbound, browserOutbound: outbound, upInbound: upInbound, upOutbound: upOutbound)
                }
                chats.markUp(base)
                let code = closeFrame?.closeCode ?? .goingAway
                try? await outbound.close(Self.forwardable(code), reason: closeFrame?.reason)
                return
            } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
                logger.info("chat-service refused the WebSocket handshake", metadata: ["upstream": "\(base)"])
                try? await outbound.close(Self.tokenRefused, reason: "token refused")
                return
            } catch  where UpstreamFailure.isConnectFailure(error) {
                chats.markDown(base)
                logger.warning(
                    "chat-service replica unreachable for a WebSocket; trying the next",
                    metadata: ["upstream": "\(base)", "error": "\(error)"])
                continue
            } catch {
                logger.info("WebSocket relay ended with an error", metadata: ["upstream": "\(base)", "error": "\(error)"])
                try? await outbound.close(.goingAway, reason: "upstream connection lost")
                return
            }
        }
        try? await outbound.close(.unknown(1013), reason: "chat service unavailable")
    }

    /// Copies messages both ways until either side stops, then ends the other.
    static func pipe(
        browserInbound: WebSocketInboundStream, browserOutbound: WebSocketOutboundWriter,
        upInbound: WebSocketInboundStream, upOutbound: WebSocketOutboundWriter
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await message in browserInbound.messages(maxSize: maxMessageSize) {
                    try await upOutbound.write(outboundFrame(message))
                }
                try? await upOutbound.close(.normalClosure, reason: nil)
            }
            group.addTask {
                // chat-service's frames go to the browser as they came, bytes in, bytes out:
                // no decoding to a string and no re-framing on the busiest path.
                for try await frame in upInbound {
                    try await browserOutbound.write(.custom(WebSocketFrame(fin: frame.fin, opcode: opcode(frame.opcode), data: frame.data)))
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    static func opcode(_ opcode: WebSocketDataFrame.Opcode) -> WebSocketOpcode {
        switch opcode {
        case .text: .text
        case .binary: .binary
        case .continuation: .continuation
        }
    }

    static func outboundFrame(_ message: WebSocketMessage) -> WebSocketOutboundWriter.OutboundFrame {
        switch message {
        case .text(let text): .text(text)
        case .binary(let bytes): .binary(bytes)
        }
    }

    /// Codes a peer may send in a close frame (1005/1006/1015 are reserved for reporting).
    static func forwardable(_ code: WebSocketErrorCode) -> WebSocketErrorCode {
        switch code {
        case .unknown(let number) where number == 1005 || number == 1006 || number == 1015: .goingAway
        default: code
        }
    }
}
