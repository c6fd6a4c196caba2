import Foundation
import Shared
import Postgres

/// Row decoding for the chat schema, shared by the stores.
enum Rows {
    static let messageFields = "m.id, m.room_id, m.seq, m.sender_id, m.content, m.message_type, m.client_message_id, m.created_at, m.updated_at, m.deleted_at"
    /// A message's columns with its attachments as one JSON array (null when it has none).
    static let messageColumns = messageFields + """
        , (SELECT json_agg(json_build_object('id', a.id, 'filename', a.filename, 'contentType', a.content_type, 'size', a.size_bytes,
                                             'width', a.width, 'height', a.height) ORDER BY a.created_at, a.id)
           FROM attachments a WHERE a.message_id = m.id) AS attachments
        """
    /// For messages that cannot have attachments yet (the ones a text send just inserted): no look-up per row.
    static let newMessageColumns = messageFields + ", NULL::json AS attachments"
    static let roomColumns = "r.id, r.name, r.description, r.room_type, r.created_by, r.created_at, r.updated_at, r.last_seq"

    static func message(_ row: PostgresRow) throws -> ChatMessage {
        ChatMessage(
            id: try row.decode("id"), roomId: try row.decode("room_id"), seq: try row.decode("seq"),
            senderId: try row.decode("sender_id"), content: try row.decode("content", as: String?.self),
            messageType: try row.decode("message_type"), clientMessageId: try row.decode("client_message_id", as: String?.self),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at", as: Date?.self),
            deletedAt: try row.decode("deleted_at", as: Date?.self),
            attachments: try attachments(row)
        )
    }

    static func attachments(_ row: PostgresRow) throws -> [MessageAttachment] {
        guard let json = try row.decode("attachments", as: String?.self) else { return [] }
        return try JSONCoding.decoder.decode([MessageAttachment].self, from: Data(json.utf8))
    }

    static func room(_ row: PostgresRow) throws -> ChatRoom {
        ChatRoom(
            id: try row.decode("id"), name: try row.decode("name", as: String?.self), description: try row.decode("description", as: String?.self),
            roomType: try row.decode("room_type"), createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), lastSeq: try row.decode("last_seq")
        )
    }

    static func participant(_ row: PostgresRow) throws -> RoomParticipant {
        RoomParticipant(userId: try row.decode("user_id"), role: try row.decode("role"), joinedAt: try row.decode("joined_at"),
                        lastReadAt: try row.decode("last_read_at", as: Date?.self), lastReadSeq: try row.decode("last_read_seq"))
    }

    static func uuidArray(_ ids: [UUID]) -> String {
        "{" + ids.map { $0.uuidString.lowercased() }.joined(separator: ",") + "}"
    }
}
