import Shared

/// A database that cannot be reached is a 503 the caller can retry; any other
/// database failure is ours (500), and its text stays in the log.
extension PostgresError: ProblemConvertible {
    public var problem: AppError {
        guard kind == .connection else {
            return AppError(.internalServerError, code: "internal_error", detail: "Something went wrong on our side.")
        }
        return AppError(.serviceUnavailable, code: "database_unavailable", detail: "The database is not reachable; try again shortly.")
    }
}
