import ChatProtocol
import Instrumentation
import NIOHTTP1
import ServiceContextModule
import Tracing

/// A span's W3C `traceparent` as text, for what carries a trace where no HTTP header
/// goes (the Redis envelope of a message), and back. Without a tracer (tracing off)
/// there is never one, and nothing is spent.
public enum TraceParent {
    /// The `traceparent` of the context's span, if it has one that is sampled (an unsampled
    /// span's children would be dropped anyway: nothing is carried for them).
    public static func of(_ context: ServiceContext) -> String? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: TextMapInjector())
        guard let parent = carrier["traceparent"], isWellFormed(parent), isSampled(parent) else { return nil }
        return parent
    }

    /// W3C's form (`RoutingHeader.isTraceParent`, the one check of it).
    public static func isWellFormed(_ text: some StringProtocol) -> Bool { RoutingHeader.isTraceParent(text) }

    /// Whether a well-formed `traceparent`'s sampled flag is set.
    static func isSampled(_ text: String) -> Bool {
        guard let flags = UInt8(text.suffix(2), radix: 16) else { return false }
        return flags & 1 == 1
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
