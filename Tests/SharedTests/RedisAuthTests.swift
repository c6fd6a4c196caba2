import Foundation
import Testing
@testable import Shared

@Suite("Redis with a password")
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
