import Foundation
import Redis
import ServiceKit
import Synchronization
@testable import UserService

/// People, contacts and blocks held in memory, behind the same protocols the
/// PostgreSQL stores implement, with the same rules: unique contacts, unknown
/// people refused, idempotent blocks, prefix search on username or display name.
final class PeopleInMemory: Sendable {
    struct State {
        var users: [UUID: UserRecord] = [:]
        var contacts: [UUID: [UUID: (nickname: String?, createdAt: Date)]] = [:]
        var blocks: [UUID: [UUID: Date]] = [:]
        var touches = 0
    }
    let state = Mutex(State())

    @discardableResult
    func person(_ username: String, displayName: String? = nil) -> UserRecord {
        let record = UserRecord(
            id: UUID(), username: username, email: "\(username)@example.com", passwordHash: "!memory",
            displayName: displayName ?? username.capitalized, createdAt: Date(), lastSeenAt: nil)
        state.withLock { $0.users[record.id] = record }
        return record
    }

    var users: Users { Users(people: self) }
    var contacts: Contacts { Contacts(people: self) }
    var blocks: Blocks { Blocks(people: self) }

    struct Users: UserStoring {
        let people: PeopleInMemory

        func find(id: UUID) async throws -> UserRecord? { people.state.withLock { $0.users[id] } }

        func find(ids: [UUID]) async throws -> [UserRecord] {
            people.state.withLock { state in ids.compactMap { state.users[$0] } }
        }

        func find(usernames: [String]) async throws -> [UserRecord] {
            let names = Set(usernames.map { $0.lowercased() })
            return people.state.withLock { $0.users.values.filter { names.contains($0.username.lowercased()) } }
        }

        func search(prefix: String, limit: Int) async throws -> [UserRecord] {
            let prefix = prefix.lowercased()
            return people.state.withLock { state in
                Array(
                    state.users.values
                        .filter { $0.username.lowercased().hasPrefix(prefix) || $0.displayName.lowercased().hasPrefix(prefix) }
                        .sorted { $0.username.lowercased() < $1.username.lowercased() }
                        .prefix(limit))
            }
        }

        func update(id: UUID, changes: ProfileChanges) async throws -> UserRecord? {
            func apply(_ patch: Patch<String>, to value: inout String?) {
                switch patch {
                case .absent: break
                case .clear: value = nil
                case let .set(text): value = text
                }
            }
            return people.state.withLock { state in
                guard var user = state.users[id] else { return nil }
                if let name = changes.displayName { user.displayName = name }
                apply(changes.bio, to: &user.bio)
                apply(changes.avatarUrl, to: &user.avatarUrl)
                apply(changes.status, to: &user.status)
                apply(changes.phoneNumber, to: &user.phoneNumber)
                state.users[id] = user
                return user
            }
        }

        func setDoNotDisturb(id: UUID, until: Date?) async throws -> UserRecord? {
            people.state.withLock { state in
                state.users[id]?.doNotDisturbUntil = until
                return state.users[id]
            }
        }

        func touch(id: UUID) async throws {
            people.state.withLock { state in
                state.touches += 1
                state.users[id]?.lastSeenAt = Date()
            }
        }
    }

    struct Contacts: ContactStoring {
        let people: PeopleInMemory

        func list(owner: UUID) async throws -> [ContactRecord] {
            people.state.withLock { state in
                (state.contacts[owner] ?? [:]).compactMap { id, entry in
                    state.users[id].map { ContactRecord(user: $0, nickname: entry.nickname, createdAt: entry.createdAt) }
                }
                .sorted { ($0.nickname ?? $0.user.displayName).lowercased() < ($1.nickname ?? $1.user.displayName).lowercased() }
            }
        }

        func add(owner: UUID, contact: UUID, nickname: String?) async throws -> ContactRecord {
            try people.state.withLock { state in
                guard let user = state.users[contact] else { throw UserError.userNotFound }
                guard state.contacts[owner]?[contact] == nil else { throw UserError.alreadyContact }
                let entry = (nickname: nickname, createdAt: Date())
                state.contacts[owner, default: [:]][contact] = entry
                return ContactRecord(user: user, nickname: nickname, createdAt: entry.createdAt)
            }
        }

        func rename(owner: UUID, contact: UUID, nickname: String?) async throws -> ContactRecord? {
            people.state.withLock { state in
                guard let entry = state.contacts[owner]?[contact], let user = state.users[contact] else { return nil }
                state.contacts[owner]?[contact] = (nickname, entry.createdAt)
                return ContactRecord(user: user, nickname: nickname, createdAt: entry.createdAt)
            }
        }

        func remove(owner: UUID, contact: UUID) async throws -> Bool {
            people.state.withLock { $0.contacts[owner]?.removeValue(forKey: contact) != nil }
        }
    }

    struct Blocks: BlockStoring {
        let people: PeopleInMemory

        func list(owner: UUID) async throws -> [BlockRecord] {
            people.state.withLock { state in
                (state.blocks[owner] ?? [:]).compactMap { id, at in state.users[id].map { BlockRecord(user: $0, createdAt: at) } }
                    .sorted { $0.createdAt > $1.createdAt }
            }
        }

        func add(owner: UUID, target: UUID) async throws -> (BlockRecord, created: Bool) {
            try people.state.withLock { state in
                guard let user = state.users[target] else { throw UserError.userNotFound }
                if let at = state.blocks[owner]?[target] { return (BlockRecord(user: user, createdAt: at), false) }
                let at = Date()
                state.blocks[owner, default: [:]][target] = at
                return (BlockRecord(user: user, createdAt: at), true)
            }
        }

        func remove(owner: UUID, target: UUID) async throws -> Bool {
            people.state.withLock { $0.blocks[owner]?.removeValue(forKey: target) != nil }
        }

        func blockedEitherWay(_ person: UUID, among others: [UUID]) async throws -> Set<UUID> {
            try await allBlockedEitherWay(person).intersection(others)
        }

        func allBlockedEitherWay(_ person: UUID) async throws -> Set<UUID> {
            people.state.withLock { state in
                var found = Set((state.blocks[person] ?? [:]).keys)
                for (blocker, blocked) in state.blocks where blocked[person] != nil { found.insert(blocker) }
                return found
            }
        }

        func havingAsContact(_ person: UUID, among others: [UUID]) async throws -> Set<UUID> {
            people.state.withLock { state in Set(others.filter { state.contacts[$0]?[person] != nil }) }
        }
    }
}

/// What was published, channel by channel, in order: the announcements a route made.
final class PublishedInMemory: ChannelPublisher {
    let messages = Mutex<[(channel: String, payload: [UInt8])]>([])

    func publish(_ message: [UInt8], to channel: String) async throws -> Int {
        messages.withLock { $0.append((channel, message)) }
        return 1
    }

    func channels() -> [String] { messages.withLock { $0.map(\.channel) } }
}

/// Open sockets as the presence registry would report them.
struct PresenceInMemory: PresenceStateSource {
    let online: Set<UUID>

    func states(of users: [UUID], now: Date) async throws -> [UUID: PresenceRegistry.State] {
        Dictionary(uniqueKeysWithValues: users.map { ($0, PresenceRegistry.State(online: online.contains($0), lastSeenAt: now)) })
    }
}

/// Who shares a room with whom, as chat-service would answer; `unanswered` stands for chat-service being down.
struct RoomsInMemory: RoomSharing {
    var pairs: Set<[UUID]> = []
    var unanswered = false

    func sharingARoom(with viewer: Identity, among others: [UUID], requestId: String) async throws -> Set<UUID> {
        if unanswered { throw AppError(.serviceUnavailable, code: "chat_service_unavailable", detail: "chat-service is not answering") }
        return Set(others.filter { pairs.contains([viewer.userId, $0].sorted { $0.uuidString < $1.uuidString }) })
    }

    static func sharing(_ a: UUID, _ b: UUID) -> RoomsInMemory {
        RoomsInMemory(pairs: [[a, b].sorted { $0.uuidString < $1.uuidString }])
    }
}
