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
}
