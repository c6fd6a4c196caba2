import Foundation
import Testing
@testable import ServiceKit

@Suite("What a service makes of an upstream's failed answer, and what it logs of a URL")
struct UpstreamAnswerTests {
    static func problem(status: Int, code: String = "room_not_found") -> Data {
        Data(#"{"type":"about:blank","title":"t","status":\#(status),"detail":"d","code":"\#(code)"}"#.utf8)
    }

    @Test("a well-formed problem is passed on with its status and code")
    func passedOn() {
        let error = ServiceClient.upstreamFailure(status: 404, body: Self.problem(status: 404))
        #expect(error.status.code == 404 && error.code == "room_not_found")
        let unavailable = ServiceClient.upstreamFailure(status: 503, body: Self.problem(status: 503, code: "database_unavailable"))
        #expect(unavailable.status.code == 503 && unavailable.code == "database_unavailable")
    }

    /// A hostile or broken issuer or service sends statuses HTTPResponse.Status would trap on
    /// (outside 0...999), or claims success in a problem: each is a 502, and the process lives.
    @Test("a problem with an impossible or contradictory status is a 502", arguments: [5000, -1, 1000, 99_999, 0, 200, 302, 99])
    func refusedStatuses(claimed: Int) {
        let error = ServiceClient.upstreamFailure(status: 500, body: Self.problem(status: claimed))
        #expect(error.status == .badGateway && error.code == "upstream_error")
    }

    @Test("a problem whose status class differs from the answer's own is a 502")
    func disagreeing() {
        let error = ServiceClient.upstreamFailure(status: 500, body: Self.problem(status: 401, code: "invalid_token"))
        #expect(error.status == .badGateway)
    }

    @Test("a body that is not a problem is a 502 naming the answer's status")
    func notAProblem() {
        let error = ServiceClient.upstreamFailure(status: 500, body: Data("<html>oops</html>".utf8))
        #expect(error.status == .badGateway && error.detail.contains("500"))
    }

    @Test("credentials in a URL are masked, in the user part and in the query")
    func masking() {
        #expect(maskURLCredentials("postgres://chat:s3cret@db:5432/microchat") == "postgres://chat:****@db:5432/microchat")
        let query = maskURLCredentials("postgresql://db/microchat?user=chat&password=s3cret&sslmode=verify-full&sslpassword=k3y")
        #expect(!query.contains("s3cret") && !query.contains("k3y"))
        #expect(query.contains("password=****") && query.contains("sslmode=verify-full") && query.contains("user=chat"))
        #expect(maskURLCredentials("redis://:hunter2@cache:6379/0") == "redis://:****@cache:6379/0")
        #expect(
            maskURLCredentials("https://s3.example/bucket?X-Amz-Signature=1&token=abc")
                == "https://s3.example/bucket?X-Amz-Signature=1&token=****")
    }
}
