import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Request/response Redis commands (PUBLISH above all) over a small set of
/// hiredis connections whose blocking calls run on the client's own threads.
/// A connection that fails is dropped and the next command opens a new one,
/// so the client carries on after a Redis restart.
public final class RedisClient: Sendable {
    final class Slot: Sendable {
        let connection = Mutex<RedisConnection?>(nil)
    }

    public let endpoint: RedisEndpoint
    /// For `rediss://`: the TLS tunnel every connection of this client goes through.
    private let tunnel: Result<RedisTLSTunnel, any Error>?
    private let threads: NIOThreadPool
    private let slots: [Slot]
    private let next = Atomic<Int>(0)

    public init(endpoint: RedisEndpoint, connections: Int = 2) {
        self.endpoint = endpoint
        self.tunnel = endpoint.makeTunnel()
        let count = max(1, connections)
        self.threads = NIOThreadPool(numberOfThreads: count)
        self.threads.start()
        self.slots = (0..<count).map { _ in Slot() }
    }

    /// Runs one command, retrying once on a fresh connection if the pooled one had gone stale.
    public func command(_ arguments: [String]) async throws -> RedisReply {
        try await command(arguments.map { Array($0.utf8) })
    }

    public func command(_ arguments: [[UInt8]]) async throws -> RedisReply {
        let slot = slots[next.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count]
        return try await run(on: slot) { try $0.command(arguments) }
    }

    /// Publishes messages in the order given, in one round trip, on the one
    /// connection `orderKey` always maps to: two calls for the same key that do
    /// not overlap reach Redis in the order they were made. Returns each
    /// message's receiver count; a server error fails the call.
    @discardableResult
    public func publishInOrder(_ messages: [(channel: String, payload: [UInt8])], orderKey: String) async throws -> [Int] {
        guard !messages.isEmpty else { return [] }
        let slot = slots[Int(UInt(bitPattern: orderKey.hashValue) % UInt(slots.count))]
        let commands = messages.map { [Array("PUBLISH".utf8), Array($0.channel.utf8), $0.payload] }
        let replies = try await run(on: slot) { try $0.pipeline(commands) }
        return try replies.map { reply in
            switch reply {
            case let .integer(count): return Int(count)
            case let .error(message): throw RedisError(kind: .server, message: message)
            default: return 0
            }
        }
    }

    /// Runs commands in one round trip on one connection, in order; returns each reply.
    public func pipeline(_ commands: [[String]]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let slot = slots[next.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count]
        let encoded = commands.map { $0.map { Array($0.utf8) } }
        return try await run(on: slot) { try $0.pipeline(encoded) }
    }

    private func run<T: Sendable>(on slot: Slot, _ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        let endpoint = self.endpoint, tunnel = self.tunnel
        return try await threads.runIfActive {
            try slot.connection.withLock { connection in
                var attempts = 0
                while true {
                    attempts += 1
                    let hadConnection = connection != nil
                    do {
                        let active = try connection ?? RedisConnection(endpoint: endpoint, tunnel: tunnel)
                        connection = active
                        return try body(active)
                    } catch let error as RedisError where error.kind == .connection {
                        connection = nil
                        // A stale pooled connection gets one retry; a fresh one failing means Redis is down.
                        if !hadConnection || attempts > 1 { throw error }
                    }
                }
            }
        }
    }

    /// Publishes `message` on `channel`; returns how many subscribers received it.
    @discardableResult
    public func publish(_ message: [UInt8], to channel: String) async throws -> Int {
        let reply = try await command([Array("PUBLISH".utf8), Array(channel.utf8), message])
        guard case let .integer(count) = reply else { return 0 }
        return Int(count)
    }

    /// PING, for readiness checks.
    public func ping() async throws {
        _ = try await command(["PING"])
    }

    public func shutdown() async {
        for slot in slots { slot.connection.withLock { $0 = nil } }
        try? await threads.shutdownGracefully()
        try? tunnel?.get().shutdown()
    }
}

extension RedisClient: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
