import Foundation
import Postgres
import ServiceKit
import ChatProtocol

/// An upload as stored: where its bytes are, what they are, and whether a message took it.
struct AttachmentRecord: Sendable {
    var id: UUID
    var roomId: UUID
    var uploaderId: UUID
    var storageKey: String
    var filename: String
    var contentType: String
    var size: Int64
    var width: Int?
    var height: Int?
    var sha256: String
    var messageId: UUID?
    var createdAt: Date

    var info: MessageAttachment {
        MessageAttachment(id: id, filename: filename, contentType: contentType, size: size, width: width, height: height)
    }
}

/// Attachments over Postgres (schema `chat_service`); their bytes are in the object store.
struct AttachmentStore: Sendable {
    let pool: PostgresPool

    static let columns =
        "a.id, a.room_id, a.uploader_id, a.storage_key, a.filename, a.content_type, a.size_bytes, "
        + "a.width, a.height, a.sha256, a.message_id, a.created_at"

    func create(_ record: AttachmentRecord) async throws {
        try await pool.query(
            """
            INSERT INTO attachments (id, room_id, uploader_id, storage_key, filename, content_type, size_bytes, width, height, sha256)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """,
            [
                record.id, record.roomId, record.uploaderId, record.storageKey, record.filename, record.contentType,
                record.size, record.width, record.height, record.sha256,
            ])
    }

    func find(roomId: UUID, id: UUID) async throws -> AttachmentRecord? {
        try await pool.query("SELECT \(Self.columns) FROM attachments a WHERE a.room_id = $1 AND a.id = $2", [roomId, id])
            .first.map(Self.record)
    }

    /// Removes the attachments of a message (deleted with it); returns where their bytes were.
    func removeAll(ofMessage messageId: UUID) async throws -> [String] {
        try await pool.query("DELETE FROM attachments WHERE message_id = $1 RETURNING storage_key", [messageId])
            .map { try $0.decode("storage_key", as: String.self) }
    }

    /// Removes uploads no message took within `age`; returns where their bytes were.
    func removeUnclaimed(olderThan age: Duration, limit: Int = 500) async throws -> [String] {
        try await pool.query(
            """
            DELETE FROM attachments WHERE id IN (
                SELECT id FROM attachments WHERE message_id IS NULL AND created_at < now() - make_interval(secs => $1)
                ORDER BY created_at LIMIT $2)
            RETURNING storage_key
            """, [Double(age.components.seconds), limit]
        ).map { try $0.decode("storage_key", as: String.self) }
    }

    /// Removes one upload that no message took (its upload failed after the row was written).
    func removeUnclaimed(id: UUID) async throws {
        try await pool.query("DELETE FROM attachments WHERE id = $1 AND message_id IS NULL", [id])
    }

    static func record(_ row: PostgresRow) throws -> AttachmentRecord {
        AttachmentRecord(
            id: try row.decode("id"), roomId: try row.decode("room_id"), uploaderId: try row.decode("uploader_id"),
            storageKey: try row.decode("storage_key"), filename: try row.decode("filename"), contentType: try row.decode("content_type"),
            size: try row.decode("size_bytes"), width: try row.decode("width", as: Int?.self),
            height: try row.decode("height", as: Int?.self),
            sha256: try row.decode("sha256"), messageId: try row.decode("message_id", as: UUID?.self),
            createdAt: try row.decode("created_at")
        )
    }
}
