import Foundation
import ObjectStorage
import Postgres
import ServiceKit
import ChatProtocol

extension MessageStore {
    /// Stores a `file` or `image` message and gives it its uploads, in one
    /// transaction: the room's next seq (the same row lock text sends take, so
    /// seq order stays commit order), the message, and each attachment marked
    /// as its — only if every one is in this room, was uploaded by the sender
    /// and no message has it yet. A repeated client message id answers the
    /// message already stored (created false).
    func sendWithAttachments(
        roomId: UUID, senderId: UUID, content: String, messageType: MessageType, clientMessageId: String?,
        attachmentIds: [UUID], replyToId: UUID? = nil, mentions: [UUID] = [], threadRootId: UUID? = nil
    ) async throws -> (ChatMessage, created: Bool) {
        let messageId = UUID()
        let stored = try await pool.transaction(idempotent: true) { connection -> (UUID, Bool) in
            // The room row first, as `send_messages` takes it: the checks below hold until
            // commit — a removal cannot slip in between, and a repeat of this client id sent
            // at the same moment waits here, then finds this message instead of failing.
            guard
                try connection.query(
                    "SELECT 1 FROM rooms WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE", [roomId]
                ).first != nil
            else { throw ChatError.roomNotFound }
            // Membership next, as the text path does: a removed member, or anyone once the
            // room is deleted, learns nothing from a repeated client id.
            guard
                try connection.query(
                    """
                    SELECT 1 FROM room_participants p JOIN rooms r ON r.id = p.room_id
                    WHERE p.room_id = $1 AND p.user_id = $2 AND r.deleted_at IS NULL
                    """, [roomId, senderId]
                ).first != nil
            else { throw ChatError.roomNotFound }
            if let clientMessageId,
                let existing = try connection.query(
                    """
                    SELECT id FROM messages WHERE room_id = $1 AND sender_id = $2 AND client_message_id = $3
                    """, [roomId, senderId, clientMessageId]
                ).first
            {
                return (try existing.decode("id"), false)
            }
            let rows = try connection.query(
                """
                SELECT id, room_id, uploader_id, message_id, content_type, width, height FROM attachments
                WHERE id = ANY($1::uuid[]) FOR UPDATE
                """, [Rows.uuidArray(attachmentIds)])
            var found: [UUID: PostgresRow] = [:]
            for row in rows { found[try row.decode("id")] = row }
            for id in attachmentIds {
                guard let row = found[id], try row.decode("room_id", as: UUID.self) == roomId else {
                    throw ChatError.attachmentNotFound(id)
                }
                guard try row.decode("uploader_id", as: UUID.self) == senderId else { throw ChatError.notAttachmentUploader(id) }
                guard try row.decode("message_id", as: UUID?.self) == nil else { throw ChatError.attachmentAlreadyUsed(id) }
                if messageType == .image {
                    let content = SniffedContent(
                        contentType: try row.decode("content_type"), width: try row.decode("width", as: Int?.self),
                        height: try row.decode("height", as: Int?.self))
                    guard content.isInlineImage else { throw ChatError.notAnImage(id) }
                }
            }
            guard
                let seq = try connection.query(
                    """
                    UPDATE rooms SET last_seq = last_seq + 1, updated_at = now() WHERE id = $1 RETURNING last_seq
                    """, [roomId]
                ).first?.decode("last_seq", as: Int64.self)
            else { throw ChatError.roomNotFound }
            try connection.query(
                """
                INSERT INTO messages (
                    id, room_id, seq, sender_id, client_message_id, content, message_type, reply_to_id, mentions, thread_root_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT t.id FROM messages t WHERE t.id = $8 AND t.room_id = $2),
                        \(Rows.memberMentions("$9::uuid[]", room: "$2")),
                        (SELECT t.id FROM messages t WHERE t.id = $10 AND t.room_id = $2 AND t.thread_root_id IS NULL))
                """,
                [
                    messageId, roomId, seq, senderId, clientMessageId, content, messageType.rawValue, replyToId, Rows.uuidArray(mentions),
                    threadRootId,
                ])
            try connection.query(
                "UPDATE attachments SET message_id = $1 WHERE id = ANY($2::uuid[])", [messageId, Rows.uuidArray(attachmentIds)])
            return (messageId, true)
        }
        guard let message = try await find(roomId: roomId, messageId: stored.0) else { throw ChatError.roomNotFound }
        return (message, stored.1)
    }

    /// Soft-deletes a message and drops its attachments in one transaction; returns the
    /// message as it now is and where the attachments' bytes were (to remove them next).
    func deleteWithAttachments(roomId: UUID, messageId: UUID) async throws -> (ChatMessage, storageKeys: [String])? {
        let keys = try await pool.transaction { connection -> [String]? in
            guard
                try connection.query(
                    """
                    UPDATE messages SET content = NULL, mentions = '{}', deleted_at = COALESCE(deleted_at, now())
                    WHERE room_id = $1 AND id = $2 RETURNING id
                    """, [roomId, messageId]
                ).first != nil
            else { return nil }
            // A deleted message keeps its place in the timeline, nothing else.
            try connection.query("DELETE FROM message_reactions WHERE message_id = $1", [messageId])
            try connection.query("DELETE FROM pinned_messages WHERE message_id = $1", [messageId])
            try connection.query("DELETE FROM saved_messages WHERE message_id = $1", [messageId])
            return try connection.query("DELETE FROM attachments WHERE message_id = $1 RETURNING storage_key", [messageId])
                .map { try $0.decode("storage_key", as: String.self) }
        }
        guard let keys, let message = try await find(roomId: roomId, messageId: messageId) else { return nil }
        return (message, keys)
    }
}
