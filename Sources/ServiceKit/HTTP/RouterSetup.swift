import Foundation
import Hummingbird

extension Router where Context: RequestIDContext {
    /// The middleware every MicroChat service runs, outermost first: a span per request
    /// (continuing the caller's `traceparent`) when traces are exported, request ids,
    /// request logs, metrics, then problem+json for whatever a handler throws.
    public func addStandardMiddleware(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if TraceExport.isConfigured(environment) { add(middleware: RequestSpanMiddleware<Context>()) }
        add(middleware: RequestIDMiddleware())
        add(middleware: RequestLogMiddleware(.info))
        add(middleware: MetricsMiddleware())
        add(middleware: ProblemMiddleware())
    }
}

extension Parameters {
    /// The named path parameter as a UUID, or 400 `invalid_id` naming what it should have been.
    public func requireUUID(_ name: String, what: String) throws -> UUID {
        guard let id = UUID(uuidString: get(name) ?? "") else {
            throw AppError.badRequest("invalid_id", "The \(what) id must be a UUID.")
        }
        return id
    }
}
