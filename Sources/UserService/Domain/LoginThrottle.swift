import Foundation
import Shared
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

    init(redis: RedisClient, limits: AbuseLimits) {
        failuresByAccount = FixedWindowLimiter(redis: redis, name: "login-failures:account",
                                               limit: limits.loginFailuresPerAccount, window: limits.loginFailureWindow)
        failuresByAddress = FixedWindowLimiter(redis: redis, name: "login-failures:address",
                                               limit: limits.loginFailuresPerAddress, window: limits.loginFailureWindow)
        registrationsByAddress = FixedWindowLimiter(redis: redis, name: "registrations:address",
                                                    limit: limits.registrationsPerAddress, window: limits.registrationWindow)
    }

    /// Accounts are counted by the login as typed, case-folded, so `Alice` and `alice` share one count.
    static func account(_ login: String) -> String { login.lowercased() }

    /// Throws 429 when the account or the address has used up its failures.
    func checkLogin(_ login: String, from address: String?) async throws {
        try await guarded {
            if let standing = try await failuresByAccount.isExhausted(Self.account(login)) {
                throw Self.tooMany(standing)
            }
            if let address, let standing = try await failuresByAddress.isExhausted(address) {
                throw Self.tooMany(standing)
            }
        }
    }

    func recordFailure(_ login: String, from address: String?) async throws {
        try await guarded {
            try await failuresByAccount.record(Self.account(login))
            if let address { try await failuresByAddress.record(address) }
        }
    }

    func recordSuccess(_ login: String) async {
        try? await failuresByAccount.reset(Self.account(login))
    }

    /// Counts a registration attempt from `address`, throwing 429 once the window's are used up.
    func admitRegistration(from address: String?) async throws {
        guard let address else { return }
        try await guarded {
            let standing = try await registrationsByAddress.record(address)
            if standing.count > registrationsByAddress.limit {
                throw AppError.tooManyRequests("too_many_registrations",
                                               "Too many new accounts from your address; try again later.", retryAfter: standing.resetsIn)
            }
        }
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
