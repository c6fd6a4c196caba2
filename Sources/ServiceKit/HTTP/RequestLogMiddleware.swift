import Foundation
import Hummingbird
import Logging

/// Logs each answered request once: method, path, status and duration. Query
/// parameters that carry credentials (`access_token` on the WebSocket, OAuth
/// `code`s) are masked, so a log never holds a usable token.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static var secretParameters: Set<String> { ["access_token", "refresh_token", "token", "code", "ticket"] }

    let level: Logger.Level

    public init(_ level: Logger.Level) {
        self.level = level
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, since: started)
            return response
        } catch {
            log(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(
            level: level, "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(Self.loggable(path: request.uri.path, query: request.uri.query)),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.1f", milliseconds)),
            ])
    }

    /// The request target with the values of credential-carrying query parameters masked.
    static func loggable(path: String, query: String?) -> String {
        guard let query, !query.isEmpty else { return path }
        let masked = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return secretParameters.contains(name.removingPercentEncoding ?? name) ? "\(name)=****" : String(pair)
        }
        return path + "?" + masked.joined(separator: "&")
    }
}
