import Foundation
import ServiceKit
import Postgres

struct ContactRecord: Sendable {
    var user: UserRecord
    var nickname: String?
    var createdAt: Date
}

/// A user's address book, over Postgres.
struct ContactStore: Sendable {
    let pool: PostgresPool

    static let selectContact = """
        SELECT c.nickname, c.created_at AS contact_created_at,
               u.id, u.username, u.email, u.password_hash, u.created_at, u.last_seen_at,
               p.display_name, p.bio, p.avatar_url, p.status, p.phone_number, p.dnd_until
        FROM contacts c JOIN users u ON u.id = c.contact_id JOIN user_profiles p ON p.user_id = u.id
        """

    func list(owner: UUID) async throws -> [ContactRecord] {
        try await pool.query(
            Self.selectContact + " WHERE c.owner_id = $1 ORDER BY lower(COALESCE(c.nickname, p.display_name)), u.id", [owner]
        )
        .map(Self.record)
    }

    func add(owner: UUID, contact: UUID, nickname: String?) async throws -> ContactRecord {
        do {
            return try await pool.transaction { connection in
                try connection.query(
                    "INSERT INTO contacts (owner_id, contact_id, nickname) VALUES ($1, $2, $3)", [owner, contact, nickname])
                guard
                    let row = try connection.query(Self.selectContact + " WHERE c.owner_id = $1 AND c.contact_id = $2", [owner, contact])
                        .first
                else {
                    throw PostgresError(kind: .server, message: "inserted contact not found")
                }
                return try Self.record(row)
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw UserError.alreadyContact
        } catch let error as PostgresError where error.isForeignKeyViolation {
            throw UserError.userNotFound
        }
    }

    func rename(owner: UUID, contact: UUID, nickname: String?) async throws -> ContactRecord? {
        try await pool.transaction { connection in
            let updated = try connection.query(
                "UPDATE contacts SET nickname = $3 WHERE owner_id = $1 AND contact_id = $2", [owner, contact, nickname])
            guard updated.affectedRows == 1 else { return nil }
            return try connection.query(Self.selectContact + " WHERE c.owner_id = $1 AND c.contact_id = $2", [owner, contact]).first.map(
                Self.record)
        }
    }

    func remove(owner: UUID, contact: UUID) async throws -> Bool {
        try await pool.query("DELETE FROM contacts WHERE owner_id = $1 AND contact_id = $2", [owner, contact]).affectedRows == 1
    }

    static func record(_ row: PostgresRow) throws -> ContactRecord {
        ContactRecord(
            user: try UserRepository.record(row), nickname: try row.decode("nickname", as: String?.self),
            createdAt: try row.decode("contact_created_at"))
    }
}
