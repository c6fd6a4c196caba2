import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// A request context that carries the request id passed between services.
public protocol RequestIDContext: RequestContext {
    var requestId: String { get set }
}

/// A context that can carry the caller's verified identity.
public protocol AuthenticatedContext: RequestIDContext {
    var identity: Identity? { get set }
}

extension AuthenticatedContext {
    /// The verified caller, or 401 when the route needed one and there is none.
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw AppError.unauthorized("missing_token", "This endpoint needs a bearer access token.") }
        return identity
    }
}

/// Takes the caller's `X-Request-Id` (or makes one), puts it in every log line
/// of the request and echoes it in the response, so one id follows a request
/// through every service it touches.
public struct RequestIDMiddleware<Context: RequestIDContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.xRequestID].flatMap { Self.isAcceptable($0) ? $0 : nil }
        let id = incoming ?? UUID().uuidString.lowercased()
        context.requestId = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }

    static func isAcceptable(_ value: String) -> Bool {
        value.utf8.count <= 128 && !value.isEmpty
            && value.utf8.allSatisfy { byte in
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 95
                    || byte == 46
            }
    }
}

extension HTTPField.Name {
    public static let xRequestID = HTTPField.Name("X-Request-Id")!
}
