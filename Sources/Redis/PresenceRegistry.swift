import Foundation

/// Who is online, from open sockets: the one source every service reads.
///
/// chat-service records each open WebSocket as a member of the person's set
/// `presence:sockets:<id>`, scored with the time (ms) until which it counts,
/// and renews that every third of `lifetime` while the socket lives. A person
/// is online while any of their sockets counts — on any replica — and offline
/// once the last one closes, or at most `lifetime` after the replica holding
/// it died (nothing renews it). `presence:online` holds each online person
/// scored with their latest socket's end, so replicas find the people whose
/// sockets all ran out and exactly one of them (the one whose check-and-remove
/// succeeds) announces it. `presence:seen:<id>` is when the person was last
/// seen with a socket. user-service reads the same keys for `online` and
/// `lastSeenAt`, so everyone sees a person the same way.
public struct PresenceRegistry: Sendable {
    public struct State: Sendable, Equatable {
        public var online: Bool
        public var lastSeenAt: Date?

        public init(online: Bool, lastSeenAt: Date?) {
            self.online = online
            self.lastSeenAt = lastSeenAt
        }
    }

    let redis: RedisClient
    /// How long a socket counts without being renewed.
    public let lifetime: Duration

    public init(redis: RedisClient, lifetime: Duration = .seconds(60)) {
        self.redis = redis
        self.lifetime = lifetime
    }

    static let online = "presence:online"
    static func sockets(_ user: UUID) -> String { "presence:sockets:" + user.uuidString.lowercased() }
    static func seen(_ user: UUID) -> String { "presence:seen:" + user.uuidString.lowercased() }
    /// Last-seen times are kept this long (then a person simply has none).
    static let seenKeptSeconds = 90 * 24 * 3600

    var lifetimeMilliseconds: Int64 { Int64(lifetime.components.seconds) * 1000 + lifetime.components.attoseconds / 1_000_000_000_000_000 }
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// KEYS sockets, online, seen; ARGV socket, now, until, user, keep-ms, seen-keep-s → 1 when the person had no counting socket before.
    static let openScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        local before = redis.call('ZCARD', KEYS[1])
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[4])
        redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[6])
        if before == 0 then return 1 else return 0 end
        """

    /// KEYS sockets, online, seen; ARGV socket, now, user, seen-keep-s → 1 when that was the person's last counting socket.
    static let closeScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[4])
        if redis.call('ZCARD', KEYS[1]) == 0 then return redis.call('ZREM', KEYS[2], ARGV[3]) end
        return 0
        """

    /// KEYS sockets, online; ARGV now, user → 1 when no socket counts any more and this call took the person off the online set.
    static let expireScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[1]) == 0 then return redis.call('ZREM', KEYS[2], ARGV[2]) end
        return 0
        """

    /// Records an opened socket; true when the person was offline everywhere before it.
    public func opened(user: UUID, socket: String, now: Date = Date()) async throws -> Bool {
        let nowMs = Self.milliseconds(now)
        let reply = try await redis.command([
            "EVAL", Self.openScript, "3", Self.sockets(user), Self.online, Self.seen(user),
            socket, String(nowMs), String(nowMs + lifetimeMilliseconds), user.uuidString.lowercased(),
            String(lifetimeMilliseconds * 2), String(Self.seenKeptSeconds),
        ])
        return try Self.flag(reply)
    }

    /// Records a closed socket; true when it was the person's last one anywhere (they are offline now).
    public func closed(user: UUID, socket: String, now: Date = Date()) async throws -> Bool {
        let nowMs = Self.milliseconds(now)
        let reply = try await redis.command([
            "EVAL", Self.closeScript, "3", Self.sockets(user), Self.online, Self.seen(user),
            socket, String(nowMs), user.uuidString.lowercased(), String(Self.seenKeptSeconds),
        ])
        return try Self.flag(reply)
    }

    /// Renews these open sockets for another `lifetime`, in one round trip.
    public func renew(_ sockets: [(user: UUID, socket: String)], now: Date = Date()) async throws {
        guard !sockets.isEmpty else { return }
        let nowMs = Self.milliseconds(now), until = String(Self.milliseconds(now) + lifetimeMilliseconds)
        var commands: [[String]] = []
        for (user, socket) in sockets {
            commands.append(["ZADD", Self.sockets(user), until, socket])
            commands.append(["PEXPIRE", Self.sockets(user), String(lifetimeMilliseconds * 2)])
            commands.append(["ZADD", Self.online, "GT", until, user.uuidString.lowercased()])
            commands.append(["SET", Self.seen(user), String(nowMs), "EX", String(Self.seenKeptSeconds)])
        }
        for reply in try await redis.pipeline(commands) {
            if case let .error(message) = reply { throw RedisError(kind: .server, message: message) }
        }
    }

    /// The people whose sockets all ran out (their replica died), each returned to exactly one caller.
    public func expired(now: Date = Date(), limit: Int = 500) async throws -> [UUID] {
        let nowMs = String(Self.milliseconds(now))
        let candidates = try await redis.command(["ZRANGEBYSCORE", Self.online, "-inf", nowMs, "LIMIT", "0", String(limit)])
        guard case let .array(items) = candidates else { return [] }
        var gone: [UUID] = []
        for item in items {
            guard let text = item.text, let user = UUID(uuidString: text) else { continue }
            let reply = try await redis.command(["EVAL", Self.expireScript, "2", Self.sockets(user), Self.online, nowMs, text])
            if try Self.flag(reply) { gone.append(user) }
        }
        return gone
    }

    /// Online and last seen for each of `users`, in one round trip.
    public func states(of users: [UUID], now: Date = Date()) async throws -> [UUID: State] {
        guard !users.isEmpty else { return [:] }
        let nowMs = String(Self.milliseconds(now))
        var commands: [[String]] = []
        for user in users {
            commands.append(["ZCOUNT", Self.sockets(user), "(" + nowMs, "+inf"])
            commands.append(["GET", Self.seen(user)])
        }
        let replies = try await redis.pipeline(commands)
        var states: [UUID: State] = [:]
        for (index, user) in users.enumerated() where replies.count > 2 * index + 1 {
            var online = false
            switch replies[2 * index] {
            case let .integer(count): online = count > 0
            case let .error(message): throw RedisError(kind: .server, message: message)
            default: break
            }
            let seen = replies[2 * index + 1].text.flatMap(Int64.init).map { Date(timeIntervalSince1970: Double($0) / 1000) }
            states[user] = State(online: online, lastSeenAt: seen)
        }
        return states
    }

    static func flag(_ reply: RedisReply) throws -> Bool {
        switch reply {
        case let .integer(value): return value == 1
        case let .error(message): throw RedisError(kind: .server, message: message)
        default: return false
        }
    }
}
