import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import ServiceKit
import Testing
@testable import UIService

/// ui-service's routes through `buildApplication`, with no network: the page,
/// its configuration, security headers, caching, and the proxy's answer when
/// no upstream answers.
@Suite("ui-service routes")
struct UIServiceRouteTests {
    /// Upstreams on a port nothing listens on: every proxied call finds them down.
    func application(_ extra: [String: String] = [:]) async throws -> some ApplicationProtocol {
        let dead = "http://127.0.0.1:9"
        var values = ["USER_SERVICE_URL": dead, "CHAT_SERVICE_URLS": dead, "UPSTREAM_TIMEOUT_SECONDS": "2"]
        values.merge(extra) { $1 }
        let configuration = try UIServiceConfiguration(environment: EnvironmentReader(values))
        return try await buildApplication(configuration: configuration, registry: PrometheusCollectorRegistry())
    }

    @Test("the page is served with its security headers, and revalidates with its ETag")
    func page() async throws {
        try await application().test(.router) { client in
            let etag = try await client.execute(uri: "/", method: .get) { response -> String? in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                return response.headers[.eTag]
            }
            let tag = try #require(etag)
            try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: tag]) { response in
                #expect(response.status == .notModified)
            }
        }
    }

    @Test("config.json says how the page signs people in")
    func pageConfiguration() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/config.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"local\""))
            }
        }
        try await application(["OIDC_ISSUER": "https://id.example.com/realms/microchat"]).test(.router) { client in
            try await client.execute(uri: "/config.json", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("\"oidc\"") && body.contains("id.example.com"))
            }
        }
        // The longest message chat-service takes, so the page can count near it (MAX_MESSAGE_LENGTH, as chat-service reads it).
        try await application(["MAX_MESSAGE_LENGTH": "1234"]).test(.router) { client in
            try await client.execute(uri: "/config.json", method: .get) { response in
                #expect(String(buffer: response.body).contains("\"maxMessageLength\":1234"))
            }
        }
    }

    @Test("with every upstream down, /api answers 503 problem+json with Retry-After, naming no host")
    func upstreamDown() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/api/users/me", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.retryAfter] != nil)
                let body = String(buffer: response.body)
                #expect(body.contains("service_unavailable") && !body.contains("127.0.0.1"))
            }
        }
    }
}
