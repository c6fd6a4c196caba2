import Foundation
import Hummingbird
import ServiceKit

/// Reads the configuration, builds the service and runs it until SIGTERM/SIGINT.
ServiceRuntime.runConcurrencyOnEventLoops()
do {
    let configuration = try ChatServiceConfiguration()
    let registry = ServiceRuntime.bootstrap(service: "chat-service", logLevel: configuration.logLevel)
    let app = try await buildApplication(configuration: configuration, registry: registry)
    try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
} catch {
    FileHandle.standardError.write(Data("chat-service: cannot start: \(error)\n".utf8))
    exit(1)
}
