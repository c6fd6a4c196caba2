import Hummingbird
import Shared

/// `GET /config.json`: what the page needs to know before it starts — how
/// people sign in. On one host that is user-service's own forms; in a cluster,
/// an OpenID Connect provider (Keycloak) with the authorization code flow and PKCE.
struct PageConfigController<Context: RequestContext>: Sendable {
    struct PageConfig: Codable, Sendable {
        struct Auth: Codable, Sendable {
            var mode: String
            var issuer: String?
            var clientId: String?
        }
        var auth: Auth
        /// The largest file the page offers to upload (chat-service refuses bigger ones anyway).
        var maxUploadBytes: Int
    }

    let config: PageConfig

    init(oidcIssuer: String?, clientId: String, maxUploadBytes: Int) {
        if let oidcIssuer {
            config = PageConfig(auth: .init(mode: "oidc", issuer: oidcIssuer, clientId: clientId), maxUploadBytes: maxUploadBytes)
        } else {
            config = PageConfig(auth: .init(mode: "local"), maxUploadBytes: maxUploadBytes)
        }
    }

    func addRoutes(to router: Router<Context>) {
        router.get("config.json") { request, context -> Response in
            var response = try JSONResponse(config).response(from: request, context: context)
            response.headers[.cacheControl] = "no-cache"
            return response
        }
    }
}
