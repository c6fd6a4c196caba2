import Foundation
import Postgres
import ServiceKit

/// A person's uploaded profile picture, as stored.
struct AvatarRecord: Sendable {
    var userId: UUID
    var storageKey: String
    var contentType: String
    var size: Int64
    var sha256: String

    /// Where user-service serves it; the hash in the query changes with the picture, so it caches forever.
    var url: String { "/api/users/\(userId.uuidString.lowercased())/avatar?v=\(sha256.prefix(16))" }
}

/// Profile pictures over Postgres (schema `user_service`); their bytes are in the object store.
struct AvatarStore: Sendable {
    let pool: PostgresPool

    func find(userId: UUID) async throws -> AvatarRecord? {
        try await pool.query("SELECT user_id, storage_key, content_type, size_bytes, sha256 FROM avatars WHERE user_id = $1", [userId])
            .first.map(Self.record)
    }

    /// Makes `record` the person's picture and points their profile at it; returns the key of the picture it replaced.
    func replace(with record: AvatarRecord) async throws -> String? {
        try await pool.transaction { connection in
            let previous = try connection.query("SELECT storage_key FROM avatars WHERE user_id = $1 FOR UPDATE", [record.userId])
                .first?.decode("storage_key", as: String.self)
            try connection.query(
                """
                INSERT INTO avatars (user_id, storage_key, content_type, size_bytes, sha256) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (user_id) DO UPDATE SET storage_key = EXCLUDED.storage_key, content_type = EXCLUDED.content_type,
                    size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256, updated_at = now()
                """, [record.userId, record.storageKey, record.contentType, record.size, record.sha256])
            try connection.query("UPDATE user_profiles SET avatar_url = $2 WHERE user_id = $1", [record.userId, record.url])
            return previous == record.storageKey ? nil : previous
        }
    }

    /// Removes the person's uploaded picture and clears their profile's; returns its key.
    func remove(userId: UUID) async throws -> String? {
        try await pool.transaction { connection in
            guard
                let key = try connection.query("DELETE FROM avatars WHERE user_id = $1 RETURNING storage_key", [userId])
                    .first?.decode("storage_key", as: String.self)
            else { return nil }
            try connection.query("UPDATE user_profiles SET avatar_url = NULL WHERE user_id = $1", [userId])
            return key
        }
    }

    static func record(_ row: PostgresRow) throws -> AvatarRecord {
        AvatarRecord(
            userId: try row.decode("user_id"), storageKey: try row.decode("storage_key"), contentType: try row.decode("content_type"),
            size: try row.decode("size_bytes"), sha256: try row.decode("sha256"))
    }
}
