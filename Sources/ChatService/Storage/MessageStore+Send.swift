import Foundation
import ServiceKit
import Postgres
import ChatProtocol

extension MessageStore {
    /// One message to store, as the HTTP layer validated it.
    struct SendRequest: Sendable {
        var roomId: UUID
        var senderId: UUID
        var content: String
        var messageType: MessageType
        var clientMessageId: String?
        /// A message of the same room (the controller checked it exists).
        var replyToId: UUID? = nil
        /// The users its @usernames named; only those in the room are kept.
        var mentions: [UUID] = []
        /// The thread it replies in: a message of the same room that is not itself a thread reply (the controller checked).
        var threadRootId: UUID? = nil
        /// false: the page shows no card for the text's first link.
        var linkPreview: Bool = true
    }

    typealias SendResult = Result<(ChatMessage, created: Bool), any Error>

    /// The sends of one batch as the statement reads them (`jsonb_to_recordset`).
    private struct Row: Encodable {
        var ord: Int
        var id: UUID
        var sender_id: UUID
        var client_message_id: String?
        var content: String
        var message_type: String
        var reply_to_id: UUID?
        var mentions: [UUID]
        var thread_root_id: UUID?
        /// Sent only when false, so the common send's JSON stays as short as before.
        var link_preview: Bool?
    }

    /// Stores a batch of sends to one room in one statement — one round trip,
    /// one commit. In that statement: only senders who are participants of the
    /// live room count; a send whose client message id is already stored (or
    /// repeats an earlier one of the batch) takes no seq and answers with the
    /// stored message (`repeated`, read again in full by the caller); the others
    /// take `last_seq + 1 … + n` in batch order from one UPDATE, whose row lock is
    /// held to commit, so seq order is commit order. The `rich` form, used only
    /// when a send of the batch replies or mentions someone, checks the reply
    /// target and keeps the mentions of members; the plain one has no subquery
    /// per row, because planning the statement is most of its cost.
    static func sendSQL(rich: Bool) -> String {
        let columns = rich ? Rows.newMessageColumns : Rows.plainNewMessageColumns
        let replyTo = rich ? "(SELECT t.id FROM messages t WHERE t.id = n.reply_to_id AND t.room_id = $1)" : "NULL::uuid"
        let threadRoot =
            rich
            ? "(SELECT t.id FROM messages t WHERE t.id = n.thread_root_id AND t.room_id = $1 AND t.thread_root_id IS NULL)" : "NULL::uuid"
        let mentions = rich ? Rows.memberMentions("n.mentions", room: "$1") : "'{}'::uuid[]"
        return """
            WITH input AS (
                SELECT * FROM jsonb_to_recordset($2::jsonb)
                    AS i(ord int, id uuid, sender_id uuid, client_message_id text, content text, message_type text,
                         reply_to_id uuid, mentions uuid[], thread_root_id uuid, link_preview boolean)
            ),
            permitted AS (
                SELECT i.* FROM input i
                WHERE EXISTS (SELECT 1 FROM rooms r WHERE r.id = $1 AND r.deleted_at IS NULL)
                  AND EXISTS (SELECT 1 FROM room_participants p WHERE p.room_id = $1 AND p.user_id = i.sender_id)
            ),
            fresh AS (
                SELECT DISTINCT ON (p.sender_id, COALESCE(p.client_message_id, p.id::text)) p.*
                FROM permitted p
                WHERE p.client_message_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM messages m
                    WHERE m.room_id = $1 AND m.sender_id = p.sender_id AND m.client_message_id = p.client_message_id)
                ORDER BY p.sender_id, COALESCE(p.client_message_id, p.id::text), p.ord
            ),
            bump AS (
                UPDATE rooms SET last_seq = last_seq + (SELECT count(*) FROM fresh), updated_at = now()
                WHERE id = $1 AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM fresh)
                RETURNING last_seq
            ),
            numbered AS (
                SELECT f.*, b.last_seq - (SELECT count(*) FROM fresh) + row_number() OVER (ORDER BY f.ord) AS seq
                FROM fresh f CROSS JOIN bump b
            ),
            inserted AS (
                INSERT INTO messages AS m (
                    id, room_id, seq, sender_id, client_message_id, content, message_type, reply_to_id, mentions, thread_root_id,
                    link_preview)
                SELECT n.id, $1, n.seq, n.sender_id, n.client_message_id, n.content, n.message_type, \(replyTo), \(mentions),
                       \(threadRoot), COALESCE(n.link_preview, true)
                FROM numbered n
                ON CONFLICT (room_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
                RETURNING m.*
            )
            SELECT p.ord, true AS created, false AS repeated, \(columns)
                FROM permitted p JOIN inserted m ON m.id = p.id
            UNION ALL
            SELECT p.ord, false, false, \(columns)
                FROM permitted p JOIN inserted m
                ON m.id <> p.id AND m.sender_id = p.sender_id AND m.client_message_id = p.client_message_id
            UNION ALL
            SELECT p.ord, false, true, \(Rows.plainNewMessageColumns)
                FROM permitted p JOIN messages m
                ON m.room_id = $1 AND m.sender_id = p.sender_id AND m.client_message_id = p.client_message_id
            """
    }

    static let plainSendSQL = sendSQL(rich: false)
    static let richSendSQL = sendSQL(rich: true)

    /// Stores sends to one room (see `sendSQL(rich:)`) and answers each in order. A
    /// send that was refused (not a participant, no such room) fails with
    /// `ChatError.roomNotFound`; the others succeed. If PostgreSQL refuses the statement as
    /// a whole, each send is tried again on its own, so one bad send fails alone.
    func sendBatch(roomId: UUID, _ requests: [SendRequest]) async -> [SendResult] {
        guard !requests.isEmpty else { return [] }
        let stored: [Int: (ChatMessage, created: Bool)]
        do {
            stored = try await storeTogether(roomId: roomId, requests)
        } catch let error as PostgresError where error.kind == .server && requests.count > 1 {
            var results: [SendResult] = []
            for request in requests { results.append(await sendBatch(roomId: roomId, [request])[0]) }
            return results
        } catch {
            return requests.map { _ in .failure(error) }
        }
        var results: [SendResult] = []
        results.reserveCapacity(requests.count)
        for (index, request) in requests.enumerated() {
            if let outcome = stored[index] {
                results.append(.success(outcome))
            } else if requests.count > 1 || request.clientMessageId != nil {
                // Refused, or a retry of this send racing on another replica lost to it
                // (ON CONFLICT waited for the winner's commit): once more, alone, sees which.
                results.append(await Self.capture { try await storeAlone(roomId: roomId, request) })
            } else {
                results.append(.failure(ChatError.roomNotFound))
            }
        }
        return results
    }

    private func storeAlone(roomId: UUID, _ request: SendRequest) async throws -> (ChatMessage, created: Bool) {
        guard let outcome = try await storeTogether(roomId: roomId, [request])[0] else { throw ChatError.roomNotFound }
        return outcome
    }

    private func storeTogether(roomId: UUID, _ requests: [SendRequest]) async throws -> [Int: (ChatMessage, created: Bool)] {
        let rows = requests.enumerated().map { index, request in
            Row(
                ord: index, id: UUID(), sender_id: request.senderId, client_message_id: request.clientMessageId,
                content: request.content, message_type: request.messageType.rawValue, reply_to_id: request.replyToId,
                mentions: request.mentions, thread_root_id: request.threadRootId,
                link_preview: request.linkPreview ? nil : false)
        }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        var stored: [Int: (ChatMessage, created: Bool)] = [:]
        // Safe to repeat after a lost connection: the message ids are fixed above, so a
        // statement that did commit before the connection died cannot insert twice.
        let rich = requests.contains { $0.replyToId != nil || !$0.mentions.isEmpty || $0.threadRootId != nil }
        var repeated: [Int] = []
        for row in try await pool.query(rich ? Self.richSendSQL : Self.plainSendSQL, [roomId, json], idempotent: true) {
            let ord = try row.decode("ord", as: Int.self)
            stored[ord] = (try Rows.message(row), try row.decode("created", as: Bool.self))
            if try row.decode("repeated", as: Bool.self) { repeated.append(ord) }
        }
        // A repeat answers with the message as it is now (reply quote, attachments, reactions and all).
        for ord in repeated {
            if let original = stored[ord], let current = try await find(roomId: roomId, messageId: original.0.id) {
                stored[ord] = (current, false)
            }
        }
        return stored
    }

    private static func capture<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
