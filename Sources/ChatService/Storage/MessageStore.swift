import Foundation
import Shared

/// Messages and read state, over Postgres. Every message takes the next value
/// of its room's `last_seq` inside the inserting transaction; the row lock that
/// takes it is held to commit, so in each room seq order and commit order agree
/// and "messages after seq N" never misses one that commits later.
struct MessageStore: Sendable {
    let pool: PostgresPool

    /// Stores a message, or returns the one already stored under the same client message id.
    func send(roomId: UUID, senderId: UUID, content: String, messageType: String, clientMessageId: String?) async throws -> (ChatMessage, created: Bool) {
        let id = UUID()
        return try await pool.withConnection { connection in
            if let clientMessageId, let existing = try Self.existing(connection, roomId, senderId, clientMessageId) {
                return (existing, false)
            }
            do {
                let stored = try connection.transaction { connection -> ChatMessage in
                    guard let seq = try connection.query(
                        "UPDATE rooms SET last_seq = last_seq + 1, updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING last_seq",
                        [roomId]).first?.decode("last_seq", as: Int64.self) else { throw MissingRow() }
                    let inserted = try connection.query("""
                        INSERT INTO messages AS m (id, room_id, seq, sender_id, client_message_id, content, message_type)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        ON CONFLICT (room_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
                        RETURNING \(Rows.messageColumns)
                        """, [id, roomId, seq, senderId, clientMessageId, content, messageType])
                    // No row: a concurrent retry of the same send won; rolling back returns our seq.
                    guard let row = inserted.first else { throw DuplicateSend() }
                    return try Rows.message(row)
                }
                return (stored, true)
            } catch is DuplicateSend {
                guard let clientMessageId, let existing = try Self.existing(connection, roomId, senderId, clientMessageId) else { throw MissingRow() }
                return (existing, false)
            }
        }
    }

    struct DuplicateSend: Error {}

    /// One message to store, as the HTTP layer validated it.
    struct SendRequest: Sendable {
        var roomId: UUID
        var senderId: UUID
        var content: String
        var messageType: String
        var clientMessageId: String?
    }

    /// Takes the room's next seq and inserts the message, in one statement. A send
    /// whose client message id is already stored takes no seq and inserts nothing.
    static let insertNextSQL = """
        WITH next AS (
            UPDATE rooms SET last_seq = last_seq + 1, updated_at = now()
            WHERE id = $2 AND deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM messages WHERE room_id = $2 AND sender_id = $3 AND client_message_id = $4)
            RETURNING last_seq
        )
        INSERT INTO messages AS m (id, room_id, seq, sender_id, client_message_id, content, message_type)
        SELECT $1, $2, next.last_seq, $3, $4, $5, $6 FROM next
        ON CONFLICT (room_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
        RETURNING \(Rows.messageColumns)
        """

    /// Stores many sends in one transaction — one commit, one fsync, for all of
    /// them — sent in libpq pipeline mode, so the batch costs one round trip.
    /// Sends to one room take consecutive seqs in the order given, and the room
    /// row stays locked to commit, so seq order still agrees with commit order.
    /// If any statement fails the transaction rolls back and every send is
    /// retried on its own, so one bad send never sinks the others.
    func sendBatch(_ requests: [SendRequest]) async throws -> [Result<(ChatMessage, created: Bool), any Error>] {
        guard requests.count > 1 else {
            guard let only = requests.first else { return [] }
            return [await Self.capture { try await send(only) }]
        }
        let batched: [Result<(ChatMessage, created: Bool), any Error>]? = try await pool.withConnection { connection in
            var statements: [(sql: String, parameters: [any PostgresBindable])] = [("BEGIN", [])]
            for request in requests {
                statements.append((Self.insertNextSQL, [UUID(), request.roomId, request.senderId, request.clientMessageId,
                                                        request.content, request.messageType]))
            }
            statements.append(("COMMIT", []))
            let outcomes = try connection.pipeline(statements)
            let inserts = outcomes.dropFirst().dropLast()
            guard case .success = outcomes.first, case .success = outcomes.last,
                  inserts.allSatisfy({ if case .success = $0 { true } else { false } }) else {
                // COMMIT of an aborted transaction already rolled back; this covers a failed COMMIT.
                _ = try? connection.query("ROLLBACK")
                return nil
            }
            return try zip(requests, inserts).map { request, outcome in
                guard case let .success(rows) = outcome else { return .failure(MissingRow()) }
                if let row = rows.first { return .success((try Rows.message(row), true)) }
                // Nothing inserted: the same send was stored before, or the room is gone.
                guard let clientMessageId = request.clientMessageId,
                      let existing = try Self.existing(connection, request.roomId, request.senderId, clientMessageId) else {
                    return .failure(MissingRow())
                }
                return .success((existing, false))
            }
        }
        if let batched { return batched }
        var results: [Result<(ChatMessage, created: Bool), any Error>] = []
        for request in requests {
            results.append(await Self.capture { try await send(request) })
        }
        return results
    }

    func send(_ request: SendRequest) async throws -> (ChatMessage, created: Bool) {
        try await send(roomId: request.roomId, senderId: request.senderId, content: request.content,
                       messageType: request.messageType, clientMessageId: request.clientMessageId)
    }

    private static func capture<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// The message stored for a retried send, after a concurrent duplicate lost the race.
    func existing(roomId: UUID, senderId: UUID, clientMessageId: String) async throws -> ChatMessage? {
        try await pool.withConnection { try Self.existing($0, roomId, senderId, clientMessageId) }
    }

    private static func existing(_ connection: PostgresConnection, _ roomId: UUID, _ senderId: UUID, _ clientMessageId: String) throws -> ChatMessage? {
        try connection.query("""
            SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.sender_id = $2 AND m.client_message_id = $3
            """, [roomId, senderId, clientMessageId]).first.map(Rows.message)
    }

    /// A page in room order: the newest `limit` before `before`, or the oldest `limit` after `after`.
    func page(roomId: UUID, before: Int64?, after: Int64?, limit: Int) async throws -> (messages: [ChatMessage], hasMore: Bool) {
        let rows: PostgresRows
        if let after {
            rows = try await pool.query("""
                SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3
                """, [roomId, after, limit + 1])
            let messages = try rows.map(Rows.message)
            return (Array(messages.prefix(limit)), messages.count > limit)
        }
        rows = try await pool.query("""
            SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3
            """, [roomId, before ?? Int64.max, limit + 1])
        let messages = try rows.map(Rows.message)
        return (Array(messages.prefix(limit).reversed()), messages.count > limit)
    }

    /// Everything after `seq` up to `limit`, in order: what a resuming client missed.
    func after(roomId: UUID, seq: Int64, limit: Int) async throws -> [ChatMessage] {
        try await page(roomId: roomId, before: nil, after: seq, limit: limit).messages
    }

    func find(roomId: UUID, messageId: UUID) async throws -> ChatMessage? {
        try await pool.query("SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.id = $2", [roomId, messageId])
            .first.map(Rows.message)
    }

    func edit(roomId: UUID, messageId: UUID, content: String) async throws -> ChatMessage? {
        try await pool.query("""
            UPDATE messages AS m SET content = $3, updated_at = now()
            WHERE m.room_id = $1 AND m.id = $2 AND m.deleted_at IS NULL RETURNING \(Rows.messageColumns)
            """, [roomId, messageId, content]).first.map(Rows.message)
    }

    /// Soft delete: the message keeps its place and seq, without content.
    func delete(roomId: UUID, messageId: UUID) async throws -> ChatMessage? {
        try await pool.query("""
            UPDATE messages AS m SET content = NULL, deleted_at = COALESCE(m.deleted_at, now())
            WHERE m.room_id = $1 AND m.id = $2 RETURNING \(Rows.messageColumns)
            """, [roomId, messageId]).first.map(Rows.message)
    }

    /// Moves the user's read marker forward to `messageId` (never back) and returns the receipt and unread count.
    func markRead(roomId: UUID, userId: UUID, messageId: UUID) async throws -> (ReadReceipt, unread: Int)? {
        try await pool.transaction { connection in
            guard let seq = try connection.query("SELECT seq FROM messages WHERE room_id = $1 AND id = $2", [roomId, messageId])
                .first?.decode("seq", as: Int64.self) else { return nil }
            try connection.query("""
                UPDATE room_participants SET last_read_seq = $3, last_read_at = now()
                WHERE room_id = $1 AND user_id = $2 AND last_read_seq < $3
                """, [roomId, userId, seq])
            try connection.query("""
                INSERT INTO message_reads (room_id, user_id, message_id, seq) VALUES ($1, $2, $3, $4)
                ON CONFLICT (room_id, user_id) DO UPDATE SET message_id = EXCLUDED.message_id, seq = EXCLUDED.seq, read_at = now()
                WHERE message_reads.seq < EXCLUDED.seq
                """, [roomId, userId, messageId, seq])
            let state = try connection.query("""
                SELECT p.last_read_seq, p.last_read_at,
                       (SELECT count(*) FROM messages m WHERE m.room_id = $1 AND m.seq > p.last_read_seq
                           AND m.sender_id <> $2 AND m.deleted_at IS NULL) AS unread,
                       (SELECT id FROM messages m WHERE m.room_id = $1 AND m.seq = p.last_read_seq) AS message_id
                FROM room_participants p WHERE p.room_id = $1 AND p.user_id = $2
                """, [roomId, userId]).first.unwrapped()
            let receipt = ReadReceipt(userId: userId, messageId: try state.decode("message_id", as: UUID?.self) ?? messageId,
                                      seq: try state.decode("last_read_seq"), readAt: try state.decode("last_read_at", as: Date?.self) ?? Date())
            return (receipt, try state.decode("unread", as: Int.self))
        }
    }
}
