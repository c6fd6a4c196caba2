import Foundation

/// Redis channel names every service agrees on.
public enum RealtimeChannel {
    /// One channel per room: its events.
    public static func room(_ id: UUID) -> String { "chat:room:" + id.uuidString.lowercased() }
    /// One channel per person: membership changes and signed-out sessions.
    public static func user(_ id: UUID) -> String { "chat:user:" + id.uuidString.lowercased() }
    /// Public profile changes (user-service → every chat-service replica).
    public static let profiles = "chat:profiles"
}
