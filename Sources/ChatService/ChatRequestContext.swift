import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceKit

/// chat-service's request context: request id, verified caller, and the
/// WebSocket handler slot the `/api/ws` upgrade fills.
struct ChatRequestContext: AuthenticatedContext, WebSocketRequestContext, Sendable {
    var coreContext: CoreRequestContextStorage
    var requestId: String
    var identity: Identity?
    let webSocket: WebSocketHandlerReference<Self>

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestId = ""
        identity = nil
        webSocket = .init()
    }

    var maxUploadSize: Int { 64 * 1024 }
}
