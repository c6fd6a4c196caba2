import HTTPTypes
import ServiceKit

/// A database that stayed out of reach past the pool's `reconnectWait` is a 503
/// with `Retry-After`; any other database failure is ours (500), and its text
/// stays in the log.
extension PostgresError: ProblemConvertible {
    public var problem: AppError {
        guard kind == .connection else {
            return AppError(.internalServerError, code: "internal_error", detail: "Something went wrong on our side.")
        }
        return AppError(
            .serviceUnavailable, code: "database_unavailable", detail: "The database is not reachable; try again shortly.",
            headers: [.retryAfter: "2"])
    }
}
