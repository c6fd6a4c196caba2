import HTTPTypes
import ServiceKit

/// Redis that cannot be reached is a 503 the caller can retry; any other
/// Redis failure is ours (500), and its text stays in the log.
extension RedisError: ProblemConvertible {
    public var problem: AppError {
        guard kind == .connection else {
            return AppError(.internalServerError, code: "internal_error", detail: "Something went wrong on our side.")
        }
        return AppError(
            .serviceUnavailable, code: "redis_unavailable", detail: "The message bus is not reachable; try again shortly.",
            headers: [.retryAfter: "2"])
    }
}
