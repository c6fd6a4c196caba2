import Foundation
import Logging
import ServiceKit

/// ui-service's settings, read from the environment (see the README's table).
struct UIServiceConfiguration: Sendable {
    var host: String
    var port: Int
    var userServiceURL: String
    var chatServiceURLs: [String]
    var upstreamTimeoutSeconds: Int
    var assetsDirectory: String?
    /// Sign-in through an OpenID Connect provider (Keycloak in a cluster) instead of user-service's forms.
    var oidcIssuer: String?
    var oidcClientId: String
    /// The largest file the page offers to send (the same setting as chat-service's).
    var attachmentMaxBytes: Int
    /// The longest message chat-service takes (its `MAX_MESSAGE_LENGTH`): the page counts characters near it.
    var maxMessageLength: Int
    /// Proxies in front of ui-service whose X-Forwarded-For is believed (none by default: it faces browsers).
    var trustedProxies: TrustedProxies
    var trustedProxiesText: String
    var logLevel: Logger.Level

    init(environment: EnvironmentReader = EnvironmentReader()) throws {
        host = environment.string("HOST", default: "127.0.0.1")
        port = try environment.int("PORT", default: 8080, in: 1...65535)
        userServiceURL = try Self.baseURL(
            environment.string("USER_SERVICE_URL", default: "http://127.0.0.1:8081"), name: "USER_SERVICE_URL")
        let chats = environment.string("CHAT_SERVICE_URLS", default: "http://127.0.0.1:8082")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !chats.isEmpty else { throw ConfigurationError(name: "CHAT_SERVICE_URLS", problem: "needs at least one URL") }
        chatServiceURLs = try chats.map { try Self.baseURL($0, name: "CHAT_SERVICE_URLS") }
        upstreamTimeoutSeconds = try environment.int("UPSTREAM_TIMEOUT_SECONDS", default: 15, in: 1...300)
        assetsDirectory = environment.optionalString("UI_ASSETS_DIR")
        oidcIssuer = try environment.optionalString("OIDC_ISSUER").map { try Self.baseURL($0, name: "OIDC_ISSUER") }
        oidcClientId = environment.string("OIDC_CLIENT_ID", default: "microchat-web")
        attachmentMaxBytes = try environment.int("ATTACHMENT_MAX_BYTES", default: 25 * 1024 * 1024, in: 1...1024 * 1024 * 1024)
        maxMessageLength = try environment.int("MAX_MESSAGE_LENGTH", default: 4000, in: 1...1_000_000)
        trustedProxiesText = environment.string("TRUSTED_PROXIES", default: "none")
        do { trustedProxies = try TrustedProxies(trustedProxiesText) } catch {
            throw ConfigurationError(name: "TRUSTED_PROXIES", problem: "\(error)")
        }
        logLevel = try environment.logLevel()
    }

    /// An http(s) URL without a trailing slash, or a configuration error naming the variable.
    static func baseURL(_ value: String, name: String) throws -> String {
        guard let components = URLComponents(string: value), let scheme = components.scheme,
            ["http", "https"].contains(scheme), components.host?.isEmpty == false
        else { throw ConfigurationError(name: name, problem: "expected http(s)://host:port, got \(value)") }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    var logMetadata: Logger.Metadata {
        [
            "host": "\(host)", "port": "\(port)", "user_service_url": "\(userServiceURL)",
            "chat_service_urls": "\(chatServiceURLs.joined(separator: ","))",
            "upstream_timeout_seconds": "\(upstreamTimeoutSeconds)",
            "ui_assets_dir": "\(assetsDirectory ?? "(bundled)")", "log_level": "\(logLevel)",
            "oidc_issuer": "\(oidcIssuer ?? "(none: user-service's forms)")", "oidc_client_id": "\(oidcClientId)",
            "attachment_max_bytes": "\(attachmentMaxBytes)", "max_message_length": "\(maxMessageLength)",
            "trusted_proxies": "\(trustedProxiesText)",
        ]
    }
}
