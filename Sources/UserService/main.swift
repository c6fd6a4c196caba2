import Foundation
import Hummingbird
import Logging
import ServiceKit

/// Reads the configuration, builds the service and runs it until SIGTERM/SIGINT,
/// when in-flight requests finish before the process exits.
ServiceRuntime.runConcurrencyOnEventLoops()
do {
    let configuration = try UserServiceConfiguration()
    let registry = ServiceRuntime.bootstrap(service: "user-service", logLevel: configuration.logLevel)
    let logger = Logger(label: "user-service")
    let traces = try TraceExport.bootstrap(service: "user-service", logger: logger)
    let app = try await buildApplication(configuration: configuration, registry: registry)
    try await ServiceRuntime.run(app, traces: traces, logger: logger)
} catch {
    FileHandle.standardError.write(Data("user-service: cannot start: \(error)\n".utf8))
    exit(1)
}
