import Foundation
import ServiceKit
import Postgres
import ChatProtocol

/// Row decoding for the chat schema, shared by the stores.
enum Rows {
    /// A message's own columns, with its mentions as JSON.
    static let ownFields = """
        m.id, m.room_id, m.seq, m.sender_id, m.content, m.message_type, m.client_message_id, m.created_at, m.updated_at, m.deleted_at,
        m.reply_to_id, array_to_json(m.mentions) AS mentions, m.system_event, m.thread_root_id,
        m.link_preview
        """
    /// A message's own columns and the quote of the message it replies to.
    static let messageFields =
        ownFields + """
            ,
            (SELECT json_build_object('id', q.id, 'senderId', q.sender_id, 'messageType', q.message_type,
                                      'deleted', q.deleted_at IS NOT NULL,
                                      'excerpt', CASE WHEN q.deleted_at IS NULL THEN
                                          NULLIF(left(split_part(btrim(q.content, E' \\n\\t\\r'), E'\\n', 1), 140), '') END)
               FROM messages q WHERE q.id = m.reply_to_id) AS reply_to
            """
    /// A message's columns with its attachments and reactions as JSON arrays (null when it has none).
    static let messageColumns =
        messageFields + """
            , (SELECT json_agg(json_build_object('id', a.id, 'filename', a.filename, 'contentType', a.content_type, 'size', a.size_bytes,
                                                 'width', a.width, 'height', a.height) ORDER BY a.created_at, a.id)
               FROM attachments a WHERE a.message_id = m.id) AS attachments,
            \(reactionsOf("m.id")) AS reactions,
            \(threadOf("m.id")) AS thread
            """

    /// A message's thread as JSON (null when nobody replied in one): live replies counted, the newest time, its latest repliers.
    static func threadOf(_ messageId: String) -> String {
        """
        (SELECT json_build_object('replyCount', count(*), 'lastReplyAt', max(t.created_at),
                                  'participantIds', (SELECT json_agg(x.sender_id) FROM (
                                      SELECT s.sender_id FROM messages s WHERE s.thread_root_id = \(messageId) AND s.deleted_at IS NULL
                                      GROUP BY s.sender_id ORDER BY max(s.seq) DESC LIMIT 5) x))
           FROM messages t WHERE t.thread_root_id = \(messageId) AND t.deleted_at IS NULL HAVING count(*) > 0)
        """
    }

    /// One message's reactions as a JSON array: each emoji with its count and people, first used first.
    static func reactionsOf(_ messageId: String) -> String {
        """
        (SELECT json_agg(json_build_object('emoji', x.emoji, 'count', x.n, 'userIds', x.users) ORDER BY x.first, x.emoji)
           FROM (SELECT r.emoji, count(*) AS n, json_agg(r.user_id ORDER BY r.created_at, r.user_id) AS users, min(r.created_at) AS first
                   FROM message_reactions r WHERE r.message_id = \(messageId) GROUP BY r.emoji) x)
        """
    }
    static let roomColumns = "r.id, r.name, r.description, r.room_type, r.created_by, r.created_at, r.updated_at, r.last_seq, r.visibility"

    /// The stored type as the enum; a value the code does not know is a broken row, not a guess.
    static func messageType(_ row: PostgresRow) throws -> MessageType {
        let text: String = try row.decode("message_type")
        guard let type = MessageType(rawValue: text) else {
            throw PostgresError(kind: .server, message: "a message has the unknown type \(text)")
        }
        return type
    }

    static func message(_ row: PostgresRow) throws -> ChatMessage {
        ChatMessage(
            id: try row.decode("id"), roomId: try row.decode("room_id"), seq: try row.decode("seq"),
            senderId: try row.decode("sender_id"), content: try row.decode("content", as: String?.self),
            messageType: try messageType(row), clientMessageId: try row.decode("client_message_id", as: String?.self),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at", as: Date?.self),
            deletedAt: try row.decode("deleted_at", as: Date?.self),
            attachments: try attachments(row),
            replyToId: try row.decode("reply_to_id", as: UUID?.self),
            replyTo: try json("reply_to", row, as: MessageQuote.self),
            mentions: try json("mentions", row, as: [UUID].self) ?? [],
            reactions: try json("reactions", row, as: [MessageReaction].self) ?? [],
            system: try json("system_event", row, as: SystemEvent.self),
            threadRootId: try row.decode("thread_root_id", as: UUID?.self),
            thread: try json("thread", row, as: ThreadSummary.self),
            linkPreview: try row.decode("link_preview", as: Bool.self)
        )
    }

    /// A column holding JSON (or null), decoded.
    static func json<T: Decodable>(_ column: String, _ row: PostgresRow, as type: T.Type) throws -> T? {
        guard let text = try row.decode(column, as: String?.self) else { return nil }
        return try JSONCoding.decoder.decode(T.self, from: Data(text.utf8))
    }

    static func attachments(_ row: PostgresRow) throws -> [MessageAttachment] {
        try json("attachments", row, as: [MessageAttachment].self) ?? []
    }

    static func room(_ row: PostgresRow) throws -> ChatRoom {
        ChatRoom(
            id: try row.decode("id"), name: try row.decode("name", as: String?.self),
            description: try row.decode("description", as: String?.self),
            roomType: try row.decode("room_type"), createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), lastSeq: try row.decode("last_seq")
        )
        .withVisibility(try row.decode("room_type") == "group" ? try row.decode("visibility", as: String.self) : nil)
    }

    static func participant(_ row: PostgresRow) throws -> RoomParticipant {
        RoomParticipant(
            userId: try row.decode("user_id"), role: try row.decode("role"), joinedAt: try row.decode("joined_at"),
            lastReadAt: try row.decode("last_read_at", as: Date?.self), lastReadSeq: try row.decode("last_read_seq"))
    }

    /// SQL for the ids in the uuid[] expression `ids` that are participants of room `room`, each once, in order.
    static func memberMentions(_ ids: String, room: String) -> String {
        """
        ARRAY(SELECT DISTINCT u FROM unnest(coalesce(\(ids), '{}')) AS u
              WHERE EXISTS (SELECT 1 FROM room_participants rp WHERE rp.room_id = \(room) AND rp.user_id = u) ORDER BY u)
        """
    }

    static func uuidArray(_ ids: [UUID]) -> String {
        "{" + ids.map { $0.uuidString.lowercased() }.joined(separator: ",") + "}"
    }
}

extension ChatRoom {
    func withVisibility(_ visibility: String?) -> ChatRoom {
        var room = self
        room.visibility = visibility
        return room
    }
}
