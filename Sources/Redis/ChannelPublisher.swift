import Foundation

/// Where events are published for the replicas to hear: Redis in the services, memory in route tests.
public protocol ChannelPublisher: Sendable {
    /// Publishes `message` on `channel`; the answer is how many subscribers heard it.
    @discardableResult
    func publish(_ message: [UInt8], to channel: String) async throws -> Int
}

extension RedisClient: ChannelPublisher {}

/// Who has a socket open, and when each person was last seen with one.
public protocol PresenceStateSource: Sendable {
    func states(of users: [UUID], now: Date) async throws -> [UUID: PresenceRegistry.State]
}

extension PresenceRegistry: PresenceStateSource {}
