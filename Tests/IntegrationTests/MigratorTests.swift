import Foundation
import Testing
@testable import ServiceKit
@testable import Postgres

@Suite("Versioned migrations", .needsServers)
struct MigratorTests {
    @Test("replicas migrating at once apply each migration exactly once")
    func concurrentReplicas() async throws {
        let url = try TestEnvironment.databaseURL
        let table = TestEnvironment.uniqueName("mig")
        let migrations = [
            Migration(version: 1, name: "create", sql: "CREATE TABLE \(table) (v int); INSERT INTO \(table) VALUES (1);"),
            Migration(version: 2, name: "add", sql: "INSERT INTO \(table) VALUES (2);"),
        ]
        // Each "replica" has its own pool and its own schema_migrations view of the same schema.
        let schema = table
        let setup = PostgresPool(configuration: .init(url: url, size: 1), logger: TestEnvironment.logger)
        try await setup.query("CREATE SCHEMA \(schema)")
        let scopedURL = url + "&options=-csearch_path%3D\(schema)"
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<5 {
                group.addTask {
                    let pool = PostgresPool(configuration: .init(url: scopedURL, size: 1), logger: TestEnvironment.logger)
                    let done = try await Migrator(schema: schema, migrations: migrations).migrate(pool, logger: TestEnvironment.logger)
                    await pool.shutdown()
                    return done
                }
            }
            var all: [[Int]] = []
            for try await done in group { all.append(done) }
            return all
        }
        #expect(applied.flatMap { $0 }.sorted() == [1, 2])
        let rows = try await setup.query("SELECT v FROM \(schema).\(table) ORDER BY v")
        #expect(try rows.map { try $0.decode("v", as: Int.self) } == [1, 2])
        let recorded = try await setup.query("SELECT version FROM \(schema).schema_migrations ORDER BY version")
        #expect(try recorded.map { try $0.decode("version", as: Int.self) } == [1, 2])

        // Editing an applied migration is refused.
        let edited = [Migration(version: 1, name: "create", sql: "SELECT 1;")]
        let pool = PostgresPool(configuration: .init(url: scopedURL, size: 1), logger: TestEnvironment.logger)
        await #expect(throws: MigrationError.self) {
            try await Migrator(schema: schema, migrations: edited).migrate(pool, logger: TestEnvironment.logger)
        }
        await pool.shutdown()
        try await setup.query("DROP SCHEMA \(schema) CASCADE")
        await setup.shutdown()
    }

    @Test("a failing migration leaves nothing half-applied")
    func failingMigration() async throws {
        let url = try TestEnvironment.databaseURL
        let schema = TestEnvironment.uniqueName("bad")
        let setup = PostgresPool(configuration: .init(url: url, size: 1), logger: TestEnvironment.logger)
        try await setup.query("CREATE SCHEMA \(schema)")
        let pool = PostgresPool(
            configuration: .init(url: url + "&options=-csearch_path%3D\(schema)", size: 1), logger: TestEnvironment.logger)
        let migrations = [Migration(version: 1, name: "broken", sql: "CREATE TABLE t (v int); SELECT no_such_function();")]
        await #expect(throws: PostgresError.self) {
            try await Migrator(schema: schema, migrations: migrations).migrate(pool, logger: TestEnvironment.logger)
        }
        let tables = try await setup.query(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 't'", [schema])
        #expect(try tables.first?.decode("n", as: Int.self) == 0)
        await pool.shutdown()
        try await setup.query("DROP SCHEMA \(schema) CASCADE")
        await setup.shutdown()
    }
}
