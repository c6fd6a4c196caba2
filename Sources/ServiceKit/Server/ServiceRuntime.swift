import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import OTel
import Prometheus
import ServiceLifecycle
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
            // Each line says which trace it belongs to (trace_id, span_id) when a span is current.
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = JSONLogHandler(label: label, service: service, level: logLevel)
                    handler.metadataProvider = provider
                    return handler
                }, metadataProvider: OTel.makeLoggingMetadataProvider())
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            existing = registry
            return registry
        }
    }

    /// Runs the application until SIGTERM or SIGINT, with the trace exporter beside it
    /// (stopped after the application, so the last requests' spans are sent).
    public static func run(_ application: some Service, traces: (any Service)?, logger: Logger) async throws {
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: application)]
        if let traces { services.insert(.init(service: traces), at: 0) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
