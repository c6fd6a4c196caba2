import ServiceKit

/// What ui-service refuses or cannot do, and the problem+json answer for each.
/// The proxy and the asset routes throw these; `ProblemMiddleware` answers with `problem`.
enum UIError: Error, Equatable, ProblemConvertible {
    /// No page asset at this path.
    case assetNotFound(path: String)
    /// No service behind this path.
    case noRoute(path: String)
    /// The service took longer than the proxy's timeout.
    case upstreamTimeout(service: String)
    /// The service broke off a request that cannot safely be sent again.
    case upstreamFailed(service: String)
    /// No replica of the service accepted a connection.
    case serviceUnavailable(service: String)

    var problem: AppError {
        switch self {
        case let .assetNotFound(path): .notFound("not_found", "There is no file at \(path).")
        case let .noRoute(path): .notFound("not_found", "No service answers \(path).")
        case let .upstreamTimeout(service):
            AppError(.gatewayTimeout, code: "upstream_timeout", detail: "The \(service) did not answer in time.")
        case let .upstreamFailed(service):
            AppError(.badGateway, code: "upstream_failed", detail: "The \(service) broke off the request; try again.")
        case let .serviceUnavailable(service):
            AppError(
                .serviceUnavailable, code: "service_unavailable",
                detail: "The \(service) is not reachable right now; try again in a moment.",
                headers: [.retryAfter: "2"])
        }
    }
}
