import Foundation
import Logging
import Redis
import ServiceKit

/// How often one person may join groups by themselves (a public group, an invite link) per
/// hour, counted in Redis across replicas: past it, 429 `too_many_joins` with Retry-After.
/// Joining and leaving in a loop would otherwise fill every member's timeline with
/// "joined" and "left" lines. If Redis does not answer, the join goes ahead (and it is logged).
struct SelfJoinLimit: Sendable {
    static let perHour = 60

    let limiter: FixedWindowLimiter
    let logger: Logger

    init(redis: RedisClient, logger: Logger) {
        limiter = FixedWindowLimiter(redis: redis, name: "self-joins", limit: Self.perHour, window: .seconds(3600))
        self.logger = logger
    }

    func admit(_ user: UUID) async throws {
        let standing: FixedWindowLimiter.Standing
        do {
            standing = try await limiter.record("user:" + user.uuidString.lowercased())
        } catch {
            logger.warning("cannot count self-joins: Redis does not answer; the join goes ahead", metadata: ["error": "\(error)"])
            return
        }
        guard standing.count <= limiter.limit else {
            throw AppError.tooManyRequests(
                "too_many_joins", "You joined groups \(limiter.limit) times this hour; try again later.",
                retryAfter: max(1, standing.resetsIn))
        }
    }
}
