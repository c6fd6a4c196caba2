import Hummingbird
import Logging

/// Turns every error a handler throws into `application/problem+json`, so
/// clients see one error shape from every service, whatever went wrong.
public struct ProblemMiddleware<Context: RequestIDContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let appError = Self.map(error)
            if appError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)", "code": "\(appError.code)"])
            }
            return appError.response(requestId: context.requestId)
        }
    }

    static func map(_ error: any Error) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case let error as any ProblemConvertible:
            return error.problem
        case let error as HTTPError:
            return AppError(
                error.status, code: Self.code(for: error.status), detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
        case let error as any HTTPResponseError:
            return AppError(error.status, code: Self.code(for: error.status), detail: error.status.reasonPhrase)
        default:
            return AppError(.internalServerError, code: "internal_error", detail: "Something went wrong on our side.")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 429: "too_many_requests"
        case 503: "service_unavailable"
        default: status.code >= 500 ? "internal_error" : "http_\(status.code)"
        }
    }
}
