import Foundation
import Postgres
import ServiceKit
import ChatProtocol

extension MessageStore {
    /// A message's reactions after a change, and the message's seq (the event's).
    struct ReactionState: Sendable {
        var seq: Int64
        var reactions: [MessageReaction]
    }

    /// Adds the user's `emoji` to a message of the room. `added` is false when
    /// it was already there (nothing changes). The message row is locked while
    /// the different emoji are counted, so the cap holds under concurrent reactions.
    func addReaction(roomId: UUID, messageId: UUID, userId: UUID, emoji: String, maxEmoji: Int) async throws -> (ReactionState, added: Bool)
    {
        try await pool.transaction { connection in
            let seq = try Self.lockLiveMessage(connection, roomId: roomId, messageId: messageId)
            let counts = try connection.query(
                """
                SELECT count(DISTINCT emoji) AS kinds, bool_or(emoji = $2) AS present FROM message_reactions WHERE message_id = $1
                """, [messageId, emoji]
            ).first
            let present = try counts?.decode("present", as: Bool?.self) ?? false
            if !present, try counts?.decode("kinds", as: Int.self) ?? 0 >= maxEmoji { throw ChatError.tooManyReactions(limit: maxEmoji) }
            let added =
                try connection.query(
                    """
                    INSERT INTO message_reactions (message_id, user_id, emoji) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1
                    """, [messageId, userId, emoji]
                ).first != nil
            return (ReactionState(seq: seq, reactions: try Self.reactions(connection, messageId: messageId)), added)
        }
    }

    /// Takes the user's `emoji` off a message; `ChatError.reactionNotFound` if they had not put it there.
    func removeReaction(roomId: UUID, messageId: UUID, userId: UUID, emoji: String) async throws -> ReactionState {
        try await pool.transaction { connection in
            let seq = try Self.lockLiveMessage(connection, roomId: roomId, messageId: messageId)
            guard
                try connection.query(
                    """
                    DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3 RETURNING 1
                    """, [messageId, userId, emoji]
                ).first != nil
            else { throw ChatError.reactionNotFound }
            return ReactionState(seq: seq, reactions: try Self.reactions(connection, messageId: messageId))
        }
    }

    private static func lockLiveMessage(_ connection: PostgresConnection, roomId: UUID, messageId: UUID) throws -> Int64 {
        guard
            let row = try connection.query(
                """
                SELECT seq, deleted_at FROM messages WHERE room_id = $1 AND id = $2 FOR UPDATE
                """, [roomId, messageId]
            ).first
        else { throw ChatError.messageNotFound }
        guard try row.decode("deleted_at", as: Date?.self) == nil else { throw ChatError.messageDeleted }
        return try row.decode("seq")
    }

    private static func reactions(_ connection: PostgresConnection, messageId: UUID) throws -> [MessageReaction] {
        guard let row = try connection.query("SELECT \(Rows.reactionsOf("$1")) AS reactions", [messageId]).first else { return [] }
        return try Rows.json("reactions", row, as: [MessageReaction].self) ?? []
    }
}
