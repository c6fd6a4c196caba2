import Foundation
import Logging
import Testing
@testable import Shared
@testable import Redis

/// The servers `./microchat test` starts for these suites. Missing settings fail
/// the test with a reason instead of skipping it.
enum TestEnvironment {
    static func require(_ name: String) throws -> String {
        let value = ProcessInfo.processInfo.environment[name]
        return try #require(value, "\(name) is not set: run the suites through ./microchat test, which starts PostgreSQL and Redis")
    }

    static var databaseURL: String { get throws { try require("MICROCHAT_TEST_DATABASE_URL") } }
    static var redisURL: String { get throws { try require("MICROCHAT_TEST_REDIS_URL") } }

    static let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Waits until `condition` holds, polling, for at most `timeout`; fails the test with `what` if it never does.
    static func eventually(_ what: String, timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A table name no other test uses, so suites can run in parallel.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }
}
