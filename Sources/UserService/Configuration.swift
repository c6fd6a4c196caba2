import Logging
import ObjectStorage
import ServiceKit
import Redis

/// user-service's settings, read from the environment (see the README's table).
struct UserServiceConfiguration: Sendable {
    var host: String
    var port: Int
    var databaseURL: String
    var databasePoolSize: Int
    /// How long a request waits for PostgreSQL to come back (restart, failover) before answering 503.
    var databaseReconnectWait: Duration
    /// The `iss` of every token and the base of the discovery document.
    var issuerURL: String
    var audience: String
    var accessTokenLifetime: Duration
    var refreshTokenLifetime: Duration
    /// The longest one login lasts, however often its refresh token is rotated.
    var refreshFamilyLifetime: Duration
    var signingKeyRotation: Duration
    /// When set, accounts live at this external issuer (Keycloak in a cluster): its tokens are
    /// accepted, profiles are made on first sight, and the password endpoints are off.
    var externalIssuer: String?
    var externalDiscoveryURL: String?
    var redisURL: String
    /// Asked who shares a room with whom (presence is shown to them).
    var chatServiceURL: String
    var trustedProxies: TrustedProxies
    var trustedProxiesText: String
    var limits: AbuseLimits
    /// Where profile pictures are stored, and the largest one.
    var storage: ObjectStoreSettings
    var avatarMaxBytes: Int
    var logLevel: Logger.Level

    init(environment: EnvironmentReader = EnvironmentReader()) throws {
        host = environment.string("HOST", default: "127.0.0.1")
        port = try environment.int("PORT", default: 8081, in: 1...65535)
        databaseURL =
            try environment.secret("DATABASE_URL")
            ?? "postgresql://user_service@127.0.0.1:5432/microchat?sslmode=prefer"
        databasePoolSize = try environment.int("DATABASE_POOL_SIZE", default: MachineSize.databasePoolSize, in: 1...256)
        databaseReconnectWait = .seconds(try environment.int("DATABASE_RECONNECT_WAIT_SECONDS", default: 5, in: 0...60))
        issuerURL = environment.string("ISSUER_URL", default: "http://127.0.0.1:\(port)")
        audience = environment.string("TOKEN_AUDIENCE", default: "microchat")
        accessTokenLifetime = .seconds(try environment.int("ACCESS_TOKEN_TTL_SECONDS", default: 900))
        refreshTokenLifetime = .seconds(try environment.int("REFRESH_TOKEN_TTL_SECONDS", default: 30 * 24 * 3600))
        refreshFamilyLifetime = .seconds(
            try environment.int("REFRESH_FAMILY_MAX_SECONDS", default: 90 * 24 * 3600, in: 1...10 * 365 * 24 * 3600))
        signingKeyRotation = .seconds(try environment.int("SIGNING_KEY_ROTATION_SECONDS", default: 30 * 24 * 3600))
        externalIssuer = environment.optionalString("AUTH_ISSUER")
        externalDiscoveryURL = externalIssuer.map {
            environment.string("AUTH_DISCOVERY_URL", default: $0 + "/.well-known/openid-configuration")
        }
        redisURL = try environment.secret("REDIS_URL") ?? "redis://127.0.0.1:6379"
        chatServiceURL = environment.string("CHAT_SERVICE_URL", default: "http://127.0.0.1:8082")
        guard RedisEndpoint(url: redisURL) != nil else {
            throw ConfigurationError(name: "REDIS_URL", problem: "expected redis://host:port")
        }
        trustedProxiesText = environment.string("TRUSTED_PROXIES", default: "127.0.0.0/8,::1/128")
        do { trustedProxies = try TrustedProxies(trustedProxiesText) } catch {
            throw ConfigurationError(name: "TRUSTED_PROXIES", problem: "\(error)")
        }
        let hashQueue = try environment.int("PASSWORD_HASH_QUEUE_LIMIT", default: 32 * MachineSize.cores, in: 1...100_000)
        limits = AbuseLimits(
            loginFailuresPerAccount: try environment.int("LOGIN_FAILURES_PER_ACCOUNT", default: 10, in: 1...1_000_000),
            loginFailuresPerAddress: try environment.int("LOGIN_FAILURES_PER_ADDRESS", default: 30, in: 1...1_000_000),
            loginFailureWindow: .seconds(try environment.int("LOGIN_FAILURE_WINDOW_SECONDS", default: 900, in: 1...86_400)),
            registrationsPerAddress: try environment.int("REGISTRATIONS_PER_ADDRESS", default: 20, in: 1...1_000_000),
            registrationWindow: .seconds(try environment.int("REGISTRATION_WINDOW_SECONDS", default: 3600, in: 1...86_400)),
            passwordHashQueue: hashQueue,
            unknownLoginHashes: try environment.int("UNKNOWN_LOGIN_HASH_LIMIT", default: max(1, hashQueue / 4), in: 1...100_000),
            ipv6Prefix: try environment.int("IPV6_LIMIT_PREFIX", default: 64, in: 16...128)
        )
        do {
            storage = try ObjectStoreSettings.make(
                backend: environment.string("STORAGE_BACKEND", default: "filesystem"),
                path: environment.string("STORAGE_PATH", default: "./storage"),
                endpoint: environment.optionalString("S3_ENDPOINT"), bucket: environment.optionalString("S3_BUCKET"),
                region: environment.string("S3_REGION", default: "us-east-1"),
                accessKeyId: environment.optionalString("S3_ACCESS_KEY_ID"), secretAccessKey: try environment.secret("S3_SECRET_ACCESS_KEY")
            )
        } catch {
            throw ConfigurationError(name: "STORAGE_BACKEND", problem: "\(error)")
        }
        avatarMaxBytes = try environment.int("AVATAR_MAX_BYTES", default: 5 * 1024 * 1024, in: 1...100 * 1024 * 1024)
        logLevel = try environment.logLevel()
        guard accessTokenLifetime > .zero, refreshTokenLifetime > .zero else {
            throw ConfigurationError(name: "ACCESS_TOKEN_TTL_SECONDS", problem: "token lifetimes must be positive")
        }
    }

    /// The effective configuration, secrets masked, for the start-up log line.
    var logMetadata: Logger.Metadata {
        [
            "host": "\(host)", "port": "\(port)", "database_url": "\(maskURLCredentials(databaseURL))",
            "database_pool_size": "\(databasePoolSize)", "database_reconnect_wait": "\(databaseReconnectWait)",
            "issuer_url": "\(issuerURL)", "audience": "\(audience)",
            "access_token_ttl_s": "\(accessTokenLifetime.components.seconds)",
            "refresh_token_ttl_s": "\(refreshTokenLifetime.components.seconds)",
            "refresh_family_max_s": "\(refreshFamilyLifetime.components.seconds)", "log_level": "\(logLevel)",
            "auth_issuer": "\(externalIssuer ?? "(this service)")", "auth_discovery_url": "\(externalDiscoveryURL ?? "-")",
            "redis_url": "\(maskURLCredentials(redisURL))", "chat_service_url": "\(chatServiceURL)",
            "trusted_proxies": "\(trustedProxiesText)",
            "login_failures_per_account": "\(limits.loginFailuresPerAccount)",
            "login_failures_per_address": "\(limits.loginFailuresPerAddress)",
            "login_failure_window_s": "\(limits.loginFailureWindow.components.seconds)",
            "registrations_per_address": "\(limits.registrationsPerAddress)",
            "registration_window_s": "\(limits.registrationWindow.components.seconds)",
            "password_hash_queue_limit": "\(limits.passwordHashQueue)",
            "unknown_login_hash_limit": "\(limits.unknownLoginHashes)", "ipv6_limit_prefix": "\(limits.ipv6Prefix)",
            "storage": "\(storage)", "avatar_max_bytes": "\(avatarMaxBytes)",
        ]
    }
}
