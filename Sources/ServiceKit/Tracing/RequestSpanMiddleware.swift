import HTTPTypes
import Hummingbird

/// A span per API request (Hummingbird's `TracingMiddleware`: it continues the caller's
/// `traceparent`). Not traced: the operations routes, the page's files and the
/// WebSocket upgrade — probes, scrapes and assets would be most of the traces and
/// say nothing. A `traceparent` that is not W3C's exact form is dropped before the
/// tracer sees it (it would log the whole carrier, tokens included), and `tracestate`
/// always is: nothing here uses it and its size has no bound. Tokens in a query are
/// redacted from the span.
public struct RequestSpanMiddleware<Context: RequestContext>: RouterMiddleware {
    private let tracing = TracingMiddleware<Context>(redactingQueryParameters: ["access_token", "ticket"])

    public init() {}

    /// Whether a path's requests are traced: the API and the internal calls, not the socket's upgrade.
    public static func traces(_ path: String) -> Bool {
        (path.hasPrefix("/api/") || path.hasPrefix("/internal/")) && path != "/api/ws"
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.traces(request.uri.path) else { return try await next(request, context) }
        var request = request
        let unusable = request.headers.contains { field in
            field.name.canonicalName == "tracestate"
                || (field.name.canonicalName == "traceparent" && !TraceParent.isWellFormed(field.value))
        }
        if unusable {
            // Two traceparents are as bad as a malformed one: all go, and the request starts a trace of its own.
            let parents = request.headers.filter { $0.name.canonicalName == "traceparent" }
            let keep = parents.count == 1 && TraceParent.isWellFormed(parents[0].value)
            var head = request.head
            head.headerFields = HTTPFields(
                request.headers.filter { $0.name.canonicalName != "tracestate" && ($0.name.canonicalName != "traceparent" || keep) })
            request = Request(head: head, body: request.body)
        }
        return try await tracing.handle(request, context: context, next: next)
    }
}
