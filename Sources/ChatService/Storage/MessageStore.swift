import Foundation
import ServiceKit
import Postgres
import ChatProtocol

/// Messages and read state, over Postgres. Every message takes the next value
/// of its room's `last_seq` inside the inserting transaction; the row lock that
/// takes it is held to commit, so in each room seq order and commit order agree
/// and "messages after seq N" never misses one that commits later. Sending is
/// in MessageStore+Send.swift.
struct MessageStore: Sendable {
    let pool: PostgresPool

    /// A page in room order: the newest `limit` before `before`, or the oldest `limit` after `after`.
    /// Prepared: gap fills and history pages are read all the time, and planning the
    /// message columns' subqueries cost more than the read.
    func page(roomId: UUID, before: Int64?, after: Int64?, through: Int64? = nil, limit: Int) async throws -> (
        messages: [ChatMessage], hasMore: Bool
    ) {
        let rows: PostgresRows
        if let after {
            rows = try await pool.query(
                """
                SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.seq > $2 AND m.seq <= $4
                ORDER BY m.seq ASC LIMIT $3
                """, [roomId, after, limit + 1, through ?? Int64.max], prepared: true)
            let messages = try rows.map(Rows.message)
            return (Array(messages.prefix(limit)), messages.count > limit)
        }
        rows = try await pool.query(
            """
            SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3
            """, [roomId, before ?? Int64.max, limit + 1], prepared: true)
        let messages = try rows.map(Rows.message)
        return (Array(messages.prefix(limit).reversed()), messages.count > limit)
    }

    /// Everything after `seq` up to `limit`, in order: what a resuming client missed.
    func after(roomId: UUID, seq: Int64, through: Int64? = nil, limit: Int) async throws -> [ChatMessage] {
        try await page(roomId: roomId, before: nil, after: seq, through: through, limit: limit).messages
    }

    /// The messages after each room's position, in one query for all the rooms:
    /// at most `limit` in all, ordered by room and seq (what was left out comes
    /// in the next call, from the positions moved on).
    func after(positions: [(room: UUID, seq: Int64)], limit: Int) async throws -> [ChatMessage] {
        guard !positions.isEmpty else { return [] }
        let seqs = "{" + positions.map { String($0.seq) }.joined(separator: ",") + "}"
        return try await pool.query(
            """
            SELECT \(Rows.messageColumns) FROM unnest($1::uuid[], $2::bigint[]) AS p(room_id, after)
            JOIN messages m ON m.room_id = p.room_id AND m.seq > p.after
            ORDER BY m.room_id, m.seq LIMIT $3
            """, [Rows.uuidArray(positions.map(\.room)), seqs, limit]
        ).map(Rows.message)
    }

    /// When a message was sent (for cursors), if it is in a live room `userId` is in:
    /// another room's message is no cursor of theirs, and its time is not told.
    func createdAt(messageId: UUID, visibleTo userId: UUID) async throws -> Date? {
        try await pool.query(
            """
            SELECT m.created_at FROM messages m
            JOIN room_participants p ON p.room_id = m.room_id AND p.user_id = $2
            JOIN rooms r ON r.id = m.room_id AND r.deleted_at IS NULL
            WHERE m.id = $1
            """, [messageId, userId]
        ).first?.decode("created_at", as: Date.self)
    }

    /// Where a reply may point, as seen by `requester`: nil when they are not a
    /// member of the (live) room, so a stranger cannot tell an absent, a deleted
    /// and a present message apart; otherwise whether the target exists and is deleted.
    func replyTarget(roomId: UUID, messageId: UUID, requester: UUID) async throws -> ReplyTarget? {
        guard
            let row = try await pool.query(
                """
                SELECT (SELECT t.deleted_at IS NOT NULL FROM messages t WHERE t.room_id = $1 AND t.id = $2) AS deleted
                FROM room_participants p JOIN rooms r ON r.id = p.room_id
                WHERE p.room_id = $1 AND p.user_id = $3 AND r.deleted_at IS NULL
                """, [roomId, messageId, requester]
            ).first
        else { return nil }
        switch try row.decode("deleted", as: Bool?.self) {
        case .none: return .absent
        case .some(true): return .deleted
        case .some(false): return .present
        }
    }

    enum ReplyTarget { case absent, deleted, present }

    func find(roomId: UUID, messageId: UUID) async throws -> ChatMessage? {
        try await pool.query("SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.id = $2", [roomId, messageId])
            .first.map(Rows.message)
    }

    /// New text, and the mentions it now makes (of people in the room).
    func edit(roomId: UUID, messageId: UUID, content: String, mentions: [UUID]) async throws -> ChatMessage? {
        try await pool.query(
            """
            UPDATE messages AS m SET content = $3, updated_at = now(),
                   mentions = \(Rows.memberMentions("$4::uuid[]", room: "$1"))
            WHERE m.room_id = $1 AND m.id = $2 AND m.deleted_at IS NULL RETURNING \(Rows.messageColumns)
            """, [roomId, messageId, content, Rows.uuidArray(mentions)]
        ).first.map(Rows.message)
    }

    /// Turns the message's link card off (the author's choice); nil when it is gone or deleted.
    func hideLinkPreview(roomId: UUID, messageId: UUID) async throws -> ChatMessage? {
        try await pool.query(
            """
            UPDATE messages AS m SET link_preview = false
            WHERE m.room_id = $1 AND m.id = $2 AND m.deleted_at IS NULL RETURNING \(Rows.messageColumns)
            """, [roomId, messageId]
        ).first.map(Rows.message)
    }

    /// Moves the user's read marker forward to `messageId` (never back) and returns the receipt and unread count.
    func markRead(roomId: UUID, userId: UUID, messageId: UUID) async throws -> (ReadReceipt, unread: Int)? {
        try await pool.transaction { connection in
            guard
                let seq = try connection.query("SELECT seq FROM messages WHERE room_id = $1 AND id = $2", [roomId, messageId])
                    .first?.decode("seq", as: Int64.self)
            else { return nil }
            try connection.query(
                """
                UPDATE room_participants SET last_read_seq = $3, last_read_at = now()
                WHERE room_id = $1 AND user_id = $2 AND last_read_seq < $3
                """, [roomId, userId, seq])
            try connection.query(
                """
                INSERT INTO message_reads (room_id, user_id, message_id, seq) VALUES ($1, $2, $3, $4)
                ON CONFLICT (room_id, user_id) DO UPDATE SET message_id = EXCLUDED.message_id, seq = EXCLUDED.seq, read_at = now()
                WHERE message_reads.seq < EXCLUDED.seq
                """, [roomId, userId, messageId, seq])
            let found = try connection.query(
                """
                SELECT p.last_read_seq, p.last_read_at,
                       (SELECT count(*) FROM messages m WHERE m.room_id = $1 AND m.seq > p.last_read_seq
                           AND m.sender_id <> $2 AND m.deleted_at IS NULL AND m.message_type <> 'system') AS unread,
                       (SELECT id FROM messages m WHERE m.room_id = $1 AND m.seq = p.last_read_seq) AS message_id
                FROM room_participants p WHERE p.room_id = $1 AND p.user_id = $2
                """, [roomId, userId]
            ).first
            guard let state = found else { throw ChatError.roomNotFound }
            let receipt = ReadReceipt(
                userId: userId, messageId: try state.decode("message_id", as: UUID?.self) ?? messageId,
                seq: try state.decode("last_read_seq"), readAt: try state.decode("last_read_at", as: Date?.self) ?? Date())
            return (receipt, try state.decode("unread", as: Int.self))
        }
    }
}
