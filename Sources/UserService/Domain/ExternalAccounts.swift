import Foundation
import Hummingbird
import Logging
import ServiceKit
import Synchronization

/// When accounts live at an external issuer (Keycloak in a cluster), a person
/// who arrives with a valid token gets a MicroChat profile on first sight,
/// from the token's `preferred_username`, `name` and `email` claims.
final class ExternalAccountProvisioner: Sendable {
    private let users: UserRepository
    private let logger: Logger
    /// Ids known to have an account, so the database is asked once per person per process.
    private let known = Mutex<Set<UUID>>([])

    init(users: UserRepository, logger: Logger) {
        self.users = users
        self.logger = logger
    }

    func ensureAccount(for identity: Identity) async {
        if known.withLock({ $0.contains(identity.userId) }) { return }
        let fallback = "user-" + identity.userId.uuidString.lowercased().prefix(8)
        let username = Self.clean(identity.username, limit: 32) ?? fallback
        let email = Self.clean(identity.email, limit: 254) ?? "\(identity.userId.uuidString.lowercased())@users.invalid"
        let displayName = Self.clean(identity.displayName, limit: 64) ?? username
        do {
            try await users.provisionExternal(id: identity.userId, username: username, email: email, displayName: displayName)
            _ = known.withLock { $0.insert(identity.userId) }
        } catch {
            // The request goes on; /api/users/me then answers 404 and the next request tries again.
            logger.error(
                "could not make the profile of an externally issued identity",
                metadata: ["user_id": "\(identity.userId)", "error": "\(error)"])
        }
    }

    static func clean(_ value: String?, limit: Int) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return String(trimmed.prefix(limit))
    }
}

/// The password endpoints, when accounts live at an external issuer: every
/// call is told where to sign in instead.
struct ExternalAccountsController<Context: RequestContext>: Sendable {
    let issuer: String

    func addRoutes(to group: RouterGroup<Context>) {
        for path in ["register", "login", "refresh", "logout"] {
            group.post(RouterPath(path)) { _, _ -> Response in
                throw AppError(
                    .notFound, code: "external_identity_provider",
                    detail: "Accounts are managed by the identity provider at \(issuer); sign in there.")
            }
        }
    }
}
