import Foundation
import ServiceKit
import Postgres
import Redis
import ChatProtocol

/// A stored user with profile, as the repository returns it.
struct UserRecord: Sendable {
    var id: UUID
    var username: String
    var email: String
    var passwordHash: String
    var displayName: String
    var bio: String?
    var avatarUrl: String?
    var status: String?
    var phoneNumber: String?
    var createdAt: Date
    var lastSeenAt: Date?
    /// Until when the person asked for no notifications (past times mean none).
    var doNotDisturbUntil: Date? = nil

    var ownProfile: OwnProfile {
        OwnProfile(
            id: id, username: username, email: email, displayName: displayName, bio: bio, avatarUrl: avatarUrl,
            status: status, phoneNumber: phoneNumber, lastSeenAt: lastSeenAt, createdAt: createdAt,
            doNotDisturbUntil: doNotDisturbUntil.flatMap { $0 > Date() ? $0 : nil })
    }

    /// The profile others see; `presence` says whether `online` and `lastSeenAt` are among it.
    /// `state` is what the presence registry (open sockets, in Redis) says: online while a
    /// socket is open anywhere, and last seen the later of a socket and an API call. Without
    /// it (Redis not answering), a call in the last two minutes counts as online.
    func publicProfile(now: Date = Date(), presence: Bool, state: PresenceRegistry.State? = nil) -> PublicProfile {
        guard presence else {
            return PublicProfile(
                id: id, username: username, displayName: displayName, bio: bio, avatarUrl: avatarUrl, status: status,
                lastSeenAt: nil, online: nil)
        }
        guard let state else {
            return PublicProfile(
                id: id, username: username, displayName: displayName, bio: bio, avatarUrl: avatarUrl, status: status,
                lastSeenAt: lastSeenAt, online: lastSeenAt.map { now.timeIntervalSince($0) < 120 } ?? false)
        }
        let seen = [lastSeenAt, state.lastSeenAt].compactMap { $0 }.max()
        return PublicProfile(
            id: id, username: username, displayName: displayName, bio: bio, avatarUrl: avatarUrl, status: status,
            lastSeenAt: state.online ? max(seen ?? now, now) : seen, online: state.online)
    }
}

/// Profile fields a PATCH may change.
struct ProfileChanges: Sendable {
    var displayName: String?
    var bio: Patch<String> = .absent
    var avatarUrl: Patch<String> = .absent
    var status: Patch<String> = .absent
    var phoneNumber: Patch<String> = .absent
}

/// Users and their profiles, over Postgres.
struct UserRepository: Sendable {
    let pool: PostgresPool

    static let selectUser = """
        SELECT u.id, u.username, u.email, u.password_hash, u.created_at, u.last_seen_at,
               p.display_name, p.bio, p.avatar_url, p.status, p.phone_number, p.dnd_until
        FROM users u JOIN user_profiles p ON p.user_id = u.id
        """

    func create(id: UUID, username: String, email: String, passwordHash: String, displayName: String) async throws -> UserRecord {
        do {
            return try await pool.transaction { connection in
                try connection.query(
                    "INSERT INTO users (id, username, email, password_hash) VALUES ($1, $2, $3, $4)",
                    [id, username, email, passwordHash]
                )
                try connection.query("INSERT INTO user_profiles (user_id, display_name) VALUES ($1, $2)", [id, displayName])
                guard let row = try connection.query(Self.selectUser + " WHERE u.id = $1", [id]).first else {
                    throw PostgresError(kind: .server, message: "inserted user not found")
                }
                return try Self.record(row)
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw error.constraint == "users_email_key" ? UserError.emailTaken : UserError.usernameTaken
        }
    }

    func find(id: UUID) async throws -> UserRecord? {
        try await pool.query(Self.selectUser + " WHERE u.id = $1", [id]).first.map(Self.record)
    }

    func find(login: String) async throws -> UserRecord? {
        let column = login.contains("@") ? "lower(u.email)" : "lower(u.username)"
        return try await pool.query(Self.selectUser + " WHERE \(column) = lower($1)", [login]).first.map(Self.record)
    }

    func find(ids: [UUID]) async throws -> [UserRecord] {
        guard !ids.isEmpty else { return [] }
        let list = "{" + ids.map { $0.uuidString.lowercased() }.joined(separator: ",") + "}"
        return try await pool.query(Self.selectUser + " WHERE u.id = ANY($1::uuid[])", [list]).map(Self.record)
    }

    /// Users by username, case-insensitively (names that are not valid usernames match nobody).
    func find(usernames: [String]) async throws -> [UserRecord] {
        let names = usernames.map { $0.lowercased() }.filter { name in
            name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        }
        guard !names.isEmpty else { return [] }
        let list = "{" + names.map { "\"" + $0 + "\"" }.joined(separator: ",") + "}"
        return try await pool.query(Self.selectUser + " WHERE lower(u.username) = ANY($1::text[])", [list]).map(Self.record)
    }

    func search(prefix: String, limit: Int) async throws -> [UserRecord] {
        let pattern = LikePattern.escape(prefix.lowercased()) + "%"
        return try await pool.query(
            Self.selectUser + """
                 WHERE lower(u.username) LIKE $1 ESCAPE '\\' OR lower(p.display_name) LIKE $1 ESCAPE '\\'
                ORDER BY lower(u.username) LIMIT $2
                """, [pattern, limit]
        ).map(Self.record)
    }

    func update(id: UUID, changes: ProfileChanges) async throws -> UserRecord? {
        func patch(_ value: Patch<String>) -> (keep: Bool, value: String?) {
            switch value {
            case .absent: (true, nil)
            case .clear: (false, nil)
            case let .set(text): (false, text)
            }
        }
        let bio = patch(changes.bio), avatar = patch(changes.avatarUrl), status = patch(changes.status), phone = patch(changes.phoneNumber)
        return try await pool.transaction { connection in
            try connection.query(
                """
                UPDATE user_profiles SET
                    display_name = COALESCE($2, display_name),
                    bio = CASE WHEN $3 THEN bio ELSE $4 END,
                    avatar_url = CASE WHEN $5 THEN avatar_url ELSE $6 END,
                    status = CASE WHEN $7 THEN status ELSE $8 END,
                    phone_number = CASE WHEN $9 THEN phone_number ELSE $10 END,
                    updated_at = now()
                WHERE user_id = $1
                """,
                [
                    id, changes.displayName, bio.keep, bio.value, avatar.keep, avatar.value, status.keep, status.value, phone.keep,
                    phone.value,
                ])
            return try connection.query(Self.selectUser + " WHERE u.id = $1", [id]).first.map(Self.record)
        }
    }

    /// Records activity; writes at most every 30 seconds per user so presence costs little.
    /// Makes the account of a user an external issuer vouched for, unless it exists.
    /// A username or email another account already has gets the id appended,
    /// so a person is never locked out by a clash.
    func provisionExternal(id: UUID, username: String, email: String, displayName: String) async throws {
        let suffix = String(id.uuidString.lowercased().prefix(8))
        try await pool.transaction { connection in
            guard try connection.query("SELECT 1 FROM users WHERE id = $1", [id]).isEmpty else { return }
            let taken = try connection.query(
                """
                SELECT bool_or(lower(username) = lower($1)) AS name_taken, bool_or(lower(email) = lower($2)) AS email_taken
                FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($2)
                """, [username, email]
            ).first
            let nameTaken = try taken?.decode("name_taken", as: Bool?.self) ?? false
            let emailTaken = try taken?.decode("email_taken", as: Bool?.self) ?? false
            try connection.query(
                "INSERT INTO users (id, username, email, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                [
                    id, nameTaken ? "\(username)-\(suffix)" : username, emailTaken ? "\(suffix)+\(email)" : email,
                    Self.externalPasswordMarker,
                ]
            )
            try connection.query(
                "INSERT INTO user_profiles (user_id, display_name) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
                [id, displayName])
        }
    }

    /// Stands in for a password hash on accounts an external issuer owns; no password ever matches it.
    static let externalPasswordMarker = "!external"

    func touch(id: UUID) async throws {
        try await pool.query(
            """
            UPDATE users SET last_seen_at = now()
            WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < now() - interval '30 seconds')
            """, [id], idempotent: true)  // setting "now" again is the same fact
    }

    func setDoNotDisturb(id: UUID, until: Date?) async throws -> UserRecord? {
        try await pool.transaction { connection in
            try connection.query("UPDATE user_profiles SET dnd_until = $2, updated_at = now() WHERE user_id = $1", [id, until])
            return try connection.query(Self.selectUser + " WHERE u.id = $1", [id]).first.map(Self.record)
        }
    }

    func setPassword(id: UUID, hash: String) async throws {
        try await pool.query("UPDATE users SET password_hash = $2 WHERE id = $1", [id, hash])
    }

    /// Erases the account and everything of it this service holds: profile, picture
    /// record, contacts both ways, blocks both ways, refresh tokens (all by cascade).
    /// False when there was no such account.
    func erase(id: UUID) async throws -> Bool {
        try await pool.query("DELETE FROM users WHERE id = $1", [id]).affectedRows == 1
    }

    static func record(_ row: PostgresRow) throws -> UserRecord {
        UserRecord(
            id: try row.decode("id"), username: try row.decode("username"), email: try row.decode("email"),
            passwordHash: try row.decode("password_hash"), displayName: try row.decode("display_name"),
            bio: try row.decode("bio", as: String?.self), avatarUrl: try row.decode("avatar_url", as: String?.self),
            status: try row.decode("status", as: String?.self), phoneNumber: try row.decode("phone_number", as: String?.self),
            createdAt: try row.decode("created_at"), lastSeenAt: try row.decode("last_seen_at", as: Date?.self),
            doNotDisturbUntil: try row.decode("dnd_until", as: Date?.self)
        )
    }
}
