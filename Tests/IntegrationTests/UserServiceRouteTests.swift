import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import ServiceKit
import Testing
@testable import UserService
import ChatProtocol

/// user-service's route-level contract through `buildApplication`, against
/// the real PostgreSQL and Redis that ./microchat test starts (the service's
/// own database role, so its migrations run as in production).
@Suite(
    "user-service routes",
    .enabled(if: TestEnvironment.serversAreSet, "needs PostgreSQL and Redis: run it through ./microchat test, which starts them"))
struct UserServiceRouteTests {
    func application() async throws -> some ApplicationProtocol {
        let values = [
            "DATABASE_URL": try TestEnvironment.require("MICROCHAT_TEST_USER_DATABASE_URL"),
            "REDIS_URL": try TestEnvironment.require("MICROCHAT_TEST_REDIS_URL"),
            "ISSUER_URL": "http://user-service.test",
        ]
        let configuration = try UserServiceConfiguration(environment: EnvironmentReader(values))
        return try await buildApplication(configuration: configuration, registry: PrometheusCollectorRegistry())
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    @Test("register, then sign in and read one's own profile with the token")
    func registerAndSignIn() async throws {
        let name = "rt" + UUID().uuidString.prefix(8).lowercased()
        try await application().test(.router) { client in
            let token = try await client.execute(
                uri: "/api/auth/register", method: .post, headers: Self.jsonHeaders,
                body: Self.json(
                    #"{"username":"\#(name)","email":"\#(name)@example.com","password":"correct-horse-9","displayName":"Route Test"}"#)
            ) { response -> String in
                #expect(response.status == .created)
                let session = try JSONCoding.decoder.decode(AuthResponse.self, from: Data(buffer: response.body))
                #expect(session.user.username == name && session.tokenType == "Bearer")
                return session.accessToken
            }
            try await client.execute(uri: "/api/users/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(name))
            }
            try await client.execute(
                uri: "/api/auth/login", method: .post, headers: Self.jsonHeaders,
                body: Self.json(#"{"login":"\#(name)","password":"wrong-password-1"}"#)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("invalid_credentials"))
            }
        }
    }

    @Test("bad bodies get their own problem codes")
    func badBodies() async throws {
        try await application().test(.router) { client in
            for (body, status, code) in [
                ("{", HTTPResponse.Status.badRequest, "malformed_json"),
                (#"{"login":"a","password":"b","extra":1}"#, .badRequest, "unknown_field"),
                (#"{"login":5,"password":"b"}"#, .badRequest, "wrong_type"),
                (#"{"login":"a\u0000b","password":"b"}"#, .unprocessableContent, "validation_failed"),
            ] {
                try await client.execute(uri: "/api/auth/login", method: .post, headers: Self.jsonHeaders, body: Self.json(body)) {
                    response in
                    #expect(response.status == status, "\(body)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(String(buffer: response.body).contains("\"code\":\"\(code)\""), "\(body)")
                }
            }
            try await client.execute(uri: "/api/users/me", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("the OpenAPI document is served, and describes every route")
    func openAPI() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try OpenAPIDocument(String(buffer: response.body))
                #expect(document.operations.contains("POST /api/auth/register"))
            }
        }
    }
}
