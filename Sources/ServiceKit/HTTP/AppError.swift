import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One field that failed validation, reported inside a problem document.
public struct FieldError: Codable, Sendable, Equatable {
    public var field: String
    public var code: String
    public var detail: String

    public init(field: String, code: String, detail: String) {
        self.field = field
        self.code = code
        self.detail = detail
    }
}

/// An RFC 9457 problem document; `code` is the stable machine-readable part.
public struct ProblemDetails: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var requestId: String?
    public var errors: [FieldError]?
}

/// An error a client can act on: an HTTP status, a stable code and a sentence.
/// Every service throws these from its handlers; `ProblemMiddleware` turns
/// them (and everything else) into `application/problem+json`.
public struct AppError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String
    public var errors: [FieldError]?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, detail: String, errors: [FieldError]? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    public static func badRequest(_ code: String, _ detail: String) -> AppError { AppError(.badRequest, code: code, detail: detail) }
    public static func notFound(_ code: String, _ detail: String) -> AppError { AppError(.notFound, code: code, detail: detail) }
    public static func conflict(_ code: String, _ detail: String) -> AppError { AppError(.conflict, code: code, detail: detail) }
    public static func forbidden(_ code: String, _ detail: String) -> AppError { AppError(.forbidden, code: code, detail: detail) }

    /// 429 with `Retry-After`: the caller is over a limit for `retryAfter` more seconds.
    public static func tooManyRequests(_ code: String, _ detail: String, retryAfter: Int) -> AppError {
        AppError(.tooManyRequests, code: code, detail: detail, headers: [.retryAfter: String(max(1, retryAfter))])
    }

    /// 503 with `Retry-After`: the service is busy; the same request later will do.
    public static func busy(_ code: String, _ detail: String, retryAfter: Int) -> AppError {
        AppError(.serviceUnavailable, code: code, detail: detail, headers: [.retryAfter: String(max(1, retryAfter))])
    }

    public static func unauthorized(_ code: String, _ detail: String) -> AppError {
        AppError(.unauthorized, code: code, detail: detail, headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }

    public static func validation(_ errors: [FieldError]) -> AppError {
        let summary = errors.map { "\($0.field): \($0.detail)" }.joined(separator: "; ")
        return AppError(.unprocessableContent, code: "validation_failed", detail: summary, errors: errors)
    }

    func problem(requestId: String?) -> ProblemDetails {
        ProblemDetails(
            type: "https://microchat.dev/problems/\(code.replacingOccurrences(of: "_", with: "-"))",
            title: status.reasonPhrase,
            status: status.code,
            detail: detail,
            code: code,
            requestId: requestId,
            errors: errors
        )
    }

    /// The problem+json response for this error.
    public func response(requestId: String?) -> Response {
        let body = problemJSON(requestId: requestId)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The problem document's bytes, for answers written below the router (a refused WebSocket handshake).
    public func problemJSON(requestId: String?) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(problem(requestId: requestId))) ?? Data("{}".utf8)
    }
}
