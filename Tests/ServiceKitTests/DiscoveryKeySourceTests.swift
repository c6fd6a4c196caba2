import Foundation
import Testing
@testable import ServiceKit
@testable import ServiceAuth

@Suite("Which discovery documents are believed")
struct DiscoveryKeySourceTests {
    func keys(_ discoveryURL: String, issuer: String, jwks: String, expected: String) throws -> String {
        try DiscoveryKeySource.keysURL(discoveryURL: discoveryURL, document: .init(issuer: issuer, jwksUri: jwks), expectedIssuer: expected)
    }

    @Test("the configured issuer, keys on the discovery host: https anywhere, http on loopback and in the cluster")
    func accepted() throws {
        #expect(
            try keys(
                "http://127.0.0.1:8081/.well-known/openid-configuration", issuer: "http://127.0.0.1:8081",
                jwks: "http://127.0.0.1:8081/.well-known/jwks.json", expected: "http://127.0.0.1:8081")
                == "http://127.0.0.1:8081/.well-known/jwks.json")
        let cluster = "http://keycloak.platform.svc.cluster.local:8080/realms/microchat"
        #expect(
            try keys(
                cluster + "/.well-known/openid-configuration", issuer: "https://chat.example.com/realms/microchat",
                jwks: cluster + "/protocol/openid-connect/certs", expected: "https://chat.example.com/realms/microchat")
                == cluster + "/protocol/openid-connect/certs")
        #expect(
            try keys(
                "https://id.example.com/.well-known/openid-configuration", issuer: "https://id.example.com",
                jwks: "https://id.example.com/keys", expected: "https://id.example.com") == "https://id.example.com/keys")
    }

    @Test("another issuer, keys on another host, or plain http to a public host are refused")
    func refused() {
        #expect(throws: DiscoveryKeySource.Refused.self) {
            try keys(
                "https://id.example.com/.well-known/openid-configuration", issuer: "https://evil.example.com",
                jwks: "https://id.example.com/keys", expected: "https://id.example.com")
        }
        #expect(throws: DiscoveryKeySource.Refused.self) {
            try keys(
                "https://id.example.com/.well-known/openid-configuration", issuer: "https://id.example.com",
                jwks: "https://evil.example.com/keys", expected: "https://id.example.com")
        }
        #expect(throws: DiscoveryKeySource.Refused.self) {
            try keys(
                "http://id.example.com/.well-known/openid-configuration", issuer: "http://id.example.com",
                jwks: "http://id.example.com/keys", expected: "http://id.example.com")
        }
        #expect(throws: DiscoveryKeySource.Refused.self) {
            try keys(
                "https://id.example.com/.well-known/openid-configuration", issuer: "https://id.example.com",
                jwks: "not a url", expected: "https://id.example.com")
        }
    }
}
