import Foundation
import ServiceKit
import Redis

/// Lets one typing event per person and room through per window, on every
/// replica together: the first `typing` of a window sets a Redis key that
/// expires with the window (`SET … NX PX`), later ones find it and are dropped.
/// If Redis does not answer, the event is dropped too — its publish would fail
/// the same way.
struct TypingCoalescer: Sendable {
    let redis: RedisClient
    let window: Duration

    static func key(user: UUID, room: UUID) -> String {
        "chat:typing:\(room.uuidString.lowercased()):\(user.uuidString.lowercased())"
    }

    func shouldAnnounce(user: UUID, room: UUID) async -> Bool {
        let milliseconds = max(1, Int(window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000))
        do {
            let reply = try await redis.command(["SET", Self.key(user: user, room: room), "1", "NX", "PX", String(milliseconds)])
            return reply == .status("OK")
        } catch {
            return false
        }
    }
}
