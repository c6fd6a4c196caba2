import ChatProtocol
import Foundation
import Postgres

/// A thread as its panel shows it: the message that started it, replies oldest first.
struct ThreadPage: Codable, Sendable {
    var root: ChatMessage
    var replies: [ChatMessage]
    /// More replies after the last one here (ask again with `after`).
    var hasMore: Bool
    /// The caller follows the thread (they are told of new replies).
    var following: Bool
}

/// A thread the caller follows, for their list of threads.
struct FollowedThread: Codable, Sendable {
    var root: ChatMessage
    /// Replies by others after the caller last read the thread.
    var unreadCount: Int
    /// Unread replies that mention the caller.
    var mentionCount: Int
}

extension MessageStore {
    /// The message a thread reply would go under: a live message of the room that is neither a
    /// thread reply itself nor a system message (`ChatError` says which it is not).
    func threadRoot(roomId: UUID, rootId: UUID) async throws -> ChatMessage {
        guard let root = try await find(roomId: roomId, messageId: rootId) else { throw ChatError.threadNotFound }
        if root.deletedAt != nil { throw ChatError.messageDeleted }
        if root.threadRootId != nil || root.messageType == .system { throw ChatError.notAThreadRoot }
        return root
    }

    /// A thread's root and replies after `after` (a seq), up to `limit`.
    func thread(roomId: UUID, rootId: UUID, viewer: UUID, after: Int64, limit: Int) async throws -> ThreadPage? {
        guard let root = try await find(roomId: roomId, messageId: rootId), root.threadRootId == nil else { return nil }
        let rows = try await pool.query(
            """
            SELECT \(Rows.messageColumns) FROM messages m
            WHERE m.room_id = $1 AND m.thread_root_id = $2 AND m.seq > $3 ORDER BY m.seq LIMIT $4
            """, [roomId, rootId, after, limit + 1])
        let replies = try rows.map(Rows.message)
        let following =
            try await pool.query("SELECT following FROM thread_followers WHERE root_id = $1 AND user_id = $2", [rootId, viewer])
            .first?.decode("following", as: Bool.self) ?? false
        return ThreadPage(root: root, replies: Array(replies.prefix(limit)), hasMore: replies.count > limit, following: following)
    }

    /// After a reply: its sender follows the thread (again, if they had stopped), and its root's author
    /// follows it unless they chose not to.
    func noteReply(rootId: UUID, rootAuthor: UUID, replier: UUID) async throws {
        guard rootAuthor != replier else {
            try await setFollowing(true, rootId: rootId, userId: replier)
            return
        }
        try await pool.query(
            """
            INSERT INTO thread_followers (root_id, user_id, following) VALUES ($1, $2, true), ($1, $3, true)
            ON CONFLICT (root_id, user_id) DO UPDATE SET following = thread_followers.following OR EXCLUDED.user_id = $2
            """, [rootId, replier, rootAuthor])
    }

    /// Follows or stops following a thread of a room the caller is in.
    func setFollowing(_ following: Bool, rootId: UUID, userId: UUID) async throws {
        try await pool.query(
            """
            INSERT INTO thread_followers (root_id, user_id, following) VALUES ($1, $2, $3)
            ON CONFLICT (root_id, user_id) DO UPDATE SET following = EXCLUDED.following
            """, [rootId, userId, following])
    }

    /// Marks the thread read up to its newest reply for the caller.
    func markThreadRead(rootId: UUID, userId: UUID) async throws {
        try await pool.query(
            """
            INSERT INTO thread_followers (root_id, user_id, following, last_read_seq)
            VALUES ($1, $2, false, COALESCE((SELECT max(seq) FROM messages WHERE thread_root_id = $1), 0))
            ON CONFLICT (root_id, user_id) DO UPDATE SET last_read_seq = GREATEST(thread_followers.last_read_seq, EXCLUDED.last_read_seq)
            """, [rootId, userId])
    }

    /// The threads `userId` follows in live rooms they are in, newest reply first, with their unread counts.
    func followedThreads(of userId: UUID, limit: Int) async throws -> [FollowedThread] {
        try await pool.query(
            """
            SELECT \(Rows.messageColumns), u.unread, u.mentioned
            FROM thread_followers f
            JOIN messages m ON m.id = f.root_id AND m.deleted_at IS NULL
            JOIN room_participants p ON p.room_id = m.room_id AND p.user_id = $1
            JOIN rooms r ON r.id = m.room_id AND r.deleted_at IS NULL
            CROSS JOIN LATERAL (
                SELECT count(*) AS unread, count(*) FILTER (WHERE t.mentions @> ARRAY[$1::uuid]) AS mentioned, max(t.seq) AS newest
                FROM messages t WHERE t.thread_root_id = m.id AND t.seq > f.last_read_seq AND t.sender_id <> $1 AND t.deleted_at IS NULL) u
            WHERE f.user_id = $1 AND f.following
            ORDER BY (SELECT max(t.seq) FROM messages t WHERE t.thread_root_id = m.id) DESC NULLS LAST, m.id
            LIMIT $2
            """, [userId, limit]
        ).map { row in
            FollowedThread(
                root: try Rows.message(row), unreadCount: try row.decode("unread", as: Int.self),
                mentionCount: try row.decode("mentioned", as: Int.self))
        }
    }
}
