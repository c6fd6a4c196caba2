import Hummingbird
import ServiceKit
import Testing

/// When the services export traces: only with an OTLP endpoint, and never when OpenTelemetry's
/// own switches say no — so a machine without a collector pays nothing for spans.
@Suite("trace export settings")
struct TraceExportTests {
    @Test("an endpoint turns traces on; none, an empty one or the SDK switched off leaves them off")
    func configured() {
        #expect(TraceExport.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"]))
        #expect(TraceExport.isConfigured(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"]))
        #expect(!TraceExport.isConfigured([:]))
        #expect(!TraceExport.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": ""]))
        #expect(!TraceExport.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318", "OTEL_TRACES_EXPORTER": "none"]))
        #expect(!TraceExport.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318", "OTEL_SDK_DISABLED": "TRUE"]))
        #expect(TraceExport.variables.contains("OTEL_EXPORTER_OTLP_ENDPOINT") && TraceExport.variables.allSatisfy { $0.hasPrefix("OTEL_") })
    }

    @Test("only W3C's exact traceparent is continued: version 00, lowercase hex, ids not all zero")
    func traceParentForm() {
        #expect(TraceParent.isWellFormed("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(TraceParent.isWellFormed("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        for bad in [
            "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4bf92f3577b34da6a3ce929d0e0e473\u{0663}-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", String(repeating: "a", count: 4000),
        ] {
            #expect(!TraceParent.isWellFormed(bad), "\(bad.prefix(60))")
        }
    }

    @Test("the API and internal calls are traced; probes, scrapes, files and the socket's upgrade are not")
    func tracedPaths() {
        for path in ["/api/rooms/x/messages", "/internal/users/by-username", "/api/auth/login"] {
            #expect(RequestSpanMiddleware<BasicRequestContext>.traces(path), "\(path)")
        }
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/api/ws", "/", "/js/main.js", "/.well-known/jwks.json"] {
            #expect(!RequestSpanMiddleware<BasicRequestContext>.traces(path), "\(path)")
        }
    }
}
