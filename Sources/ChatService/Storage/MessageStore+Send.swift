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

    /// Stores a batch of sends to one room in one call of `send_messages` (migration
    /// 12), one round trip and one commit: only participants of the live room count,
    /// the room's row lock is taken first and held to commit (seq order is commit
    /// order), a send whose client message id is already stored answers with the
    /// stored message (`repeated`, read again in full by the caller). The call plans
    /// in microseconds and the function's own statements once per connection:
    /// planning the equivalent single statement cost PostgreSQL more than the
    /// sends themselves (README, Benchmark).
    static let sendSQL = "SELECT * FROM send_messages($1, $2::jsonb)"

    /// Stores sends to one room (see `sendSQL`) and answers each in order. A
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
        var repeated: [Int] = []
        for row in try await pool.query(Self.sendSQL, [roomId, json], idempotent: true) {
            let ord = try row.decode("ord", as: Int.self)
            stored[ord] = (try Rows.message(row), try row.decode("created", as: Bool.self))
            if try row.decode("repeated", as: Bool.self) { repeated.append(ord) }
        }
        // A repeat answers with the message as it is now (reply quote, attachments, reactions and all).
        // The batch is committed: a failed re-read keeps the stored row rather than failing the batch
        // (whose sends would then be tried again on their own, and those without a client id stored twice).
        for ord in repeated {
            if let original = stored[ord], let current = try? await find(roomId: roomId, messageId: original.0.id) {
                stored[ord] = (current, false)
            }
        }
        return stored
    }

    private static func capture<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
