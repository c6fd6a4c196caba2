import Foundation
import Logging
import Redis
import ServiceKit

/// How many rooms one person may make per hour, counted in Redis so every
/// replica shares the count: past it, 429 `too_many_rooms` with Retry-After.
/// Asking for a direct room that already exists makes nothing and is not
/// counted. If Redis does not answer, rooms are still made (and it is
/// logged): the limit curbs floods, it guards no secret.
struct RoomCreationLimit: Sendable {
    let limiter: FixedWindowLimiter
    let logger: Logger

    init(redis: RedisClient, perHour: Int, logger: Logger) {
        limiter = FixedWindowLimiter(redis: redis, name: "room-creations", limit: perHour, window: .seconds(3600))
        self.logger = logger
    }

    static func subject(_ user: UUID) -> String { "user:" + user.uuidString.lowercased() }

    /// Counts a room `user` is about to make; throws 429 past the limit.
    func admit(_ user: UUID) async throws {
        let standing: FixedWindowLimiter.Standing
        do {
            standing = try await limiter.record(Self.subject(user))
        } catch {
            logger.warning("cannot count room creations: Redis does not answer; the room is made", metadata: ["error": "\(error)"])
            return
        }
        guard standing.count <= limiter.limit else {
            throw AppError.tooManyRequests(
                "too_many_rooms", "You made \(limiter.limit) rooms this hour; try again later.",
                retryAfter: max(1, standing.resetsIn))
        }
    }

    /// Uncounts an admitted request that made no room after all.
    func takeBack(_ user: UUID) async {
        try? await limiter.forgetOne(Self.subject(user))
    }
}
