import Foundation

/// Counts events per key in fixed windows kept in Redis, so every replica
/// shares one count: the first event of a window starts it (the key expires
/// with it), and the key's remaining time is how long a refused caller waits.
public struct FixedWindowLimiter: Sendable {
    public let redis: RedisClient
    /// Keys live under this prefix (`ratelimit:<name>:`).
    public let name: String
    public let limit: Int
    public let window: Duration

    public init(redis: RedisClient, name: String, limit: Int, window: Duration) {
        self.redis = redis
        self.name = name
        self.limit = limit
        self.window = window
    }

    /// Where a key stands: events counted in this window and seconds until it resets.
    public struct Standing: Sendable, Equatable {
        public var count: Int
        public var resetsIn: Int
    }

    func key(_ subject: String) -> String { "ratelimit:\(name):\(subject)" }

    var windowMilliseconds: Int {
        Int(window.components.seconds) * 1000 + Int(window.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The count so far, without adding to it. Throws when Redis does not answer.
    public func standing(_ subject: String) async throws -> Standing {
        let replies = try await redis.pipeline([["GET", key(subject)], ["PTTL", key(subject)]])
        return Self.standing(count: replies.first, ttl: replies.last, window: windowMilliseconds)
    }

    /// True when `subject` has used up this window.
    public func isExhausted(_ subject: String) async throws -> Standing? {
        let now = try await standing(subject)
        return now.count >= limit ? now : nil
    }

    /// Counts one event for `subject` and returns the standing after it.
    @discardableResult
    public func record(_ subject: String) async throws -> Standing {
        let replies = try await redis.pipeline([
            ["INCR", key(subject)],
            ["PEXPIRE", key(subject), String(windowMilliseconds), "NX"],
            ["PTTL", key(subject)],
        ])
        return Self.standing(count: replies.first, ttl: replies.last, window: windowMilliseconds)
    }

    /// Takes back one counted event (an attempt that turned out not to be a failure),
    /// never below zero and never on a key whose window has already ended: a plain
    /// DECR there would leave a key with no expiry.
    public func forgetOne(_ subject: String) async throws {
        _ = try await redis.command([
            "EVAL",
            "if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 "
                + "then return redis.call('DECR', KEYS[1]) end return 0", "1", key(subject),
        ])
    }

    /// Forgets `subject`'s count (a successful login clears its account's failures).
    public func reset(_ subject: String) async throws {
        _ = try await redis.command(["DEL", key(subject)])
    }

    static func standing(count: RedisReply?, ttl: RedisReply?, window: Int) -> Standing {
        var events = 0
        switch count {
        case let .integer(value): events = Int(value)
        case let .string(bytes): events = Int(String(decoding: bytes, as: UTF8.self)) ?? 0
        default: events = 0
        }
        var milliseconds = window
        if case let .integer(value) = ttl, value > 0 { milliseconds = Int(value) }
        return Standing(count: events, resetsIn: max(1, (milliseconds + 999) / 1000))
    }
}
