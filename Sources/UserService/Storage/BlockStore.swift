import Foundation
import ServiceKit
import Postgres

struct BlockRecord: Sendable {
    var user: UserRecord
    var createdAt: Date
}

/// Who blocked whom, over Postgres.
struct BlockStore: Sendable {
    let pool: PostgresPool

    static let selectBlock = """
        SELECT b.created_at AS block_created_at,
               u.id, u.username, u.email, u.password_hash, u.created_at, u.last_seen_at,
               p.display_name, p.bio, p.avatar_url, p.status, p.phone_number, p.dnd_until
        FROM blocks b JOIN users u ON u.id = b.blocked_id JOIN user_profiles p ON p.user_id = u.id
        """

    /// The people `owner` blocked, newest first.
    func list(owner: UUID) async throws -> [BlockRecord] {
        try await pool.query(Self.selectBlock + " WHERE b.blocker_id = $1 ORDER BY b.created_at DESC, u.id", [owner]).map(Self.record)
    }

    /// Blocks `target` (idempotent): the block, and whether it is new.
    func add(owner: UUID, target: UUID) async throws -> (BlockRecord, created: Bool) {
        do {
            return try await pool.transaction { connection in
                let inserted = try connection.query(
                    "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    [owner, target])
                guard
                    let row = try connection.query(Self.selectBlock + " WHERE b.blocker_id = $1 AND b.blocked_id = $2", [owner, target])
                        .first
                else {
                    throw PostgresError(kind: .server, message: "inserted block not found")
                }
                return (try Self.record(row), inserted.affectedRows == 1)
            }
        } catch let error as PostgresError where error.isForeignKeyViolation {
            throw UserError.userNotFound
        }
    }

    func remove(owner: UUID, target: UUID) async throws -> Bool {
        try await pool.query("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2", [owner, target]).affectedRows == 1
    }

    /// Those among `others` with a block between them and `person`, in either direction.
    func blockedEitherWay(_ person: UUID, among others: [UUID]) async throws -> Set<UUID> {
        guard !others.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            SELECT blocked_id AS other FROM blocks WHERE blocker_id = $1 AND blocked_id = ANY($2::uuid[])
            UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1 AND blocker_id = ANY($2::uuid[])
            """, [person, Self.uuidArray(others)])
        return Set(try rows.map { try $0.decode("other", as: UUID.self) })
    }

    /// Everyone with a block between them and `person`, in either direction.
    func allBlockedEitherWay(_ person: UUID) async throws -> Set<UUID> {
        let rows = try await pool.query(
            """
            SELECT blocked_id AS other FROM blocks WHERE blocker_id = $1 UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1
            """, [person])
        return Set(try rows.map { try $0.decode("other", as: UUID.self) })
    }

    /// Those among `others` who have `person` as a contact (and so accept being added to rooms by them).
    func havingAsContact(_ person: UUID, among others: [UUID]) async throws -> Set<UUID> {
        guard !others.isEmpty else { return [] }
        let rows = try await pool.query(
            "SELECT owner_id FROM contacts WHERE contact_id = $1 AND owner_id = ANY($2::uuid[])",
            [person, Self.uuidArray(others)])
        return Set(try rows.map { try $0.decode("owner_id", as: UUID.self) })
    }

    static func uuidArray(_ ids: [UUID]) -> String {
        "{" + ids.map { $0.uuidString }.joined(separator: ",") + "}"
    }

    static func record(_ row: PostgresRow) throws -> BlockRecord {
        BlockRecord(user: try UserRepository.record(row), createdAt: try row.decode("block_created_at"))
    }
}
