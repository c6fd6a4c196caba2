import Hummingbird
import ServiceKit

/// Verifies `Authorization: Bearer …` (or `?access_token=` where a route allows
/// it, for WebSockets) and puts the caller's identity in the context.
/// Routes behind it always have an identity; anything else is a 401.
public struct AuthMiddleware<Context: AuthenticatedContext>: RouterMiddleware {
    let verifier: TokenVerifier
    let allowQueryToken: Bool
    let onAuthenticated: (@Sendable (Identity) async -> Void)?

    public init(verifier: TokenVerifier, allowQueryToken: Bool = false, onAuthenticated: (@Sendable (Identity) async -> Void)? = nil) {
        self.verifier = verifier
        self.allowQueryToken = allowQueryToken
        self.onAuthenticated = onAuthenticated
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let identity = try await verifier.verify(try Self.bearerToken(request, allowQuery: allowQueryToken))
        context.identity = identity
        context.logger[metadataKey: "user_id"] = .string(identity.userId.uuidString.lowercased())
        await onAuthenticated?(identity)
        return try await next(request, context)
    }

    public static func bearerToken(_ request: Request, allowQuery: Bool) throws -> String {
        try bearerToken(
            authorization: request.headers[.authorization],
            queryToken: allowQuery ? request.uri.queryParameters.get("access_token") : nil)
    }

    /// The token from an `Authorization: Bearer …` header, else from `?access_token=` (when given).
    public static func bearerToken(authorization: String?, queryToken: String?) throws -> String {
        if let header = authorization {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
                throw AppError.unauthorized("invalid_token", "Use 'Authorization: Bearer <access token>'.")
            }
            return String(parts[1])
        }
        if let token = queryToken, !token.isEmpty {
            return token
        }
        throw AppError.unauthorized("missing_token", "This endpoint needs a bearer access token.")
    }
}
