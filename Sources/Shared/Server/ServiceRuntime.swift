import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import Synchronization

/// Process-wide set-up that every service does once in `main`: JSON logs and
/// the Prometheus registry behind swift-metrics.
public enum ServiceRuntime {
    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Makes SwiftNIO's event loops Swift Concurrency's global executor, so a
    /// handler's `await` resumes on the thread that does the I/O instead of
    /// hopping between two thread pools for every read and write (the largest
    /// single cost in chat-service's profile). Call first thing in `main`, on
    /// the main thread; `CONCURRENCY_ON_EVENT_LOOPS=false` keeps Swift's own
    /// pool. Safe because nothing here blocks a task: libpq, hiredis and scrypt
    /// run on their own thread pools.
    @discardableResult
    public static func runConcurrencyOnEventLoops(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard environment["CONCURRENCY_ON_EVENT_LOOPS"]?.lowercased() != "false" else { return false }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Bootstraps logging and metrics (once per process) and returns the registry `/metrics` emits.
    public static func bootstrap(service: String, logLevel: Logger.Level) -> PrometheusCollectorRegistry {
        bootstrapped.withLock { existing in
            if let existing { return existing }
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, service: service, level: logLevel) }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            existing = registry
            return registry
        }
    }
}

/// A check behind `/readyz`: a name and something that throws when the dependency does not answer.
public struct ReadinessCheck: Sendable {
    public var name: String
    public var check: @Sendable () async throws -> Void

    public init(name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}

/// `/healthz`, `/readyz` and `/metrics`, the same on every service.
public struct OperationsController: Sendable {
    public let service: String
    public let checks: [ReadinessCheck]
    public let registry: PrometheusCollectorRegistry

    public init(service: String, checks: [ReadinessCheck], registry: PrometheusCollectorRegistry) {
        self.service = service
        self.checks = checks
        self.registry = registry
    }

    struct Health: Codable, Sendable {
        var status: String
        var service: String
        var checks: [String: String]?
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/healthz") { _, _ in
            JSONResponse(Health(status: "ok", service: service))
        }
        router.get("/readyz") { _, _ -> Response in
            var results: [String: String] = [:]
            var ready = true
            for check in checks {
                do {
                    try await withTimeout(.seconds(2)) { try await check.check() }
                    results[check.name] = "ok"
                } catch {
                    results[check.name] = "failing: \(error)"
                    ready = false
                }
            }
            let body = try JSONCoding.encoder.encode(Health(status: ready ? "ready" : "not_ready", service: service, checks: results))
            return Response(status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(bytes: body)))
        }
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: .init(bytes: buffer)))
        }
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var description: String { "timed out" }
}

/// Runs `body`, giving up after `duration`.
public func withTimeout<T: Sendable>(_ duration: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimeoutError() }
        return first
    }
}
