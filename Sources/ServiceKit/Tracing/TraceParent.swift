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

    /// W3C's form, version 00: `00-` 32 lowercase hex digits (not all zero) `-` 16 (not all zero) `-` 2.
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 55, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"), bytes[2] == UInt8(ascii: "-"),
            bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
        else { return false }
        let isHex = { (byte: UInt8) in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
        let trace = bytes[3..<35], span = bytes[36..<52], flags = bytes[53..<55]
        guard trace.allSatisfy(isHex), span.allSatisfy(isHex), flags.allSatisfy(isHex) else { return false }
        return trace.contains { $0 != UInt8(ascii: "0") } && span.contains { $0 != UInt8(ascii: "0") }
    }

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
