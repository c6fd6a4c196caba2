import ChatProtocol
import Foundation
import Postgres
import ServiceKit

/// A public group as the directory lists it.
struct DirectoryEntry: Codable, Sendable {
    var id: UUID
    var name: String?
    var description: String?
    var memberCount: Int
    /// The caller is in it already.
    var joined: Bool
    var createdAt: Date
}

/// An invite link of a group, as its owners and admins see it.
struct InviteLink: Codable, Sendable {
    var code: String
    var roomId: UUID
    var createdBy: UUID
    var createdAt: Date
    var expiresAt: Date?
    var maxUses: Int?
    var uses: Int
    var revoked: Bool

    enum CodingKeys: String, CodingKey { case code, roomId, createdBy, createdAt, expiresAt, maxUses, uses, revoked }

    /// No expiry and no use limit are said as `null`, not left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(roomId, forKey: .roomId)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(maxUses, forKey: .maxUses)
        try container.encode(uses, forKey: .uses)
        try container.encode(revoked, forKey: .revoked)
    }
}

/// What joining by a link or from the directory did.
enum JoinOutcome: Sendable {
    case joined
    case alreadyIn
}

extension RoomStore {
    /// Public live groups whose name or description contains `text` (all of them without it),
    /// by name; `offset` pages on.
    func directory(matching text: String?, viewer: UUID, limit: Int, offset: Int) async throws -> [DirectoryEntry] {
        let pattern = text.map { "%" + LikePattern.escape($0.lowercased()) + "%" }
        return try await pool.query(
            """
            SELECT r.id, r.name, r.description, r.created_at,
                   (SELECT count(*) FROM room_participants p WHERE p.room_id = r.id) AS members,
                   EXISTS (SELECT 1 FROM room_participants p WHERE p.room_id = r.id AND p.user_id = $1) AS joined
            FROM rooms r
            WHERE r.visibility = 'public' AND r.deleted_at IS NULL AND r.room_type = 'group'
              AND ($2::text IS NULL OR lower(coalesce(r.name, '')) LIKE $2 ESCAPE '\\'
                   OR lower(coalesce(r.description, '')) LIKE $2 ESCAPE '\\')
            ORDER BY lower(coalesce(r.name, '')), r.id
            LIMIT $3 OFFSET $4
            """, [viewer, pattern, limit, offset]
        ).map { row in
            DirectoryEntry(
                id: try row.decode("id"), name: try row.decode("name", as: String?.self),
                description: try row.decode("description", as: String?.self), memberCount: try row.decode("members", as: Int.self),
                joined: try row.decode("joined", as: Bool.self), createdAt: try row.decode("created_at"))
        }
    }

    /// Puts `userId` in a live public group by their own choice; nil when there is no such
    /// public group (a private one answers the same: it is not to be found).
    func joinPublic(_ roomId: UUID, userId: UUID) async throws -> JoinOutcome? {
        try await pool.transaction { connection in
            guard
                try connection.query(
                    "SELECT 1 FROM rooms WHERE id = $1 AND room_type = 'group' AND visibility = 'public' AND deleted_at IS NULL FOR UPDATE",
                    [roomId]
                ).first != nil
            else { return nil }
            return try Self.enter(connection, roomId: roomId, userId: userId)
        }
    }

    /// Makes a link for a group: a code of 128 random bits, optionally ending and limited in uses.
    func createInviteLink(roomId: UUID, by userId: UUID, expiresAt: Date?, maxUses: Int?) async throws -> InviteLink {
        let code = Self.newCode()
        guard
            let row = try await pool.query(
                """
                INSERT INTO room_invite_links (code, room_id, created_by, expires_at, max_uses) VALUES ($1, $2, $3, $4, $5)
                RETURNING \(Self.linkColumns)
                """, [code, roomId, userId, expiresAt, maxUses]
            ).first
        else { throw ChatError.roomNotFound }
        return try Self.link(row)
    }

    /// A group's links, newest first (revoked, expired and used-up ones included, marked).
    func inviteLinks(of roomId: UUID) async throws -> [InviteLink] {
        try await pool.query(
            "SELECT \(Self.linkColumns) FROM room_invite_links WHERE room_id = $1 ORDER BY created_at DESC, code", [roomId]
        ).map(Self.link)
    }

    /// Revokes a link of the group; false when it has no such link (or it was revoked already).
    func revokeInviteLink(code: String, of roomId: UUID) async throws -> Bool {
        try await pool.query(
            "UPDATE room_invite_links SET revoked_at = now() WHERE code = $1 AND room_id = $2 AND revoked_at IS NULL", [code, roomId]
        ).affectedRows == 1
    }

    /// A link and the live group it leads to, or nil for no such link (or a deleted group).
    func inviteLink(code: String) async throws -> (InviteLink, ChatRoom, members: Int)? {
        guard
            let row = try await pool.query(
                """
                SELECT \(Self.linkColumns("l")), (SELECT count(*) FROM room_participants p WHERE p.room_id = l.room_id) AS members
                FROM room_invite_links l JOIN rooms r ON r.id = l.room_id AND r.deleted_at IS NULL
                WHERE l.code = $1
                """, [code]
            ).first
        else { return nil }
        let link = try Self.link(row)
        guard let room = try await room(link.roomId) else { return nil }
        return (link, room, try row.decode("members", as: Int.self))
    }

    /// Joins the group behind a usable link: one use is counted only for someone who was not in it.
    /// Throws `ChatError.inviteLinkNotFound` / `.inviteLinkUnusable`.
    func redeemInviteLink(code: String, userId: UUID) async throws -> (roomId: UUID, JoinOutcome) {
        try await pool.transaction { connection in
            guard
                let row = try connection.query(
                    """
                    SELECT \(Self.linkColumns("l")) FROM room_invite_links l JOIN rooms r ON r.id = l.room_id AND r.deleted_at IS NULL
                    WHERE l.code = $1 FOR UPDATE OF l
                    """, [code]
                ).first
            else { throw ChatError.inviteLinkNotFound }
            let link = try Self.link(row)
            if try connection.query("SELECT 1 FROM room_participants WHERE room_id = $1 AND user_id = $2", [link.roomId, userId]).first
                != nil
            {
                return (link.roomId, .alreadyIn)
            }
            if let reason = Self.unusable(link) { throw ChatError.inviteLinkUnusable(reason) }
            let outcome = try Self.enter(connection, roomId: link.roomId, userId: userId)
            if outcome == .joined { try connection.query("UPDATE room_invite_links SET uses = uses + 1 WHERE code = $1", [code]) }
            return (link.roomId, outcome)
        }
    }

    /// Why a link cannot be used now, if it cannot.
    static func unusable(_ link: InviteLink, now: Date = Date()) -> String? {
        if link.revoked { return "revoked" }
        if let expiresAt = link.expiresAt, expiresAt <= now { return "expired" }
        if let maxUses = link.maxUses, link.uses >= maxUses { return "used_up" }
        return nil
    }

    private static func enter(_ connection: PostgresConnection, roomId: UUID, userId: UUID) throws -> JoinOutcome {
        let inserted =
            try connection.query(
                "INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, 'member') ON CONFLICT DO NOTHING RETURNING 1",
                [roomId, userId]
            ).first != nil
        // An invitation to the same room is answered by joining.
        try connection.query("DELETE FROM room_invitations WHERE room_id = $1 AND user_id = $2", [roomId, userId])
        return inserted ? .joined : .alreadyIn
    }

    static func linkColumns(_ alias: String) -> String {
        ["code", "room_id", "created_by", "created_at", "expires_at", "max_uses", "uses", "revoked_at"].map { "\(alias).\($0)" }
            .joined(separator: ", ")
    }

    static let linkColumns = "code, room_id, created_by, created_at, expires_at, max_uses, uses, revoked_at"

    static func link(_ row: PostgresRow) throws -> InviteLink {
        InviteLink(
            code: try row.decode("code"), roomId: try row.decode("room_id"), createdBy: try row.decode("created_by"),
            createdAt: try row.decode("created_at"), expiresAt: try row.decode("expires_at", as: Date?.self),
            maxUses: try row.decode("max_uses", as: Int?.self), uses: try row.decode("uses", as: Int.self),
            revoked: try row.decode("revoked_at", as: Date?.self) != nil)
    }

    /// 16 random bytes from the OS's CSPRNG, base64url (22 characters).
    static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in generator.next() })
    }
}
