import Hummingbird

/// A span per request (Hummingbird's `TracingMiddleware`: it continues the caller's
/// `traceparent`), except for the operations routes: probes and scrapes every few
/// seconds would be most of the traces and say nothing. Tokens in a query (the
/// WebSocket's `access_token`, a ticket) are redacted from the span.
public struct RequestSpanMiddleware<Context: RequestContext>: RouterMiddleware {
    static var untraced: Set<String> { ["/healthz", "/readyz", "/metrics", "/openapi.json"] }

    private let tracing = TracingMiddleware<Context>(redactingQueryParameters: ["access_token", "ticket"])

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.untraced.contains(request.uri.path) { return try await next(request, context) }
        return try await tracing.handle(request, context: context, next: next)
    }
}
