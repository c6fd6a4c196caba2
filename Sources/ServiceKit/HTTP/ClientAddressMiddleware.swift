import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A context that knows who is calling from where.
public protocol ClientAddressContext: RequestContext {
    /// The TCP peer (a proxy, or the client itself).
    var peerAddress: String? { get }
    /// The client's address as `ClientAddressMiddleware` worked it out.
    var clientAddress: String? { get set }
}

/// Works out the client's address from the peer and, only when the peer is a
/// trusted proxy, `X-Forwarded-For`.
public struct ClientAddressMiddleware<Context: ClientAddressContext>: RouterMiddleware {
    let trusted: TrustedProxies

    public init(trusted: TrustedProxies) { self.trusted = trusted }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let forwarded = request.headers[values: .xForwardedFor].joined(separator: ",")
        context.clientAddress = trusted.clientAddress(peer: context.peerAddress, forwardedFor: forwarded.isEmpty ? nil : forwarded)
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

extension Channel {
    /// The peer's IP address as text, if it has one.
    public var peerIPAddress: String? { remoteAddress?.ipAddress }
}
