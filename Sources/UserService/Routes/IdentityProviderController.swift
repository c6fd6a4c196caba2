import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

/// The OpenID-Connect-shaped discovery document and the JWKS that verifiers fetch.
struct IdentityProviderController: Sendable {
    let issuerURL: String
    let keys: SigningKeyStore

    struct Discovery: Codable, Sendable {
        var issuer: String
        var jwks_uri: String
        var token_endpoint: String
        var userinfo_endpoint: String
        var response_types_supported: [String]
        var subject_types_supported: [String]
        var id_token_signing_alg_values_supported: [String]
        var grant_types_supported: [String]
        var claims_supported: [String]
    }

    func addRoutes(to router: Router<UserRequestContext>) {
        router.get("/.well-known/openid-configuration", use: discovery)
        router.get("/.well-known/jwks.json", use: jwks)
    }

    @Sendable func discovery(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<Discovery> {
        JSONResponse(
            Discovery(
                issuer: issuerURL,
                jwks_uri: issuerURL + "/.well-known/jwks.json",
                token_endpoint: issuerURL + "/api/auth/login",
                userinfo_endpoint: issuerURL + "/api/users/me",
                response_types_supported: ["token"],
                subject_types_supported: ["public"],
                id_token_signing_alg_values_supported: ["ES256"],
                grant_types_supported: ["password", "refresh_token"],
                claims_supported: ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "preferred_username", "name"]
            ))
    }

    @Sendable func jwks(_ request: Request, context: UserRequestContext) async throws -> Response {
        let body = try JSONCoding.encoder.encode(try await keys.fetchKeySet())
        return Response(
            status: .ok, headers: [.contentType: "application/jwk-set+json", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: .init(bytes: body)))
    }
}
