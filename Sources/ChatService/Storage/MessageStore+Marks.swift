import ChatProtocol
import Foundation
import Postgres
import ServiceKit

/// Pins (the room's) and saved messages (each person's own).
extension MessageStore {
    /// Pins a live message of the room; `created` is false when it was pinned already
    /// (the pin stays as it was). The room's pins are counted under the room's row
    /// lock, so the cap holds under concurrent pins.
    func pin(roomId: UUID, messageId: UUID, by userId: UUID, maxPins: Int) async throws -> (PinnedMessage, created: Bool) {
        try await pool.transaction { connection in
            try connection.query("SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE", [roomId])
            try Self.requireLiveMessage(connection, roomId: roomId, messageId: messageId)
            let existing = try connection.query(
                "SELECT pinned_by, pinned_at FROM pinned_messages WHERE room_id = $1 AND message_id = $2", [roomId, messageId]
            ).first
            if existing == nil {
                let count = try connection.query("SELECT count(*) AS pins FROM pinned_messages WHERE room_id = $1", [roomId]).first
                if try count?.decode("pins", as: Int.self) ?? 0 >= maxPins { throw ChatError.tooManyPins(limit: maxPins) }
            }
            let row =
                try existing
                ?? connection.query(
                    """
                    INSERT INTO pinned_messages (room_id, message_id, pinned_by) VALUES ($1, $2, $3) RETURNING pinned_by, pinned_at
                    """, [roomId, messageId, userId]
                ).first
            guard let row, let message = try Self.message(connection, roomId: roomId, messageId: messageId) else {
                throw ChatError.messageNotFound
            }
            return (
                PinnedMessage(message: message, pinnedBy: try row.decode("pinned_by"), pinnedAt: try row.decode("pinned_at")),
                existing == nil
            )
        }
    }

    /// Takes a pin off; false when the message was not pinned.
    func unpin(roomId: UUID, messageId: UUID) async throws -> Bool {
        try await pool.query("DELETE FROM pinned_messages WHERE room_id = $1 AND message_id = $2", [roomId, messageId]).affectedRows == 1
    }

    /// The room's pins, newest first.
    func pins(roomId: UUID) async throws -> [PinnedMessage] {
        try await pool.query(
            """
            SELECT \(Rows.messageColumns), pin.pinned_by, pin.pinned_at
            FROM pinned_messages pin JOIN messages m ON m.id = pin.message_id AND m.room_id = pin.room_id
            WHERE pin.room_id = $1 AND m.deleted_at IS NULL
            ORDER BY pin.pinned_at DESC, m.seq DESC
            """, [roomId]
        ).map { row in
            PinnedMessage(message: try Rows.message(row), pinnedBy: try row.decode("pinned_by"), pinnedAt: try row.decode("pinned_at"))
        }
    }

    /// Saves a live message of the room for `userId`; `created` is false when it was saved already.
    func save(roomId: UUID, messageId: UUID, for userId: UUID, maxSaved: Int) async throws -> (SavedMessage, created: Bool) {
        try await pool.transaction { connection in
            try Self.requireLiveMessage(connection, roomId: roomId, messageId: messageId)
            // One person's saves in a row at a time, so the cap holds under concurrent saves.
            try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7))", [userId])
            let existing = try connection.query(
                "SELECT saved_at FROM saved_messages WHERE user_id = $1 AND message_id = $2", [userId, messageId]
            ).first
            if existing == nil {
                // Only the saves the person can still see and take back count against the cap.
                let count = try connection.query(
                    """
                    SELECT count(*) AS saved FROM saved_messages s
                    JOIN room_participants p ON p.room_id = s.room_id AND p.user_id = s.user_id
                    JOIN rooms r ON r.id = s.room_id AND r.deleted_at IS NULL
                    WHERE s.user_id = $1
                    """, [userId]
                ).first
                if try count?.decode("saved", as: Int.self) ?? 0 >= maxSaved { throw ChatError.tooManySaved(limit: maxSaved) }
            }
            let row =
                try existing
                ?? connection.query(
                    "INSERT INTO saved_messages (user_id, message_id, room_id) VALUES ($1, $2, $3) RETURNING saved_at",
                    [userId, messageId, roomId]
                ).first
            guard let row, let message = try Self.message(connection, roomId: roomId, messageId: messageId) else {
                throw ChatError.messageNotFound
            }
            return (SavedMessage(message: message, savedAt: try row.decode("saved_at")), existing == nil)
        }
    }

    /// Takes a message off the person's saved list; false when it was not on it.
    func unsave(roomId: UUID, messageId: UUID, for userId: UUID) async throws -> Bool {
        try await pool.query(
            "DELETE FROM saved_messages WHERE user_id = $1 AND room_id = $2 AND message_id = $3", [userId, roomId, messageId]
        ).affectedRows == 1
    }

    /// The person's saved messages in rooms they are still in, newest save first; `before` is
    /// the message id the previous page ended with.
    func saved(by userId: UUID, before: UUID?, limit: Int) async throws -> (saved: [SavedMessage], hasMore: Bool) {
        let rows = try await pool.query(
            """
            SELECT \(Rows.messageColumns), s.saved_at
            FROM saved_messages s
            JOIN messages m ON m.id = s.message_id
            JOIN room_participants p ON p.room_id = s.room_id AND p.user_id = $1
            JOIN rooms r ON r.id = s.room_id AND r.deleted_at IS NULL
            WHERE s.user_id = $1 AND m.deleted_at IS NULL
              AND ($2::uuid IS NULL OR (s.saved_at, s.message_id) < (
                SELECT c.saved_at, c.message_id FROM saved_messages c WHERE c.user_id = $1 AND c.message_id = $2))
            ORDER BY s.saved_at DESC, s.message_id DESC
            LIMIT $3
            """, [userId, before, limit + 1])
        let saved = try rows.map { SavedMessage(message: try Rows.message($0), savedAt: try $0.decode("saved_at")) }
        return (Array(saved.prefix(limit)), saved.count > limit)
    }

    private static func requireLiveMessage(_ connection: PostgresConnection, roomId: UUID, messageId: UUID) throws {
        guard
            let row = try connection.query(
                // Held until commit, so a delete cannot slip in between this check and the pin or save.
                "SELECT deleted_at, message_type FROM messages WHERE room_id = $1 AND id = $2 FOR SHARE", [roomId, messageId]
            ).first
        else { throw ChatError.messageNotFound }
        guard try row.decode("deleted_at", as: Date?.self) == nil else { throw ChatError.messageDeleted }
        guard try row.decode("message_type", as: String.self) != MessageType.system.rawValue else { throw ChatError.systemMessage }
    }

    private static func message(_ connection: PostgresConnection, roomId: UUID, messageId: UUID) throws -> ChatMessage? {
        try connection.query("SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.id = $2", [roomId, messageId])
            .first.map(Rows.message)
    }
}
