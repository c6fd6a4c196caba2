import Crypto
import Foundation
import Logging

/// One versioned schema change owned by a service.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case changedAfterApply(version: Int, name: String)
    case duplicateVersion(Int)

    public var description: String {
        switch self {
        case let .changedAfterApply(version, name):
            "migration \(version) (\(name)) was edited after it was applied; add a new migration instead"
        case let .duplicateVersion(version):
            "two migrations share version \(version)"
        }
    }
}

/// Applies a service's migrations at start-up. A session-level advisory lock
/// keyed by the schema serializes replicas that start at the same moment: the
/// first applies, the others wait and then find nothing left to do.
public struct Migrator: Sendable {
    public let schema: String
    public let migrations: [Migration]

    public init(schema: String, migrations: [Migration]) {
        self.schema = schema
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Returns the versions applied by this call (empty when already up to date).
    @discardableResult
    public func migrate(_ pool: PostgresPool, logger: Logger) async throws -> [Int] {
        var seen = Set<Int>()
        for migration in migrations where !seen.insert(migration.version).inserted {
            throw MigrationError.duplicateVersion(migration.version)
        }
        let schema = self.schema
        let migrations = self.migrations
        let applied = try await pool.withConnection { connection -> [Int] in
            try connection.query("SELECT pg_advisory_lock(hashtext($1))", ["microchat.migrations." + schema])
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(hashtext($1))", ["microchat.migrations." + schema]) }
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            var done: [Int: String] = [:]
            for row in try connection.query("SELECT version, checksum FROM schema_migrations") {
                done[try row.decode("version", as: Int.self)] = try row.decode("checksum", as: String.self)
            }
            var appliedNow: [Int] = []
            for migration in migrations {
                if let checksum = done[migration.version] {
                    guard checksum == migration.checksum else {
                        throw MigrationError.changedAfterApply(version: migration.version, name: migration.name)
                    }
                    continue
                }
                try connection.transaction { connection in
                    try connection.executeScript(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, migration.checksum]
                    )
                }
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
        for version in applied {
            logger.info("applied migration", metadata: ["schema": "\(schema)", "version": "\(version)"])
        }
        return applied
    }
}
