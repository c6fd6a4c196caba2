import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceKit

/// ui-service's request context: the request id it passes on, and the
/// WebSocket handler slot the `/api/ws` upgrade fills.
struct UIRequestContext: RequestIDContext, WebSocketRequestContext, ClientAddressContext, Sendable {
    var coreContext: CoreRequestContextStorage
    var requestId: String
    let webSocket: WebSocketHandlerReference<Self>
    let peerAddress: String?
    var clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestId = ""
        webSocket = .init()
        peerAddress = source.channel.peerIPAddress
        clientAddress = nil
    }

    /// Bodies the proxy reads whole before passing them on; the services set their own, lower limits.
    var maxUploadSize: Int { 1024 * 1024 }
}
