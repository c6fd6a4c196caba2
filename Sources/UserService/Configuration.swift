import Logging
import Shared

/// user-service's settings, read from the environment (see the README's table).
struct UserServiceConfiguration: Sendable {
    var host: String
    var port: Int
    var databaseURL: String
    var databasePoolSize: Int
    /// The `iss` of every token and the base of the discovery document.
    var issuerURL: String
    var audience: String
    var accessTokenLifetime: Duration
    var refreshTokenLifetime: Duration
    var signingKeyRotation: Duration
    /// When set, accounts live at this external issuer (Keycloak in a cluster): its tokens are
    /// accepted, profiles are made on first sight, and the password endpoints are off.
    var externalIssuer: String?
    var externalDiscoveryURL: String?
    var logLevel: Logger.Level

    init(environment: EnvironmentReader = EnvironmentReader()) throws {
        host = environment.string("HOST", default: "127.0.0.1")
        port = try environment.int("PORT", default: 8081, in: 1...65535)
        databaseURL = try environment.secret("DATABASE_URL")
            ?? "postgresql://user_service@127.0.0.1:5432/microchat?sslmode=prefer"
        databasePoolSize = try environment.int("DATABASE_POOL_SIZE", default: MachineSize.databasePoolSize, in: 1...256)
        issuerURL = environment.string("ISSUER_URL", default: "http://127.0.0.1:\(port)")
        audience = environment.string("TOKEN_AUDIENCE", default: "microchat")
        accessTokenLifetime = .seconds(try environment.int("ACCESS_TOKEN_TTL_SECONDS", default: 900))
        refreshTokenLifetime = .seconds(try environment.int("REFRESH_TOKEN_TTL_SECONDS", default: 30 * 24 * 3600))
        signingKeyRotation = .seconds(try environment.int("SIGNING_KEY_ROTATION_SECONDS", default: 30 * 24 * 3600))
        externalIssuer = environment.optionalString("AUTH_ISSUER")
        externalDiscoveryURL = externalIssuer.map { environment.string("AUTH_DISCOVERY_URL", default: $0 + "/.well-known/openid-configuration") }
        logLevel = try environment.logLevel()
        guard accessTokenLifetime > .zero, refreshTokenLifetime > .zero else {
            throw ConfigurationError(name: "ACCESS_TOKEN_TTL_SECONDS", problem: "token lifetimes must be positive")
        }
    }

    /// The effective configuration, secrets masked, for the start-up log line.
    var logMetadata: Logger.Metadata {
        [
            "host": "\(host)", "port": "\(port)", "database_url": "\(maskURLCredentials(databaseURL))",
            "database_pool_size": "\(databasePoolSize)", "issuer_url": "\(issuerURL)", "audience": "\(audience)",
            "access_token_ttl_s": "\(accessTokenLifetime.components.seconds)",
            "refresh_token_ttl_s": "\(refreshTokenLifetime.components.seconds)", "log_level": "\(logLevel)",
            "auth_issuer": "\(externalIssuer ?? "(this service)")", "auth_discovery_url": "\(externalDiscoveryURL ?? "-")",
        ]
    }
}
