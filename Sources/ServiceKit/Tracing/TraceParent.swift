import Instrumentation
import NIOHTTP1
import ServiceContextModule
import Tracing

/// A span's W3C `traceparent` as text, for what carries a trace where no HTTP header
/// goes (the Redis envelope of a message), and back. Without a tracer (tracing off)
/// there is never one, and nothing is spent.
public enum TraceParent {
    /// The `traceparent` of the context's span, if it has one.
    public static func of(_ context: ServiceContext) -> String? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: TextMapInjector())
        return carrier["traceparent"]
    }

    /// A context whose span is the one `traceparent` names (its remote parent).
    public static func context(_ traceparent: String) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: TextMapExtractor())
        return context
    }

    /// Takes a caller's trace headers off a request passed on: AsyncHTTPClient adds the current
    /// span's (its client span's) itself, and two `traceparent`s would make the next service start afresh.
    public static func strip(from headers: inout HTTPHeaders) {
        headers.remove(name: "traceparent")
        headers.remove(name: "tracestate")
    }
}

struct TextMapInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

struct TextMapExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
