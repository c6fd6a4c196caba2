import Foundation
import Logging
import Testing
@testable import ServiceKit
@testable import Redis

/// The servers `./microchat test` starts for these suites. Missing settings fail
/// the test with a reason instead of skipping it.
enum TestEnvironment {
    static func require(_ name: String) throws -> String {
        let value = ProcessInfo.processInfo.environment[name]
        return try #require(value, "\(name) is not set: run the suites through ./microchat test, which starts PostgreSQL and Redis")
    }

    /// Whether the servers' settings are here (`./microchat test` sets them).
    static var serversAreSet: Bool {
        ["MICROCHAT_TEST_DATABASE_URL", "MICROCHAT_TEST_REDIS_URL", "MICROCHAT_TEST_S3_URL"].allSatisfy {
            ProcessInfo.processInfo.environment[$0] != nil
        }
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

extension Trait where Self == ConditionTrait {
    /// A suite that talks to real servers: plain `swift test` on a fresh clone reports it
    /// skipped, with this reason; `./microchat test` starts the servers, and fails if any
    /// suite is skipped there.
    static var needsServers: Self {
        .enabled(
            if: TestEnvironment.serversAreSet,
            "needs PostgreSQL, Redis and an S3 server: run it through ./microchat test, which starts them")
    }
}
