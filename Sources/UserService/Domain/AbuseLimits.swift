import Foundation
import ServiceKit

/// How much guessing and sign-up one account or one address may do (the README's table).
struct AbuseLimits: Sendable {
    var loginFailuresPerAccount: Int
    var loginFailuresPerAddress: Int
    var loginFailureWindow: Duration
    var registrationsPerAddress: Int
    var registrationWindow: Duration
    /// Password hashes running or waiting at once; beyond it, 503 with Retry-After.
    var passwordHashQueue: Int
    /// Hashes at once for logins that name no account (a share of `passwordHashQueue`).
    var unknownLoginHashes: Int
    /// IPv6 clients are counted by their network of this many bits (a /64 by default).
    var ipv6Prefix: Int = 64
}
