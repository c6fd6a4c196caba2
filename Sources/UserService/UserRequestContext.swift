import Hummingbird
import ServiceKit

/// user-service's request context: the request id, the caller's address (for
/// sign-in limits) and, once the bearer token is verified, the caller's identity.
struct UserRequestContext: AuthenticatedContext, ClientAddressContext, Sendable {
    var coreContext: CoreRequestContextStorage
    var requestId: String
    var identity: Identity?
    let peerAddress: String?
    var clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestId = ""
        self.identity = nil
        self.peerAddress = source.channel.peerIPAddress
        self.clientAddress = nil
    }

    /// Request bodies above this are refused with 413 before they are read whole.
    var maxUploadSize: Int { 64 * 1024 }
}
