import Foundation
import ServiceKit
import Redis

/// Failed logins per account and per client address, and registrations per
/// address, counted in Redis so that every replica shares the counts. Once an
/// account or an address is over its limit, every login for it is refused with
/// 429 until the window passes, whether or not the password is right: the
/// answer gives nothing away. When Redis does not answer, logins and
/// registrations are refused (503): the limits fail closed.
struct LoginThrottle: Sendable {
    let failuresByAccount: FixedWindowLimiter
    let failuresByAddress: FixedWindowLimiter
    let registrationsByAddress: FixedWindowLimiter
    /// IPv6 addresses are counted by their network of this many bits (ClientNetwork).
    let ipv6Prefix: Int

    init(redis: RedisClient, limits: AbuseLimits) {
        ipv6Prefix = limits.ipv6Prefix
        failuresByAccount = FixedWindowLimiter(
            redis: redis, name: "login-failures:account",
            limit: limits.loginFailuresPerAccount, window: limits.loginFailureWindow)
        failuresByAddress = FixedWindowLimiter(
            redis: redis, name: "login-failures:address",
            limit: limits.loginFailuresPerAddress, window: limits.loginFailureWindow)
        registrationsByAddress = FixedWindowLimiter(
            redis: redis, name: "registrations:address",
            limit: limits.registrationsPerAddress, window: limits.registrationWindow)
    }

    /// The account an attempt counts against: the person the login names (by id, so
    /// `alice` and `alice@example.com` share one count), or, for a login that names
    /// nobody, the login as typed, case-folded.
    static func account(_ login: String, resolvedTo userId: UUID?) -> String {
        userId.map { "user:\($0.uuidString.lowercased())" } ?? "login:\(login.lowercased())"
    }

    /// Counts this attempt against the account and the address before any password is
    /// checked. The count is Redis's INCR, atomic across requests and replicas: of many
    /// attempts made at once, only those within the limit go on to be hashed, and the
    /// rest get 429 (even with the right password, so the answer gives nothing away).
    /// A successful attempt is taken back by `recordSuccess`.
    func admitLogin(account: String, from address: String?) async throws {
        try await guarded {
            let byAccount = try await failuresByAccount.record(account)
            var byAddress: FixedWindowLimiter.Standing?
            if let address = network(of: address) { byAddress = try await failuresByAddress.record(address) }
            if byAccount.count > failuresByAccount.limit { throw Self.tooMany(byAccount) }
            if let byAddress, byAddress.count > failuresByAddress.limit { throw Self.tooMany(byAddress) }
        }
    }

    /// An attempt whose password was never checked (the hash queue was full): no guess
    /// was made, so it counts for nothing.
    func takeBack(account: String, from address: String?) async {
        try? await failuresByAccount.forgetOne(account)
        if let address = network(of: address) { try? await failuresByAddress.forgetOne(address) }
    }

    /// A right password: the account's failures are forgotten, and the address's count
    /// of this attempt is taken back (a success is no failure).
    func recordSuccess(account: String, from address: String?) async {
        try? await failuresByAccount.reset(account)
        if let address = network(of: address) { try? await failuresByAddress.forgetOne(address) }
    }

    /// Counts a registration attempt from `address`, throwing 429 once the window's are used up.
    func admitRegistration(from address: String?) async throws {
        guard let address = network(of: address) else { return }
        try await guarded {
            let standing = try await registrationsByAddress.record(address)
            if standing.count > registrationsByAddress.limit {
                throw AppError.tooManyRequests(
                    "too_many_registrations",
                    "Too many new accounts from your address; try again later.", retryAfter: standing.resetsIn)
            }
        }
    }

    /// What a client address is counted under: itself (IPv4), or its IPv6 network.
    func network(of address: String?) -> String? {
        address.map { ClientNetwork.key(for: $0, ipv6Prefix: ipv6Prefix) }
    }

    static func tooMany(_ standing: FixedWindowLimiter.Standing) -> AppError {
        .tooManyRequests("too_many_login_attempts", "Too many failed sign-ins; wait before trying again.", retryAfter: standing.resetsIn)
    }

    /// Runs a Redis step; Redis failing becomes 503, an `AppError` passes through.
    private func guarded(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AppError {
            throw error
        } catch {
            throw AppError.busy("rate_limit_unavailable", "Sign-in is briefly unavailable; try again shortly.", retryAfter: 5)
        }
    }
}
