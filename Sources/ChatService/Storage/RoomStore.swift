import Foundation
import ServiceKit
import Postgres
import ChatProtocol

/// Rooms and who is in them, over Postgres (schema `chat_service`).
struct RoomStore: Sendable {
    let pool: PostgresPool

    /// The caller's role in a live room, or nil when they are not in it (or it is gone).
    func role(of userId: UUID, in roomId: UUID) async throws -> String? {
        try await membership(of: userId, in: roomId)?.role
    }

    /// The user's role in a live room and the room's type, or nil when they are not in it.
    func membership(of userId: UUID, in roomId: UUID) async throws -> (
        role: String, roomType: String, muted: Bool, level: NotificationLevel
    )? {
        guard
            let row = try await pool.query(
                """
                SELECT p.role, r.room_type, p.muted, p.notify FROM room_participants p JOIN rooms r ON r.id = p.room_id
                WHERE p.room_id = $1 AND p.user_id = $2 AND r.deleted_at IS NULL
                """, [roomId, userId], prepared: true  // asked on every send: planned once per connection
            ).first
        else { return nil }
        return (
            try row.decode("role", as: String.self), try row.decode("room_type", as: String.self), try row.decode("muted", as: Bool.self),
            Self.level(try row.decode("notify", as: String?.self))
        )
    }

    /// The stored choice as a level (NULL, or anything unknown, is the default).
    static func level(_ stored: String?) -> NotificationLevel {
        stored.flatMap(NotificationLevel.init(rawValue:)) ?? .default
    }

    /// Mutes the room for one participant (level `none`), or unmutes it (back to the default);
    /// false if they are not in it.
    func setMuted(_ muted: Bool, userId: UUID, roomId: UUID) async throws -> Bool {
        try await setLevel(muted ? NotificationLevel.none : .default, userId: userId, roomId: roomId)
    }

    /// Sets one participant's notification level for the room; false if they are not in it.
    func setLevel(_ level: NotificationLevel, userId: UUID, roomId: UUID) async throws -> Bool {
        try await pool.query(
            """
            UPDATE room_participants p SET notify = $3, muted = ($3 IS NOT DISTINCT FROM 'none') FROM rooms r
            WHERE p.room_id = $1 AND p.user_id = $2 AND r.id = p.room_id AND r.deleted_at IS NULL RETURNING 1
            """, [roomId, userId, level == .default ? nil : level.rawValue]
        ).first != nil
    }

    func createGroup(
        name: String, description: String?, creator: UUID, members: [UUID], invitees: [UUID] = [], visibility: RoomVisibility = .private
    ) async throws -> ChatRoom {
        let id = UUID()
        try await pool.transaction { connection in
            try connection.query(
                "INSERT INTO rooms (id, name, description, room_type, created_by, visibility) VALUES ($1, $2, $3, 'group', $4, $5)",
                [id, name, description, creator, visibility.rawValue])
            try connection.query("INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, 'owner')", [id, creator])
            let others = members.filter { $0 != creator }
            if !others.isEmpty {
                try connection.query(
                    """
                    INSERT INTO room_participants (room_id, user_id, role)
                    SELECT $1, u, 'member' FROM unnest($2::uuid[]) AS u ON CONFLICT DO NOTHING
                    """, [id, Rows.uuidArray(others)])
            }
            let invited = invitees.filter { $0 != creator }
            if !invited.isEmpty {
                try connection.query(
                    """
                    INSERT INTO room_invitations (room_id, user_id, invited_by)
                    SELECT $1, u, $3 FROM unnest($2::uuid[]) AS u ON CONFLICT DO NOTHING
                    """, [id, Rows.uuidArray(invited), creator])
            }
        }
        guard let room = try await room(id) else { throw ChatError.roomNotFound }
        return room
    }

    /// What asking for the direct room of a pair finds.
    enum DirectRoom {
        /// Made now; `invited` when the other person was invited rather than made a member.
        case created(ChatRoom, invited: Bool)
        case existing(ChatRoom)
        /// The caller had been invited into the pair's room: asking for it accepted.
        case joined(ChatRoom, invitedBy: UUID)
        /// The pair's live room exists but the caller left it: they get nothing of it.
        case left
    }

    /// The one live direct room of a pair, made on first use. Both people are
    /// plain members — or, when the other has not got the caller as a contact
    /// (`inviteOther`), the caller is and the other is invited. A room both
    /// people left is closed (deleted) and a new one made; a room only the
    /// caller left stays theirs no longer, unless they were invited into it.
    func findOrCreateDirect(creator: UUID, other: UUID, inviteOther: Bool) async throws -> DirectRoom {
        let key = [creator, other].map { $0.uuidString.lowercased() }.sorted().joined(separator: ":")
        let id = UUID()
        enum Outcome { case existing(UUID), created(UUID), joined(UUID, invitedBy: UUID), left }
        let outcome = try await pool.transaction { connection -> Outcome in
            // Serialise makers of the same pair, so the live-room check and the insert agree.
            try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [key])
            if let live = try connection.query(
                """
                SELECT r.id, count(p.user_id) AS present, bool_or(p.user_id = $2) AS mine
                FROM rooms r LEFT JOIN room_participants p ON p.room_id = r.id
                WHERE r.direct_key = $1 AND r.deleted_at IS NULL GROUP BY r.id
                """, [key, creator]
            ).first {
                let liveId = try live.decode("id", as: UUID.self)
                if try live.decode("mine", as: Bool?.self) == true { return .existing(liveId) }
                if let invitation = try connection.query(
                    """
                    DELETE FROM room_invitations WHERE room_id = $1 AND user_id = $2 RETURNING invited_by
                    """, [liveId, creator]
                ).first {
                    try connection.query(
                        "INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, 'member') ON CONFLICT DO NOTHING",
                        [liveId, creator])
                    return .joined(liveId, invitedBy: try invitation.decode("invited_by"))
                }
                if try live.decode("present", as: Int.self) > 0 { return .left }
                try connection.query("UPDATE rooms SET deleted_at = now() WHERE id = $1", [liveId])
            }
            try connection.query(
                "INSERT INTO rooms (id, room_type, created_by, direct_key) VALUES ($1, 'direct', $2, $3)",
                [id, creator, key])
            if inviteOther {
                try connection.query("INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, 'member')", [id, creator])
                try connection.query(
                    "INSERT INTO room_invitations (room_id, user_id, invited_by) VALUES ($1, $2, $3)", [id, other, creator])
            } else {
                try connection.query(
                    """
                    INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, 'member'), ($1, $3, 'member')
                    """, [id, creator, other])
            }
            return .created(id)
        }
        switch outcome {
        case .left: return .left
        case let .existing(roomId):
            guard let room = try await room(roomId) else { throw ChatError.roomNotFound }
            return .existing(room)
        case let .created(roomId):
            guard let room = try await room(roomId) else { throw ChatError.roomNotFound }
            return .created(room, invited: inviteOther)
        case let .joined(roomId, invitedBy):
            guard let room = try await room(roomId) else { throw ChatError.roomNotFound }
            return .joined(room, invitedBy: invitedBy)
        }
    }

    /// A live room with its participants.
    func room(_ id: UUID) async throws -> ChatRoom? {
        try await pool.withConnection { connection in
            guard
                var room = try connection.query("SELECT \(Rows.roomColumns) FROM rooms r WHERE r.id = $1 AND r.deleted_at IS NULL", [id])
                    .first.map(Rows.room)
            else { return nil }
            room.participants = try connection.query(
                """
                SELECT user_id, role, joined_at, last_read_at, last_read_seq FROM room_participants
                WHERE room_id = $1 ORDER BY joined_at, user_id
                """, [id]
            ).map(Rows.participant)
            if let last = try connection.query(
                """
                SELECT \(Rows.messageColumns) FROM messages m WHERE m.room_id = $1 AND m.thread_root_id IS NULL ORDER BY m.seq DESC LIMIT 1
                """, [id]
            ).first {
                room.lastMessage = try Rows.message(last)
            }
            return room
        }
    }

    /// The user's rooms, most recently active first, each with its last message and the user's unread count.
    func rooms(for userId: UUID) async throws -> [ChatRoom] {
        try await pool.withConnection { connection in
            var rooms: [ChatRoom] = []
            for row in try connection.query(
                """
                SELECT \(Rows.roomColumns), p.muted, p.notify, u.unread, u.mentioned
                FROM room_participants p JOIN rooms r ON r.id = p.room_id
                CROSS JOIN LATERAL (
                    SELECT count(*) AS unread, count(*) FILTER (WHERE m.mentions @> ARRAY[$1::uuid]) AS mentioned FROM messages m
                    WHERE m.room_id = r.id AND m.seq > p.last_read_seq AND m.sender_id <> $1 AND m.deleted_at IS NULL
                      AND m.message_type <> 'system' AND m.thread_root_id IS NULL) u
                WHERE p.user_id = $1 AND r.deleted_at IS NULL
                ORDER BY r.updated_at DESC, r.id
                """, [userId])
            {
                var room = try Rows.room(row)
                room.unreadCount = try row.decode("unread", as: Int.self)
                room.mentionCount = try row.decode("mentioned", as: Int.self)
                room.muted = try row.decode("muted", as: Bool.self)
                room.notificationLevel = Self.level(try row.decode("notify", as: String?.self))
                room.participants = []
                rooms.append(room)
            }
            guard !rooms.isEmpty else { return [] }
            let ids = Rows.uuidArray(rooms.map(\.id))
            var index: [UUID: Int] = [:]
            for (position, room) in rooms.enumerated() { index[room.id] = position }
            for row in try connection.query(
                """
                SELECT room_id, user_id, role, joined_at, last_read_at, last_read_seq FROM room_participants
                WHERE room_id = ANY($1::uuid[]) ORDER BY joined_at, user_id
                """, [ids])
            {
                if let position = index[try row.decode("room_id", as: UUID.self)] {
                    rooms[position].participants?.append(try Rows.participant(row))
                }
            }
            for row in try connection.query(
                """
                SELECT DISTINCT ON (m.room_id) \(Rows.messageColumns) FROM messages m
                WHERE m.room_id = ANY($1::uuid[]) AND m.thread_root_id IS NULL ORDER BY m.room_id, m.seq DESC
                """, [ids])
            {
                let message = try Rows.message(row)
                if let position = index[message.roomId] { rooms[position].lastMessage = message }
            }
            return rooms
        }
    }

    func roomIds(for userId: UUID) async throws -> [UUID] {
        try await pool.query(
            """
            SELECT p.room_id FROM room_participants p JOIN rooms r ON r.id = p.room_id
            WHERE p.user_id = $1 AND r.deleted_at IS NULL
            """, [userId]
        ).map { try $0.decode("room_id", as: UUID.self) }
    }

    /// The live rooms of each of `users`.
    func roomIds(of users: [UUID]) async throws -> [UUID: Set<UUID>] {
        guard !users.isEmpty else { return [:] }
        var result: [UUID: Set<UUID>] = [:]
        for row in try await pool.query(
            """
            SELECT p.user_id, p.room_id FROM room_participants p JOIN rooms r ON r.id = p.room_id
            WHERE p.user_id = ANY($1::uuid[]) AND r.deleted_at IS NULL
            """, [Rows.uuidArray(users)])
        {
            result[try row.decode("user_id", as: UUID.self), default: []].insert(try row.decode("room_id", as: UUID.self))
        }
        return result
    }

    /// The people among `others` who share at least one live room with `user`.
    func sharingARoom(with user: UUID, among others: [UUID]) async throws -> [UUID] {
        guard !others.isEmpty else { return [] }
        return try await pool.query(
            """
            SELECT DISTINCT other.user_id FROM room_participants mine
            JOIN room_participants other ON other.room_id = mine.room_id
            JOIN rooms r ON r.id = mine.room_id AND r.deleted_at IS NULL
            WHERE mine.user_id = $1 AND other.user_id = ANY($2::uuid[])
            """, [user, Rows.uuidArray(others)]
        ).map { try $0.decode("user_id", as: UUID.self) }
    }

    /// Where each room stands now (its newest seq).
    func lastSeqs(_ ids: [UUID]) async throws -> [UUID: Int64] {
        guard !ids.isEmpty else { return [:] }
        var result: [UUID: Int64] = [:]
        for row in try await pool.query("SELECT id, last_seq FROM rooms WHERE id = ANY($1::uuid[])", [Rows.uuidArray(ids)]) {
            result[try row.decode("id", as: UUID.self)] = try row.decode("last_seq", as: Int64.self)
        }
        return result
    }

    func participantIds(_ roomId: UUID) async throws -> [UUID] {
        try await pool.query("SELECT user_id FROM room_participants WHERE room_id = $1", [roomId]).map {
            try $0.decode("user_id", as: UUID.self)
        }
    }

    func update(_ id: UUID, name: Patch<String>, description: Patch<String>, visibility: RoomVisibility? = nil) async throws -> ChatRoom? {
        let keepName: Bool, newName: String?, keepDescription: Bool, newDescription: String?
        switch name {
        case .absent: (keepName, newName) = (true, nil)
        case .clear: (keepName, newName) = (false, nil)
        case let .set(value): (keepName, newName) = (false, value)
        }
        switch description {
        case .absent: (keepDescription, newDescription) = (true, nil)
        case .clear: (keepDescription, newDescription) = (false, nil)
        case let .set(value): (keepDescription, newDescription) = (false, value)
        }
        try await pool.query(
            """
            UPDATE rooms SET name = CASE WHEN $2 THEN name ELSE $3 END,
                             description = CASE WHEN $4 THEN description ELSE $5 END,
                             visibility = COALESCE($6, visibility), updated_at = now()
            WHERE id = $1 AND deleted_at IS NULL
            """, [id, keepName, newName, keepDescription, newDescription, visibility?.rawValue])
        return try await room(id)
    }

    func delete(_ id: UUID) async throws {
        try await pool.query("UPDATE rooms SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL", [id])
    }

    func addParticipant(_ roomId: UUID, userId: UUID, role: RoomRole) async throws -> RoomParticipant {
        let rows = try await pool.query(
            """
            INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, $3)
            ON CONFLICT DO NOTHING RETURNING user_id, role, joined_at, last_read_at, last_read_seq
            """, [roomId, userId, role.rawValue])
        guard let row = rows.first else { throw ChatError.alreadyParticipant }
        return try Rows.participant(row)
    }

    /// Removes a participant; the last owner of a group cannot go while others remain.
    func removeParticipant(_ roomId: UUID, userId: UUID) async throws {
        try await pool.transaction { connection in
            // Lock the room so two owners leaving at once cannot both pass the check.
            try connection.query("SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE", [roomId])
            guard
                let role = try connection.query(
                    "SELECT role FROM room_participants WHERE room_id = $1 AND user_id = $2",
                    [roomId, userId]
                ).first?.decode("role", as: String.self)
            else {
                throw ChatError.participantNotFound
            }
            if role == RoomRole.owner.rawValue {
                let counts = try connection.query(
                    """
                    SELECT count(*) FILTER (WHERE role = 'owner') AS owners, count(*) AS everyone
                    FROM room_participants WHERE room_id = $1
                    """, [roomId]
                ).first
                let owners = try counts?.decode("owners", as: Int.self) ?? 0
                let everyone = try counts?.decode("everyone", as: Int.self) ?? 0
                if owners == 1 && everyone > 1 { throw ChatError.lastOwner }
            }
            try connection.query("DELETE FROM room_participants WHERE room_id = $1 AND user_id = $2", [roomId, userId])
            try Self.revokeLinks(of: userId, in: roomId, connection)
            try Self.endIfEmpty(roomId, connection)
        }
    }

    /// A group nobody is in any more is over: gone from the directory, its links lead nowhere,
    /// and nobody can join it to find it unmanaged.
    static func endIfEmpty(_ roomId: UUID, _ connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE rooms SET deleted_at = now()
            WHERE id = $1 AND room_type = 'group' AND deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM room_participants WHERE room_id = $1)
            """, [roomId])
    }

    /// Invite links someone made stop working once they no longer run the group (removed, gone, demoted).
    static func revokeLinks(of userId: UUID, in roomId: UUID, _ connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE room_invite_links SET revoked_at = now() WHERE room_id = $1 AND created_by = $2 AND revoked_at IS NULL",
            [roomId, userId])
    }

    func setRole(_ roomId: UUID, userId: UUID, role: RoomRole) async throws -> RoomParticipant {
        try await pool.transaction { connection in
            try connection.query("SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE", [roomId])
            guard
                let current = try connection.query(
                    "SELECT role FROM room_participants WHERE room_id = $1 AND user_id = $2",
                    [roomId, userId]
                ).first?.decode("role", as: String.self)
            else {
                throw ChatError.participantNotFound
            }
            if current == RoomRole.owner.rawValue && !role.isOwner {
                let owners =
                    try connection.query("SELECT count(*) AS n FROM room_participants WHERE room_id = $1 AND role = 'owner'", [roomId])
                    .first?.decode("n", as: Int.self) ?? 0
                if owners <= 1 { throw ChatError.lastOwner }
            }
            let row = try connection.query(
                """
                UPDATE room_participants SET role = $3 WHERE room_id = $1 AND user_id = $2
                RETURNING user_id, role, joined_at, last_read_at, last_read_seq
                """, [roomId, userId, role.rawValue]
            ).first
            guard let row else { throw ChatError.participantNotFound }
            if !role.managesGroup { try Self.revokeLinks(of: userId, in: roomId, connection) }
            return try Rows.participant(row)
        }
    }
}
