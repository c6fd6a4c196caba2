import Logging
import Metrics
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A bounded pool of libpq connections whose blocking calls run on the pool's
/// own threads, never on a SwiftNIO event loop.
///
/// Connections are opened lazily, checked before each use and replaced when
/// the server has gone away, so the pool carries on after a PostgreSQL restart.
/// A caller does not see a short restart or failover at all: while the server
/// cannot be reached, work waits (up to `reconnectWait`, retrying with back-off)
/// for it to come back. Work that was already running when the connection
/// died is repeated only when the caller says it is idempotent; otherwise the
/// error is the caller's to answer, since it may have committed.
public final class PostgresPool: Sendable {
    public struct Configuration: Sendable {
        public var url: String
        public var size: Int
        /// How long a caller waits for a free connection before getting `poolExhausted`.
        public var acquireTimeout: Duration
        /// How long work waits for an unreachable server to come back (a restart,
        /// a failover) before its connection error is thrown. Zero: no waiting.
        public var reconnectWait: Duration

        public init(url: String, size: Int = 8, acquireTimeout: Duration = .seconds(10), reconnectWait: Duration = .seconds(5)) {
            self.url = url
            self.size = max(1, size)
            self.acquireTimeout = acquireTimeout
            self.reconnectWait = reconnectWait
        }
    }

    /// One pooled connection. The mutex makes it Sendable: exactly one thread
    /// touches the libpq handle at a time, and the pool hands a slot to one
    /// borrower at a time, so the lock is never contended.
    final class Slot: Sendable {
        let connection = Mutex<PostgresConnection?>(nil)
    }

    private struct State {
        var idle: [Slot]
        var waiters: [(id: Int, continuation: CheckedContinuation<Slot, any Error>)] = []
        var nextWaiterID = 0
        var isShutDown = false
    }

    public let configuration: Configuration
    private let threads: NIOThreadPool
    private let state: Mutex<State>
    private let logger: Logger
    private let inUseGauge: Gauge
    private let waitTimer: Metrics.Timer
    private let retries = Counter(label: "db_reconnect_retries_total")

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: configuration.size)
        self.threads.start()
        self.state = Mutex(State(idle: (0..<configuration.size).map { _ in Slot() }))
        self.inUseGauge = Gauge(label: "db_pool_connections_in_use")
        Gauge(label: "db_pool_connections_size").record(configuration.size)
        self.waitTimer = Metrics.Timer(label: "db_pool_acquire_seconds")
    }

    /// Where a connection error struck: before `body` ran (nothing of it reached
    /// the server), or while it ran (it may have taken effect).
    private enum Attempt: Error {
        case beforeWork(PostgresError)
        case duringWork(PostgresError)
    }

    /// Runs `body` with a connection on one of the pool's threads. While the
    /// server cannot be reached, waits for it up to `reconnectWait` (unless
    /// `waitForServer` is false, as for a readiness probe); when the connection
    /// dies under `body`, runs it again only if `idempotent`.
    public func withConnection<T: Sendable>(
        idempotent: Bool = false, waitForServer: Bool = true,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + (waitForServer ? configuration.reconnectWait : .zero)
        var pause = Duration.milliseconds(50)
        while true {
            let failure: PostgresError
            do {
                return try await attempt(body)
            } catch let Attempt.beforeWork(error) {
                failure = error
            } catch let Attempt.duringWork(error) {
                guard idempotent else { throw error }
                failure = error
            }
            // Waits up to the deadline (the last pause shortened to end there), then one last try.
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, !isShutDown else { throw failure }
            if pause == .milliseconds(50) {
                logger.info("the database cannot be reached; waiting for it", metadata: ["error": "\(failure)"])
            }
            retries.increment()
            try await Task.sleep(for: min(pause, remaining))
            pause = min(pause * 2, .milliseconds(500))
        }
    }

    private var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// One try: a slot, a usable connection (made afresh when needed), `body`.
    private func attempt<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let started = ContinuousClock.now
        let slot = try await acquire()
        waitTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        defer { release(slot) }
        let url = configuration.url
        let logger = self.logger
        return try await threads.runIfActive {
            try slot.connection.withLock { connection in
                if let existing = connection, !existing.isUsable {
                    logger.info("replacing a PostgreSQL connection the server closed")
                    connection = nil
                }
                let active: PostgresConnection
                if let existing = connection {
                    active = existing
                } else {
                    do {
                        active = try PostgresConnection.connect(url: url)
                    } catch let error as PostgresError where error.kind == .connection {
                        throw Attempt.beforeWork(error)
                    }
                    connection = active
                }
                do {
                    return try body(active)
                } catch let error as PostgresError where error.kind == .connection {
                    connection = nil
                    throw Attempt.duringWork(error)
                }
            }
        }
    }

    /// Runs `body` in a transaction on one connection.
    public func transaction<T: Sendable>(
        idempotent: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection(idempotent: idempotent) { connection in try connection.transaction(body) }
    }

    /// Runs one parameterized statement. A `SELECT` counts as idempotent unless
    /// the caller says otherwise; a write only when the caller says so (say,
    /// because its ids are fixed before the first try, so a repeat cannot insert twice).
    /// `prepared` runs it as a prepared statement of the connection (for statements run on
    /// every request, such as a send: parsed and planned once per connection).
    @discardableResult
    public func query(
        _ sql: String, _ parameters: [any PostgresBindable] = [], idempotent: Bool? = nil,
        waitForServer: Bool = true, prepared: Bool = false
    ) async throws -> PostgresRows {
        let repeatable = idempotent ?? Self.isRead(sql)
        return try await withConnection(idempotent: repeatable, waitForServer: waitForServer) { connection in
            prepared ? try connection.queryPrepared(sql, parameters) : try connection.query(sql, parameters)
        }
    }

    static func isRead(_ sql: String) -> Bool {
        sql.drop(while: { $0.isWhitespace }).prefix(7).uppercased() == "SELECT "
    }

    /// Closes every idle connection and fails waiting callers; in-flight work finishes first.
    public func shutdown() async {
        let (slots, waiters) = state.withLock { state -> ([Slot], [CheckedContinuation<Slot, any Error>]) in
            state.isShutDown = true
            let waiters = state.waiters.map(\.continuation)
            state.waiters.removeAll()
            return (state.idle, waiters)
        }
        for waiter in waiters { waiter.resume(throwing: PostgresError(kind: .connection, message: "the pool is shut down")) }
        for slot in slots { slot.connection.withLock { $0 = nil } }
        try? await threads.shutdownGracefully()
    }

    private func acquire() async throws -> Slot {
        if let slot = state.withLock({ state -> Slot? in state.isShutDown ? nil : state.idle.popLast() }) {
            inUseGauge.record(configuration.size - idleCount())
            return slot
        }
        let waiterID = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = configuration.acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.failWaiter(
                waiterID, with: PostgresError(kind: .connection, message: "no database connection became free within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate = state.withLock { state -> Result<Slot, any Error>? in
                    if state.isShutDown { return .failure(PostgresError(kind: .connection, message: "the pool is shut down")) }
                    if let slot = state.idle.popLast() { return .success(slot) }
                    state.waiters.append((waiterID, continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            failWaiter(waiterID, with: CancellationError())
        }
    }

    private func failWaiter(_ id: Int, with error: any Error) {
        let waiter = state.withLock { state -> CheckedContinuation<Slot, any Error>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(throwing: error)
    }

    private func release(_ slot: Slot) {
        let waiter = state.withLock { state -> CheckedContinuation<Slot, any Error>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.idle.append(slot)
            return nil
        }
        waiter?.resume(returning: slot)
        inUseGauge.record(configuration.size - idleCount())
    }

    private func idleCount() -> Int { state.withLock { $0.idle.count } }
}

extension PostgresPool: Service {
    /// Keeps the pool open until graceful shutdown, then closes it.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
