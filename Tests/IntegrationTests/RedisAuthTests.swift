import Foundation
import Testing
@testable import ServiceKit
@testable import Redis

@Suite("Redis with a password", .needsServers)
struct RedisAuthTests {
    @Test("the URL's password is sent with AUTH, kept out of descriptions, and percent-decoded")
    func endpointParsing() throws {
        let endpoint = try #require(RedisEndpoint(url: "redis://app:p%40ss@redis.platform.svc.cluster.local:6380/0"))
        #expect(endpoint.host == "redis.platform.svc.cluster.local" && endpoint.port == 6380)
        #expect(endpoint.username == "app" && endpoint.password == "p@ss")
        #expect(!endpoint.description.contains("p@ss") && !endpoint.description.contains("p%40ss"))
        let bare = try #require(RedisEndpoint(url: "redis://127.0.0.1:6379"))
        #expect(bare.password == nil && bare.username == nil)
        #expect(RedisEndpoint(url: "http://127.0.0.1:6379") == nil)
    }

    @Test("the suite's Redis answers only with the right password")
    func authentication() async throws {
        let endpoint = try #require(RedisEndpoint(url: try TestEnvironment.redisURL))
        #expect(endpoint.password != nil, "./microchat starts Redis with requirepass; the test URL carries the password")
        let good = RedisClient(endpoint: endpoint)
        try await good.ping()
        await good.shutdown()

        var anonymous = endpoint
        anonymous.password = nil
        let refused = RedisClient(endpoint: anonymous)
        await #expect(throws: RedisError.self) { try await refused.ping() }
        await refused.shutdown()

        var wrong = endpoint
        wrong.password = "not-the-password"
        let wrongClient = RedisClient(endpoint: wrong)
        do {
            try await wrongClient.ping()
            Issue.record("a wrong password was accepted")
        } catch let error as RedisError {
            #expect(error.kind == .server && error.message.contains("refused the credentials"))
            #expect(!error.message.contains("not-the-password"))
        }
        await wrongClient.shutdown()
    }
}

@Suite("Redis over TLS", .needsServers)
struct RedisTLSTests {
    @Test("rediss:// URLs name TLS and the CA file")
    func parsing() throws {
        let endpoint = try #require(RedisEndpoint(url: "rediss://:pw@redis.platform.svc.cluster.local:6379?sslrootcert=/etc/ca/ca.crt"))
        #expect(endpoint.tls && endpoint.caFile == "/etc/ca/ca.crt" && endpoint.password == "pw")
        #expect(endpoint.description == "rediss://redis.platform.svc.cluster.local:6379")
        #expect(try #require(RedisEndpoint(url: "redis://127.0.0.1:6379")).tls == false)
    }

    @Test("the suite's Redis is reached over TLS, verified against its CA; another CA or plain TCP gets nothing")
    func verified() async throws {
        let endpoint = try #require(RedisEndpoint(url: try TestEnvironment.redisURL))
        #expect(endpoint.tls, "./microchat runs Redis with TLS only; the test URL is rediss://")
        let good = RedisClient(endpoint: endpoint)
        try await good.ping()
        #expect(try await good.publish(Array("over tls".utf8), to: TestEnvironment.uniqueName("tls")) == 0)
        await good.shutdown()

        var otherCA = endpoint
        otherCA.caFile = try TestEnvironment.require("MICROCHAT_TEST_OTHER_CA")
        let untrusted = RedisClient(endpoint: otherCA)
        await #expect(throws: RedisError.self) { try await untrusted.ping() }
        await untrusted.shutdown()

        var plain = endpoint
        plain.tls = false
        let cleartext = RedisClient(endpoint: plain)
        await #expect(throws: RedisError.self) { try await cleartext.ping() }
        await cleartext.shutdown()
    }
}
