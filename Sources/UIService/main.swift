import Foundation
import Hummingbird
import ServiceKit

/// Reads the configuration, builds the web front and runs it until SIGTERM/SIGINT.
ServiceRuntime.runConcurrencyOnEventLoops()
do {
    let configuration = try UIServiceConfiguration()
    let registry = ServiceRuntime.bootstrap(service: "ui-service", logLevel: configuration.logLevel)
    let app = try await buildApplication(configuration: configuration, registry: registry)
    try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
} catch {
    FileHandle.standardError.write(Data("ui-service: cannot start: \(error)\n".utf8))
    exit(1)
}
