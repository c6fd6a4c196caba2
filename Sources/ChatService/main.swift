import Foundation
import Hummingbird
import Logging
import ServiceKit

/// Reads the configuration, builds the service and runs it until SIGTERM/SIGINT.
ServiceRuntime.runConcurrencyOnEventLoops()
do {
    let configuration = try ChatServiceConfiguration()
    let registry = ServiceRuntime.bootstrap(service: "chat-service", logLevel: configuration.logLevel)
    let logger = Logger(label: "chat-service")
    let traces = try TraceExport.bootstrap(service: "chat-service", logger: logger)
    let app = try await buildApplication(configuration: configuration, registry: registry)
    try await ServiceRuntime.run(app, traces: traces, logger: logger)
} catch {
    FileHandle.standardError.write(Data("chat-service: cannot start: \(error)\n".utf8))
    exit(1)
}
