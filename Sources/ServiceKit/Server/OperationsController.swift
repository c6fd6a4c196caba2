import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import Synchronization
import ChatProtocol

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
            var ready = true, degraded = false
            for check in checks {
                do {
                    try await withTimeout(.seconds(2)) { try await check.check() }
                    results[check.name] = "ok"
                } catch  where !check.critical {
                    results[check.name] = "degraded: \(error)"
                    degraded = true
                } catch {
                    results[check.name] = "failing: \(error)"
                    ready = false
                }
            }
            let status = !ready ? "not_ready" : degraded ? "degraded" : "ready"
            let body = try JSONCoding.encoder.encode(Health(status: status, service: service, checks: results))
            return Response(
                status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(bytes: body)))
        }
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: .init(bytes: buffer)))
        }
    }
}
