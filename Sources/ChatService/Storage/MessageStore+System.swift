import Foundation
import Postgres
import ServiceKit
import ChatProtocol

extension MessageStore {
    /// Records a change to the room as a `system` message from `actorId`: the
    /// room's next seq (under the same row lock sends take), empty content, the
    /// change in `system_event`. Nil when the room is gone.
    func recordSystemEvent(roomId: UUID, actorId: UUID, event: SystemEvent) async throws -> ChatMessage? {
        let id = UUID()
        let json = String(decoding: try JSONCoding.encoder.encode(event), as: UTF8.self)
        let stored = try await pool.transaction { connection -> Bool in
            guard
                let seq = try connection.query(
                    """
                    UPDATE rooms SET last_seq = last_seq + 1, updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING last_seq
                    """, [roomId]
                ).first?.decode("last_seq", as: Int64.self)
            else { return false }
            try connection.query(
                """
                INSERT INTO messages (id, room_id, seq, sender_id, content, message_type, system_event)
                VALUES ($1, $2, $3, $4, '', 'system', $5::jsonb)
                """, [id, roomId, seq, actorId, json])
            return true
        }
        guard stored else { return nil }
        return try await find(roomId: roomId, messageId: id)
    }
}
