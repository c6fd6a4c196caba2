import Foundation
import Postgres
import ServiceKit
import ChatProtocol

/// Invitations: people asked into a room by someone who is not their contact.
/// They are not participants until they accept, so every membership check in
/// the service keeps them out meanwhile.
extension RoomStore {
    /// A pending invitation with its role, as stored.
    struct StoredInvitation: Sendable {
        var invitation: RoomInvitation
        var role: RoomRole
    }

    /// Invites each of `users` (who are not participants) into `roomId`; returns the invitations made (not the ones already pending).
    func invite(_ users: [UUID], to roomId: UUID, by inviter: UUID, role: RoomRole) async throws -> [RoomInvitation] {
        guard !users.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            INSERT INTO room_invitations (room_id, user_id, invited_by, role)
            SELECT $1, u, $3, $4 FROM unnest($2::uuid[]) AS u
            WHERE NOT EXISTS (SELECT 1 FROM room_participants p WHERE p.room_id = $1 AND p.user_id = u)
            ON CONFLICT DO NOTHING RETURNING user_id, created_at
            """, [roomId, Rows.uuidArray(users), inviter, role.rawValue])
        return try rows.map { row in
            RoomInvitation(roomId: roomId, userId: try row.decode("user_id"), invitedBy: inviter, createdAt: try row.decode("created_at"))
        }
    }

    /// Who is invited into `roomId` and has not answered.
    func invitees(of roomId: UUID) async throws -> [UUID] {
        try await pool.query("SELECT user_id FROM room_invitations WHERE room_id = $1 ORDER BY created_at, user_id", [roomId])
            .map { try $0.decode("user_id", as: UUID.self) }
    }

    /// `user`'s pending invitations into live rooms, newest first.
    func invitations(for user: UUID) async throws -> [RoomInvitation] {
        try await pool.query(
            """
            SELECT i.room_id, i.invited_by, i.created_at FROM room_invitations i JOIN rooms r ON r.id = i.room_id
            WHERE i.user_id = $1 AND r.deleted_at IS NULL ORDER BY i.created_at DESC, i.room_id LIMIT 200
            """, [user]
        ).map { row in
            RoomInvitation(
                roomId: try row.decode("room_id"), userId: user, invitedBy: try row.decode("invited_by"),
                createdAt: try row.decode("created_at"))
        }
    }

    /// Who invited `user` into `roomId`, if they have a pending invitation there.
    func inviter(of user: UUID, in roomId: UUID) async throws -> UUID? {
        try await pool.query("SELECT invited_by FROM room_invitations WHERE room_id = $1 AND user_id = $2", [roomId, user])
            .first?.decode("invited_by", as: UUID.self)
    }

    enum Acceptance: Sendable {
        case joined(RoomParticipant, invitedBy: UUID)
        /// The inviter is no longer in the room, or no longer may add people (with that role): the invitation was void, and is gone.
        case void
        case missing
    }

    /// Accepts `user`'s invitation into `roomId`: in one transaction it goes and they join with
    /// its role — if whoever sent it still may add people with that role (a member of a direct
    /// room; an owner or admin of a group, an owner for an owner's role).
    func accept(invitationTo roomId: UUID, user: UUID) async throws -> Acceptance {
        try await pool.transaction { connection in
            guard
                let invitation = try connection.query(
                    """
                    DELETE FROM room_invitations i USING rooms r
                    WHERE i.room_id = $1 AND i.user_id = $2 AND r.id = i.room_id AND r.deleted_at IS NULL
                    RETURNING i.role, i.invited_by, r.room_type
                    """, [roomId, user]
                ).first
            else { return .missing }
            let role: String = try invitation.decode("role")
            let inviter: UUID = try invitation.decode("invited_by")
            let inviterRole = try connection.query(
                "SELECT role FROM room_participants WHERE room_id = $1 AND user_id = $2 FOR SHARE",
                [roomId, inviter]
            ).first?.decode("role", as: String.self)
            let mayStillInvite: Bool
            switch (try invitation.decode("room_type", as: String.self), inviterRole.flatMap(RoomRole.init(rawValue:))) {
            case (RoomType.direct.rawValue, .some): mayStillInvite = true
            case (RoomType.group.rawValue, let .some(standing)):
                mayStillInvite = standing.managesGroup && (role != RoomRole.owner.rawValue || standing.isOwner)
            default: mayStillInvite = false
            }
            guard mayStillInvite else { return .void }
            let joined = try connection.query(
                """
                INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, $3)
                ON CONFLICT (room_id, user_id) DO UPDATE SET role = room_participants.role
                RETURNING user_id, role, joined_at, last_read_at, last_read_seq
                """, [roomId, user, role])
            guard let row = joined.first else { return .missing }
            return .joined(try Rows.participant(row), invitedBy: inviter)
        }
    }

    /// Declines (deletes) `user`'s invitation into `roomId`; false when there was none.
    func decline(invitationTo roomId: UUID, user: UUID) async throws -> Bool {
        try await pool.query("DELETE FROM room_invitations WHERE room_id = $1 AND user_id = $2", [roomId, user]).affectedRows == 1
    }
}
