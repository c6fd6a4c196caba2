import Foundation
import Logging
import OTel
import ServiceLifecycle

/// Traces, exported over OTLP when an endpoint is configured — and off otherwise
/// (the default locally): `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`)
/// turns them on. Every other setting is OpenTelemetry's own environment variable:
/// `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or `http/json`),
/// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` (default
/// `parentbased_always_on`: a service follows the decision of whoever called it),
/// `OTEL_BSP_SCHEDULE_DELAY` and the rest. Only W3C Trace Context is propagated.
public enum TraceExport {
    /// The settings the services' manifests may carry for traces (OpenTelemetry reads them; so does `isConfigured`).
    public static let variables = [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_TRACES_EXPORTER",
        "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_SDK_DISABLED", "OTEL_BSP_SCHEDULE_DELAY",
    ]

    /// Whether the environment asks for traces.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        let endpoint = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? ""
        return !endpoint.isEmpty && environment["OTEL_TRACES_EXPORTER"]?.lowercased() != "none"
            && environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
    }

    /// The samplers and exporters this build can run, checked before OpenTelemetry reads them
    /// (it would take an unreadable ratio for 1.0, and stop the process on a remote sampler).
    static func validate(_ environment: [String: String]) throws {
        let samplers: Set<String> = [
            "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
        ]
        if let sampler = environment["OTEL_TRACES_SAMPLER"], !sampler.isEmpty, !samplers.contains(sampler) {
            throw ConfigurationError(name: "OTEL_TRACES_SAMPLER", problem: "expected one of \(samplers.sorted().joined(separator: ", "))")
        }
        if let ratio = environment["OTEL_TRACES_SAMPLER_ARG"], !ratio.isEmpty {
            guard let value = Double(ratio), (0...1).contains(value) else {
                throw ConfigurationError(
                    name: "OTEL_TRACES_SAMPLER_ARG", problem: "expected a ratio from 0 to 1, got \(ratio.debugDescription)")
            }
        }
        if let exporter = environment["OTEL_TRACES_EXPORTER"], !exporter.isEmpty, exporter != "otlp" {
            throw ConfigurationError(name: "OTEL_TRACES_EXPORTER", problem: "expected otlp (or none to turn traces off)")
        }
        if let format = environment["OTEL_EXPORTER_OTLP_PROTOCOL"], !format.isEmpty, !["http/protobuf", "http/json"].contains(format) {
            throw ConfigurationError(
                name: "OTEL_EXPORTER_OTLP_PROTOCOL", problem: "expected http/protobuf or http/json (gRPC is not built in)")
        }
    }

    /// Bootstraps the process's tracer (once, in `main`) and returns the exporter's service
    /// to run beside the application, or nil when tracing is off (spans then cost nothing).
    /// Call it before anything makes an HTTP client: AsyncHTTPClient takes the tracer
    /// when its configuration is made, and its client spans carry the trace on.
    public static func bootstrap(
        service: String, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) throws -> (any Service)? {
        guard isConfigured(environment) else { return nil }
        try validate(environment)
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.sampler = .parentBasedAlwaysOn
        configuration.propagators = [.traceContext]
        configuration.diagnosticLogger = .custom(logger)
        // Its warnings would print whole carriers (request headers); errors only.
        configuration.diagnosticLogLevel = .error
        let exporter = try OTel.bootstrap(configuration: configuration, environment: environment)
        logger.info("exporting traces over OTLP", metadata: ["service": "\(service)"])
        return exporter
    }
}
