import ChatProtocol
import Foundation
import Postgres

extension MessageStore {
    /// The most messages one export holds (a person who sent more gets the first ones and `truncated`).
    static let exportLimit = 100_000

    /// Everything `userId` sent, oldest first, and the rooms it was sent in or that they are in.
    func export(sentBy userId: UUID) async throws -> SentMessagesExport {
        let messages = try await pool.query(
            """
            SELECT \(Rows.messageColumns) FROM messages m
            WHERE m.sender_id = $1 AND m.message_type <> 'system'
            ORDER BY m.created_at, m.id LIMIT $2
            """, [userId, Self.exportLimit + 1]
        ).map(Rows.message)
        let rooms = try await pool.query(
            """
            SELECT r.id, r.room_type, r.name FROM rooms r
            WHERE r.id IN (SELECT room_id FROM room_participants WHERE user_id = $1)
               OR r.id IN (SELECT DISTINCT room_id FROM messages WHERE sender_id = $1)
            ORDER BY r.created_at, r.id
            """, [userId]
        ).map { row in
            ExportedRoom(id: try row.decode("id"), roomType: try row.decode("room_type"), name: try row.decode("name", as: String?.self))
        }
        return SentMessagesExport(
            rooms: rooms,
            messages: messages.prefix(Self.exportLimit).map { message in
                ExportedMessage(
                    id: message.id, roomId: message.roomId, seq: message.seq, content: message.content, messageType: message.messageType,
                    createdAt: message.createdAt, updatedAt: message.updatedAt, deletedAt: message.deletedAt, replyToId: message.replyToId,
                    attachments: message.attachments)
            }, truncated: messages.count > Self.exportLimit)
    }

    /// The person's own saved list goes with their account.
    func forgetSaved(by userId: UUID) async throws {
        try await pool.query("DELETE FROM saved_messages WHERE user_id = $1", [userId])
    }
}
