import Foundation
import Synchronization
import Testing
@testable import ServiceKit
@testable import Postgres

@Suite("PostgreSQL pool over libpq", .needsServers)
struct PostgresPoolTests {
    func makePool(size: Int = 4, url: String? = nil) throws -> PostgresPool {
        PostgresPool(configuration: .init(url: try url ?? TestEnvironment.databaseURL, size: size), logger: TestEnvironment.logger)
    }

    @Test("typed values round-trip through parameters and rows, NULL included")
    func roundTrip() async throws {
        let pool = try makePool()
        let id = UUID()
        let when = Date(timeIntervalSince1970: 1_764_083_908.123456)
        let row = try #require(
            try await pool.query(
                "SELECT $1::uuid AS id, $2::timestamptz AS at, $3::int AS n, $4::bool AS flag, "
                    + "$5::text AS missing, $6::text AS word, $7::float8 AS x",
                [id, when, 42, true, Optional<String>.none, "héllo ☃", 2.5]
            ).first)
        #expect(try row.decode("id", as: UUID.self) == id)
        let decoded = try row.decode("at", as: Date.self)
        #expect(abs(decoded.timeIntervalSince1970 - when.timeIntervalSince1970) < 0.000_002)
        #expect(try row.decode("n", as: Int.self) == 42)
        #expect(try row.decode("flag", as: Bool.self) == true)
        #expect(try row.decode("missing", as: String?.self) == nil)
        #expect(try row.decode("word", as: String.self) == "héllo ☃")
        #expect(try row.decode("x", as: Double.self) == 2.5)
        #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
        #expect(throws: PostgresError.self) { try row.decode("no_such_column", as: String.self) }
        await pool.shutdown()
    }

    @Test("a prepared statement is parsed once per connection and answers each call with its own parameters")
    func preparedStatements() async throws {
        let pool = try makePool(size: 1)
        let sql = "SELECT $1::int * 2 AS doubled, $2::text AS word"
        for n in 1...7 {
            let row = try #require(try await pool.query(sql, [n, "w\(n)"], prepared: true).first)
            #expect(try row.decode("doubled", as: Int.self) == n * 2)
            #expect(try row.decode("word", as: String.self) == "w\(n)")
        }
        // One connection, one prepared statement for the SQL however often it ran.
        let named = try await pool.query(
            "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = $1", [sql])
        #expect(try named.first?.decode("n", as: Int.self) == 1)
        // A server error in a prepared statement is the same error, and the statement keeps working.
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1 / $1::int AS q", [0], prepared: true) }
        #expect(try await pool.query("SELECT 1 / $1::int AS q", [1], prepared: true).first?.decode("q", as: Int.self) == 1)
        await pool.shutdown()
    }

    @Test("parameters are never spliced into SQL")
    func parametersAreData() async throws {
        let pool = try makePool()
        let table = TestEnvironment.uniqueName("inj")
        try await pool.query("CREATE TABLE \(table) (v text)")
        let hostile = "x'); DROP TABLE \(table); --"
        try await pool.query("INSERT INTO \(table) (v) VALUES ($1)", [hostile])
        let rows = try await pool.query("SELECT v FROM \(table)")
        #expect(rows.count == 1)
        #expect(try rows.first?.decode("v", as: String.self) == hostile)
        try await pool.query("DROP TABLE \(table)")
        await pool.shutdown()
    }

    @Test("a transaction that throws is rolled back")
    func transactionRollback() async throws {
        let pool = try makePool()
        let table = TestEnvironment.uniqueName("tx")
        try await pool.query("CREATE TABLE \(table) (v int PRIMARY KEY)")
        await #expect(throws: PostgresError.self) {
            try await pool.transaction { connection in
                try connection.query("INSERT INTO \(table) VALUES (1)")
                try connection.query("INSERT INTO \(table) VALUES (1)")  // unique violation
            }
        }
        #expect(try await pool.query("SELECT count(*) AS n FROM \(table)").first?.decode("n", as: Int.self) == 0)
        _ = try await pool.transaction { connection in try connection.query("INSERT INTO \(table) VALUES (2)") }
        #expect(try await pool.query("SELECT count(*) AS n FROM \(table)").first?.decode("n", as: Int.self) == 1)
        try await pool.query("DROP TABLE \(table)")
        await pool.shutdown()
    }

    @Test("server errors carry SQLSTATE and constraint")
    func serverErrors() async throws {
        let pool = try makePool()
        let table = TestEnvironment.uniqueName("uq")
        try await pool.query("CREATE TABLE \(table) (v int CONSTRAINT \(table)_v_key UNIQUE)")
        try await pool.query("INSERT INTO \(table) VALUES (1)")
        do {
            try await pool.query("INSERT INTO \(table) VALUES (1)")
            Issue.record("a duplicate was accepted")
        } catch let error as PostgresError {
            #expect(error.kind == .server)
            #expect(error.isUniqueViolation)
            #expect(error.constraint == "\(table)_v_key")
        }
        await #expect(throws: PostgresError.self) { try await pool.query("SELEKT 1") }
        // The connection that saw the errors is still good.
        #expect(try await pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        try await pool.query("DROP TABLE \(table)")
        await pool.shutdown()
    }

    @Test("connections use TLS verified against the local CA (sslmode=verify-full)")
    func tlsVerifyFull() async throws {
        let url = try TestEnvironment.databaseURL
        #expect(url.contains("sslmode=verify-full"))
        let pool = try makePool(url: url)
        let usesTLS = try await pool.withConnection { $0.usesTLS }
        #expect(usesTLS)
        let serverSide = try await pool.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        #expect(try serverSide.first?.decode("ssl", as: Bool.self) == true)
        await pool.shutdown()
    }

    @Test("verify-full refuses a server certificate from another CA")
    func tlsRejectsUnknownCA() async throws {
        let otherCA = try TestEnvironment.require("MICROCHAT_TEST_OTHER_CA")
        let url = try TestEnvironment.databaseURL
        let components = try #require(URLComponents(string: url))
        var changed = components
        changed.queryItems = (components.queryItems ?? []).map { item in
            item.name == "sslrootcert" ? URLQueryItem(name: "sslrootcert", value: otherCA) : item
        }
        let pool = try makePool(url: changed.string ?? url)
        do {
            try await pool.query("SELECT 1")
            Issue.record("connected although the certificate is not from the trusted CA")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(error.message.contains("certificate"))
        }
        await pool.shutdown()
    }

    @Test("the pool never opens more connections than its size")
    func bounded() async throws {
        let pool = try makePool(size: 2)
        let tag = TestEnvironment.uniqueName("app")
        let peak = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.query("SET application_name = '\(tag)'")
                        try connection.query("SELECT pg_sleep(0.1)")
                        return try connection.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", [tag])
                            .first?.decode("n", as: Int.self) ?? 0
                    }
                }
            }
            var peak = 0
            for try await seen in group { peak = max(peak, seen) }
            return peak
        }
        #expect(peak >= 1)
        #expect(peak <= 2)
        await pool.shutdown()
    }

    @Test("a caller waiting past the acquire timeout gets an error, not a hang")
    func acquireTimeout() async throws {
        let pool = PostgresPool(
            configuration: .init(url: try TestEnvironment.databaseURL, size: 1, acquireTimeout: .milliseconds(200)),
            logger: TestEnvironment.logger)
        let marker = TestEnvironment.uniqueName("holder")
        // The holder keeps the pool's only connection until this test cancels its query, so a
        // slow start of either connection cannot let the waiter through.
        async let holder: Void = pool.withConnection { connection in _ = try connection.query("SELECT pg_sleep(60) AS \(marker)") }
        let observer = try makePool(size: 1)
        try await TestEnvironment.eventually("the holder's query runs") {
            try await observer.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1",
                ["%" + marker + "%"]
            ).first?.decode("n", as: Int.self) ?? 0 >= 1
        }
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        _ = try await observer.query(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
            ["%" + marker + "%"])
        _ = try? await holder
        await pool.shutdown()
        await observer.shutdown()
    }

    @Test("pipeline mode runs a batch in one round trip and reports each statement")
    func pipeline() async throws {
        let pool = try makePool()
        let table = TestEnvironment.uniqueName("pipe")
        try await pool.query("CREATE TABLE \(table) (v int PRIMARY KEY)")
        let results = try await pool.withConnection { connection in
            try connection.pipeline([
                ("INSERT INTO \(table) VALUES ($1) RETURNING v", [1]),
                ("INSERT INTO \(table) VALUES ($1) RETURNING v", [1]),  // duplicate: fails alone
                ("INSERT INTO \(table) VALUES ($1) RETURNING v", [3]),
            ])
        }
        #expect(results.count == 3)
        #expect(try results[0].get().first?.decode("v", as: Int.self) == 1)
        if case let .failure(error) = results[1] { #expect(error.isUniqueViolation) } else { Issue.record("duplicate accepted") }
        #expect(try results[2].get().first?.decode("v", as: Int.self) == 3)
        #expect(try await pool.query("SELECT count(*) AS n FROM \(table)").first?.decode("n", as: Int.self) == 2)
        try await pool.query("DROP TABLE \(table)")
        await pool.shutdown()
    }

    @Test("a connection killed by the server is replaced on the next use")
    func replacesTerminatedConnection() async throws {
        let pool = try makePool(size: 1)
        let pid = try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode("pid", as: Int.self)
        let killer = try makePool(size: 1)
        try await killer.query("SELECT pg_terminate_backend($1)", [try #require(pid)])
        try await TestEnvironment.eventually("the terminated backend is gone") {
            try await killer.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1", [try #require(pid)])
                .first?.decode("n", as: Int.self) == 0
        }
        let newPid = try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode("pid", as: Int.self)
        #expect(newPid != nil)
        #expect(newPid != pid)
        await pool.shutdown()
        await killer.shutdown()
    }

    @Test("work whose connection dies under it is repeated only when it is idempotent")
    func repeatsOnlyIdempotentWork() async throws {
        let pool = try makePool(size: 1)
        let runs = Atomic<Int>(0)
        // The first run ends its own session (as a server restart would), the second completes.
        let body: @Sendable (PostgresConnection) throws -> Int = { connection in
            if runs.add(1, ordering: .relaxed).newValue == 1 { try connection.query("SELECT pg_terminate_backend(pg_backend_pid())") }
            return try connection.query("SELECT 7 AS n").first?.decode("n", as: Int.self) ?? 0
        }
        #expect(try await pool.withConnection(idempotent: true, body) == 7)
        #expect(runs.load(ordering: .relaxed) == 2)

        runs.store(0, ordering: .relaxed)
        await #expect(throws: PostgresError.self) { try await pool.withConnection(idempotent: false, body) }
        #expect(runs.load(ordering: .relaxed) == 1)
        // The pool itself carries on with a fresh connection.
        #expect(try await pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        await pool.shutdown()
    }

    @Test("an unreachable server is waited for up to reconnectWait; a readiness probe does not wait")
    func waitsForAnUnreachableServer() async throws {
        // A port nothing listens on: every connect is refused at once, so the time spent is the waiting.
        let closed = try TestEnvironment.databaseURL.replacingOccurrences(
            of: #"@(localhost|127\.0\.0\.1):\d+/"#, with: "@$1:9/",
            options: .regularExpression)
        #expect(closed != (try TestEnvironment.databaseURL))
        let pool = PostgresPool(configuration: .init(url: closed, size: 1, reconnectWait: .seconds(3)), logger: TestEnvironment.logger)
        let started = ContinuousClock.now
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(2950) && waited < .seconds(15), "waited \(waited)")
        // The probe gives up at the first refusal: well under the wait, however busy the machine.
        let probe = ContinuousClock.now
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1", waitForServer: false) }
        #expect(ContinuousClock.now - probe < .milliseconds(1500))
        await pool.shutdown()
    }

    @Test("plain SELECTs count as idempotent, writes only when the caller says so")
    func readsAreIdempotent() {
        #expect(PostgresPool.isRead("SELECT 1"))
        #expect(PostgresPool.isRead("\n   select id FROM rooms"))
        #expect(!PostgresPool.isRead("INSERT INTO t VALUES (1)"))
        #expect(!PostgresPool.isRead("UPDATE t SET a = 1"))
        #expect(!PostgresPool.isRead("SELECTED"))
    }
}
