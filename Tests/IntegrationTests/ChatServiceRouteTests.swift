import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import ServiceKit
import Testing
@testable import ChatService

/// chat-service's routes through `buildApplication`, against the real
/// PostgreSQL and Redis that ./microchat test starts (the service's own
/// database role). The issuer it trusts is not running here, so these are the
/// contract's edges that need no valid token: operations, the document, and
/// every way a call without a good token is refused.
@Suite(
    "chat-service routes",
    .enabled(if: TestEnvironment.serversAreSet, "needs PostgreSQL and Redis: run it through ./microchat test, which starts them"))
struct ChatServiceRouteTests {
    func application() async throws -> some ApplicationProtocol {
        let values = [
            "DATABASE_URL": try TestEnvironment.require("MICROCHAT_TEST_CHAT_DATABASE_URL"),
            "REDIS_URL": try TestEnvironment.require("MICROCHAT_TEST_REDIS_URL"),
            // Nothing listens here: a well-formed token cannot be checked.
            "AUTH_ISSUER": "http://127.0.0.1:9",
        ]
        let configuration = try ChatServiceConfiguration(environment: EnvironmentReader(values))
        return try await buildApplication(configuration: configuration, registry: PrometheusCollectorRegistry())
    }

    @Test("health, readiness and the OpenAPI document answer")
    func operations() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            // Each readiness check has its own deadline, which a busy machine can miss once: wait for ready.
            var ready = false
            let deadline = ContinuousClock.now + .seconds(20)
            while !ready && ContinuousClock.now < deadline {
                ready = try await client.execute(uri: "/readyz", method: .get) { response in response.status == .ok }
                if !ready { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(ready, "chat-service did not become ready")
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let document = try OpenAPIDocument(String(buffer: response.body))
                #expect(document.operations.contains("POST /api/rooms/{roomId}/messages"))
                #expect(document.operations.contains("GET /api/ws"))
            }
        }
    }

    @Test("calls without a usable token are refused with 401 (or 503 when the issuer cannot be asked), as problem+json")
    func refusals() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/api/rooms", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(String(buffer: response.body).contains("missing_token"))
            }
            try await client.execute(uri: "/api/rooms", method: .get, headers: [.authorization: "Bearer not-a-jwt"]) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("invalid_token"))
            }
            // Well-formed, but its issuer's keys cannot be fetched: 503, not a guess.
            let header = Base64URL.encode(Array(#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#.utf8))
            let claims = Base64URL.encode(
                Array(
                    #"{"iss":"http://127.0.0.1:9","sub":"00000000-0000-0000-0000-000000000001","aud":"microchat","exp":4102444800,"iat":1}"#
                        .utf8))
            let token = "\(header).\(claims).\(Base64URL.encode(Array(repeating: 1, count: 64)))"
            try await client.execute(uri: "/api/rooms", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("issuer_unavailable"))
            }
        }
    }
}
