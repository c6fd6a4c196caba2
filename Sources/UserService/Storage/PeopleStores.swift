import Foundation

/// People and their profiles, as the profile, contact, block and lookup routes read them.
/// `UserRepository` keeps them in PostgreSQL; route tests keep them in memory.
protocol UserStoring: Sendable {
    func find(id: UUID) async throws -> UserRecord?
    func find(ids: [UUID]) async throws -> [UserRecord]
    /// Users by username, case-insensitively (names that are not valid usernames match nobody).
    func find(usernames: [String]) async throws -> [UserRecord]
    /// Usernames or display names starting with `prefix` (case-insensitive), by username.
    func search(prefix: String, limit: Int) async throws -> [UserRecord]
    /// Applies `changes`; nil when the user does not exist.
    func update(id: UUID, changes: ProfileChanges) async throws -> UserRecord?
    /// Records activity (presence without a socket).
    func touch(id: UUID) async throws
    /// Turns do-not-disturb on until `until`, or off (nil); nil when the user does not exist.
    func setDoNotDisturb(id: UUID, until: Date?) async throws -> UserRecord?
}

/// A person's address book. `add` throws `UserError.alreadyContact` or `UserError.userNotFound`.
protocol ContactStoring: Sendable {
    /// By nickname, else display name (case-insensitive).
    func list(owner: UUID) async throws -> [ContactRecord]
    func add(owner: UUID, contact: UUID, nickname: String?) async throws -> ContactRecord
    /// nil when `contact` is not among `owner`'s contacts.
    func rename(owner: UUID, contact: UUID, nickname: String?) async throws -> ContactRecord?
    func remove(owner: UUID, contact: UUID) async throws -> Bool
}

/// Who blocked whom. `add` is idempotent and throws `UserError.userNotFound` for nobody.
protocol BlockStoring: Sendable {
    /// Newest first.
    func list(owner: UUID) async throws -> [BlockRecord]
    func add(owner: UUID, target: UUID) async throws -> (BlockRecord, created: Bool)
    func remove(owner: UUID, target: UUID) async throws -> Bool
    /// Those among `others` with a block between them and `person`, either way.
    func blockedEitherWay(_ person: UUID, among others: [UUID]) async throws -> Set<UUID>
    /// Everyone with a block between them and `person`, either way.
    func allBlockedEitherWay(_ person: UUID) async throws -> Set<UUID>
    /// Those among `others` who have `person` as a contact.
    func havingAsContact(_ person: UUID, among others: [UUID]) async throws -> Set<UUID>
}

extension UserRepository: UserStoring {}
extension ContactStore: ContactStoring {}
extension BlockStore: BlockStoring {}
