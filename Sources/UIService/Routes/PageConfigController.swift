import Hummingbird
import ServiceKit

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
        /// The longest message chat-service takes, in characters: the page counts near it and never cuts.
        var maxMessageLength: Int
    }

    let config: PageConfig

    init(oidcIssuer: String?, clientId: String, maxUploadBytes: Int, maxMessageLength: Int) {
        let auth: PageConfig.Auth = oidcIssuer.map { .init(mode: "oidc", issuer: $0, clientId: clientId) } ?? .init(mode: "local")
        config = PageConfig(auth: auth, maxUploadBytes: maxUploadBytes, maxMessageLength: maxMessageLength)
    }

    func addRoutes(to router: Router<Context>) {
        router.get("config.json") { request, context -> Response in
            var response = try JSONResponse(config).response(from: request, context: context)
            response.headers[.cacheControl] = "no-cache"
            return response
        }
    }
}
