import NIOPosix
import ServiceLifecycle

/// Shuts a thread pool down when the service group stops.
public struct ThreadPoolService: Service {
    public let pool: NIOThreadPool
    public init(pool: NIOThreadPool) { self.pool = pool }

    public func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
