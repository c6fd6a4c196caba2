import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// TLS for Redis. hiredis as Debian ships it (0.14) speaks plain TCP only, so
/// a `rediss://` endpoint is reached through this tunnel: a listener on a
/// loopback port of this process, whose every connection is carried to Redis
/// over TLS (SwiftNIO + NIOSSL), the server's certificate verified against the
/// URL's `sslrootcert` (or the system's roots) and its name or address. The
/// plain hop never leaves the process's own loopback; hiredis connects to it
/// as if it were Redis.
final class RedisTLSTunnel: Sendable {
    let upstreamHost: String
    let upstreamPort: Int
    private let context: NIOSSLContext
    private let group: any EventLoopGroup
    private let listener = Mutex<(channel: any Channel, port: Int)?>(nil)

    init(host: String, port: Int, caFile: String?, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let caFile { configuration.trustRoots = .file(caFile) }
        self.context = try NIOSSLContext(configuration: configuration)
        self.upstreamHost = host
        self.upstreamPort = port
        self.group = group
    }

    /// The loopback port to connect hiredis to, listening from the first call on.
    /// Blocks while it binds: call it where hiredis calls are made, never on an event loop.
    func localPort() throws -> Int {
        try listener.withLock { listener in
            if let listener { return listener.port }
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { [self] inbound in carry(inbound) }
                .bind(host: "127.0.0.1", port: 0).wait()
            guard let port = channel.localAddress?.port else { throw RedisError(kind: .connection, message: "the TLS tunnel has no port") }
            listener = (channel, port)
            return port
        }
    }

    /// Glues one accepted plain connection to a new TLS connection to Redis.
    /// What hiredis sends before the TLS connection is up waits in the relay.
    private func carry(_ inbound: any Channel) -> EventLoopFuture<Void> {
        let (upstreamHost, upstreamPort) = (self.upstreamHost, self.upstreamPort)
        let serverHostname = Self.isIPAddress(upstreamHost) ? nil : upstreamHost
        let context = self.context
        return inbound.eventLoop.makeCompletedFuture {
            let (toRedis, toClient) = RelayHandler.pair()
            try inbound.pipeline.syncOperations.addHandler(toRedis)
            let relay = NIOLoopBound(toClient, eventLoop: inbound.eventLoop)
            ClientBootstrap(group: inbound.eventLoop)
                .connectTimeout(.seconds(5))
                .channelInitializer { outbound in
                    outbound.eventLoop.makeCompletedFuture {
                        try outbound.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverHostname))
                        try outbound.pipeline.syncOperations.addHandler(relay.value)
                    }
                }
                .connect(host: upstreamHost, port: upstreamPort)
                .whenFailure { _ in inbound.close(promise: nil) }
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0)) != nil
    }

    func shutdown() {
        listener.withLock { listener in
            listener?.channel.close(promise: nil)
            listener = nil
        }
    }
}

/// Relays bytes between two channels on one event loop: what one reads, the
/// other writes; when one closes or fails, both close.
final class RelayHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: RelayHandler?
    private var context: ChannelHandlerContext?
    /// Writes that arrived before this side's channel was ready.
    private var pending: [NIOAny] = []
    /// The partner closed before this side's channel was ready: close it once it is.
    private var closeWhenAdded = false

    static func pair() -> (RelayHandler, RelayHandler) {
        let first = RelayHandler(), second = RelayHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if closeWhenAdded {
            context.close(promise: nil)
            return
        }
        if !pending.isEmpty {
            for data in pending { context.write(data, promise: nil) }
            pending = []
            context.flush()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.send(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.flushOut()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closeOut()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
        partner?.closeOut()
    }

    // Both channels of a pair live on one event loop (the outbound connection is
    // made on the inbound channel's loop), so the partner is called directly.
    private func send(_ data: NIOAny) {
        guard let context else {
            pending.append(data)
            return
        }
        context.write(data, promise: nil)
    }

    private func flushOut() { context?.flush() }

    private func closeOut() {
        guard let context else {
            closeWhenAdded = true
            return
        }
        context.close(promise: nil)
    }
}
