import ServiceKit
/// Where a verifier asks whether a sign-in session (a token's `sid`) was
/// ended. Every replica of every service asks the same list, so a token whose
/// session was signed out stops working everywhere at once, not when it expires.
public protocol SessionRevocationList: Sendable {
    /// True when `session` was signed out and its tokens must be refused.
    func isRevoked(session: String) async -> Bool
}
