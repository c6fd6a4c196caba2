import ChatProtocol
import Foundation
import Postgres

extension RoomStore {
    /// One group an erased account left, and who became its owner in their place (if anyone had to).
    struct Departure: Sendable {
        var roomId: UUID
        var newOwner: UUID?
    }

    /// Takes a person whose account is being erased out of every live group: where they
    /// were the last owner and others remain, the longest-standing admin (else member)
    /// becomes owner. Direct rooms keep them, so the other person's history still says
    /// whom it was with. Invitations to and from them go. Safe to repeat.
    func depart(_ userId: UUID) async throws -> [Departure] {
        let groups = try await pool.query(
            """
            SELECT p.room_id FROM room_participants p JOIN rooms r ON r.id = p.room_id
            WHERE p.user_id = $1 AND r.room_type = 'group' AND r.deleted_at IS NULL
            """, [userId]
        ).map { try $0.decode("room_id", as: UUID.self) }
        var departures: [Departure] = []
        for roomId in groups {
            let newOwner = try await pool.transaction { connection -> UUID? in
                try connection.query("SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE", [roomId])
                guard
                    let role = try connection.query(
                        "SELECT role FROM room_participants WHERE room_id = $1 AND user_id = $2", [roomId, userId]
                    ).first?.decode("role", as: String.self)
                else { return nil }
                var successor: UUID?
                if role == RoomRole.owner.rawValue {
                    let others =
                        try connection.query(
                            "SELECT count(*) AS n FROM room_participants WHERE room_id = $1 AND role = 'owner' AND user_id <> $2",
                            [roomId, userId]
                        ).first?.decode("n", as: Int.self) ?? 0
                    if others == 0 {
                        successor = try connection.query(
                            """
                            UPDATE room_participants SET role = 'owner'
                            WHERE (room_id, user_id) = (
                                SELECT room_id, user_id FROM room_participants WHERE room_id = $1 AND user_id <> $2
                                ORDER BY role = 'admin' DESC, joined_at, user_id LIMIT 1)
                            RETURNING user_id
                            """, [roomId, userId]
                        ).first?.decode("user_id", as: UUID.self)
                    }
                }
                try connection.query("DELETE FROM room_participants WHERE room_id = $1 AND user_id = $2", [roomId, userId])
                try Self.revokeLinks(of: userId, in: roomId, connection)
                try Self.endIfEmpty(roomId, connection)
                return successor
            }
            departures.append(Departure(roomId: roomId, newOwner: newOwner))
        }
        try await pool.query("DELETE FROM room_invitations WHERE user_id = $1 OR invited_by = $1", [userId])
        return departures
    }
}
