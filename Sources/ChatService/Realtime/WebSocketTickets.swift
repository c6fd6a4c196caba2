import Foundation
import Logging
import Redis
import ServiceKit
import Synchronization

/// One-time, seconds-long tickets for opening a WebSocket, so a browser never
/// puts its access token in a URL (where proxies' access logs would keep it).
/// `POST /api/ws/tickets` (with the token in the Authorization header) stores
/// the caller's token under a random ticket; the handshake `GET
/// /api/ws?ticket=…` takes it back out — once: Redis `GETDEL` is atomic, so two
/// handshakes with one ticket cannot both get it — and verifies the token as
/// if it had come in the header (signature, lifetime, revoked session).
///
/// Redis makes a ticket redeemable on every replica. When Redis cannot be
/// reached, the ticket is kept in this replica's memory instead: one host still
/// connects, and behind a load balancer a handshake that lands elsewhere is
/// refused and the page asks for a new ticket.
final class WebSocketTickets: Sendable {
    static let lifetimeSeconds = 30
    /// Tickets kept in memory at most while Redis is away (then new ones are refused 503).
    static let localLimit = 10_000

    private let redis: RedisClient
    private let logger: Logger
    private let local = Mutex<[String: (token: String, expires: ContinuousClock.Instant)]>([:])

    init(redis: RedisClient, logger: Logger) {
        self.redis = redis
        self.logger = logger
    }

    static func key(_ ticket: String) -> String { "microchat:ws-ticket:" + ticket }

    /// A new ticket standing for `token` for `lifetimeSeconds`.
    func issue(for token: String) async throws -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let ticket = Base64URL.encode(bytes)
        do {
            let reply = try await redis.command(["SET", Self.key(ticket), token, "EX", String(Self.lifetimeSeconds), "NX"])
            if case let .error(message) = reply { throw TicketStoreError(message: message) }
        } catch {
            logger.warning("cannot store a socket ticket in Redis; it works on this replica only", metadata: ["error": "\(error)"])
            let expires = ContinuousClock.now + .seconds(Self.lifetimeSeconds)
            let kept = local.withLock { tickets -> Bool in
                let now = ContinuousClock.now
                if tickets.count >= Self.localLimit { tickets = tickets.filter { $0.value.expires > now } }
                guard tickets.count < Self.localLimit else { return false }
                tickets[ticket] = (token, expires)
                return true
            }
            guard kept else {
                throw AppError(
                    .serviceUnavailable, code: "busy", detail: "Too many socket tickets are waiting; try again in a moment.",
                    headers: [.retryAfter: "1"])
            }
        }
        return ticket
    }

    /// The token `ticket` stands for, if it exists and was not used or expired; it is used up either way.
    func redeem(_ ticket: String) async -> String? {
        guard ticket.count <= 128 else { return nil }
        if let held = local.withLock({ $0.removeValue(forKey: ticket) }) {
            return held.expires > ContinuousClock.now ? held.token : nil
        }
        do {
            return try await redis.command(["GETDEL", Self.key(ticket)]).text
        } catch {
            logger.warning("cannot redeem a socket ticket: Redis does not answer", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

struct TicketStoreError: Error, CustomStringConvertible {
    var message: String
    var description: String { "Redis refused the ticket: \(message)" }
}
