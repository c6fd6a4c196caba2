import Foundation
import Hummingbird
import Logging
import ServiceKit

/// Reads the configuration, builds the web front and runs it until SIGTERM/SIGINT.
ServiceRuntime.runConcurrencyOnEventLoops()
do {
    let configuration = try UIServiceConfiguration()
    let registry = ServiceRuntime.bootstrap(service: "ui-service", logLevel: configuration.logLevel)
    let logger = Logger(label: "ui-service")
    let traces = try TraceExport.bootstrap(service: "ui-service", logger: logger)
    let app = try await buildApplication(configuration: configuration, registry: registry)
    try await ServiceRuntime.run(app, traces: traces, logger: logger)
} catch {
    FileHandle.standardError.write(Data("ui-service: cannot start: \(error)\n".utf8))
    exit(1)
}
