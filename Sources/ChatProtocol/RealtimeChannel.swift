import Foundation

/// Redis channel names every service agrees on: built and read only here.
public enum RealtimeChannel {
    public static let roomPrefix = "chat:room:"
    public static let userPrefix = "chat:user:"

    /// One channel per room: its events.
    public static func room(_ id: UUID) -> String { roomPrefix + id.uuidString.lowercased() }
    /// One channel per person: membership changes and signed-out sessions.
    public static func user(_ id: UUID) -> String { userPrefix + id.uuidString.lowercased() }
    /// Public profile changes (user-service → every chat-service replica).
    public static let profiles = "chat:profiles"

    /// The person a person's channel is for; nil for any other channel.
    public static func userId(ofChannel channel: String) -> UUID? {
        guard channel.hasPrefix(userPrefix) else { return nil }
        return UUID(uuidString: String(channel.dropFirst(userPrefix.count)))
    }
}
