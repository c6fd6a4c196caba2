import ChatProtocol
import Foundation
import Hummingbird
import ObjectStorage
import ServiceKit

struct ChangePasswordRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["currentPassword", "newPassword"]
    var currentPassword: String
    var newPassword: String
}

struct DeleteAccountRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["password", "confirmUsername"]
    /// A local account's password.
    var password: String?
    /// An account an external issuer owns has no password here: its username, typed again.
    var confirmUsername: String?
}

/// What `GET /api/users/me/export` downloads.
struct AccountExport: Codable, Sendable {
    struct Contact: Codable, Sendable {
        var userId: UUID
        var username: String
        var displayName: String
        var nickname: String?
        var addedAt: Date
    }
    struct Block: Codable, Sendable {
        var userId: UUID
        var username: String
        var blockedAt: Date
    }
    var format = "microchat-export/1"
    var exportedAt: Date
    var profile: OwnProfile
    var contacts: [Contact]
    var blocked: [Block]
    /// The rooms one is in or wrote in, and every message one sent (chat-service's part).
    var rooms: [ExportedRoom]
    var messages: [ExportedMessage]
    /// More than 100,000 messages were sent: `messages` holds the oldest 100,000.
    var messagesTruncated: Bool
}

/// One's own account: change the password (every other login signed out), export
/// one's data as a download, and delete the account. Deleting erases what is
/// personal — profile, picture, contacts, blocks, sessions, saved messages, the
/// memberships of groups — and keeps what one wrote in conversations, shown as
/// a deleted person's (other people's history stays whole); see the README.
struct AccountController: Sendable {
    let users: UserRepository
    let refreshTokens: RefreshTokenStore
    let contacts: any ContactStoring
    let blocks: any BlockStoring
    let avatars: AvatarStore
    let store: any ObjectStore
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let revocations: SessionRevocations
    let chatServiceURL: String
    let client: ServiceClient
    /// Set when accounts belong to an external issuer (OIDC): passwords are changed there.
    let externalIssuer: String?

    func addRoutes(to group: RouterGroup<UserRequestContext>) {
        group.post("me/password", use: changePassword)
        group.get("me/export", use: export)
        group.delete("me", use: delete)
    }

    @Sendable func changePassword(_ request: Request, context: UserRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: ChangePasswordRequest.self, context: context)
        if let externalIssuer { throw UserError.externalAccount(issuer: externalIssuer) }
        guard let user = try await users.find(id: identity.userId) else { throw UserError.userNotFound }
        var errors: [FieldError] = []
        Validation.password(body.newPassword, username: user.username, into: &errors)
        guard errors.isEmpty else {
            throw AppError.validation(errors.map { FieldError(field: "newPassword", code: $0.code, detail: $0.detail) })
        }
        try await checkPassword(body.currentPassword, of: user, context: context)
        try await users.setPassword(id: user.id, hash: try await hasher.hash(body.newPassword))
        // Whoever knew the old password is out: every other login ends now, sockets included.
        let kept = identity.sessionId.flatMap(UUID.init(uuidString:))
        for family in try await refreshTokens.revokeAll(of: user.id, except: kept) {
            await revocations.announce(user: user.id, session: family)
        }
        context.logger.info("password changed; other sessions signed out", metadata: ["user_id": "\(user.id)"])
        return Response(status: .noContent)
    }

    @Sendable func export(_ request: Request, context: UserRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let user = try await users.find(id: identity.userId) else { throw UserError.userNotFound }
        let sent: SentMessagesExport
        do {
            sent = try await client.get(
                chatServiceURL + "/internal/users/me/messages", as: SentMessagesExport.self, bearer: identity.token,
                requestId: context.requestId)
        } catch {
            // Never a partial export that looks whole.
            context.logger.warning("chat-service did not give the messages for an export", metadata: ["error": "\(error)"])
            throw UserError.chatServiceUnavailable
        }
        let export = AccountExport(
            exportedAt: Date(), profile: user.ownProfile,
            contacts: try await contacts.list(owner: user.id).map {
                .init(
                    userId: $0.user.id, username: $0.user.username, displayName: $0.user.displayName, nickname: $0.nickname,
                    addedAt: $0.createdAt)
            },
            blocked: try await blocks.list(owner: user.id).map {
                .init(userId: $0.user.id, username: $0.user.username, blockedAt: $0.createdAt)
            },
            rooms: sent.rooms, messages: sent.messages, messagesTruncated: sent.truncated)
        let day = ISO8601.format(export.exportedAt).prefix(10)
        // A provider's username may hold anything: the file name keeps to letters, digits, - and _.
        let name = String(
            user.username.unicodeScalars.map {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") ? Character($0) : "_"
            })
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/json; charset=utf-8",
                .contentDisposition: "attachment; filename=\"microchat-\(name)-\(day).json\"",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encoder.encode(export))))
    }

    @Sendable func delete(_ request: Request, context: UserRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: DeleteAccountRequest.self, context: context)
        guard let user = try await users.find(id: identity.userId) else { throw UserError.userNotFound }
        if externalIssuer != nil {
            guard let typed = body.confirmUsername, typed.lowercased() == user.username.lowercased() else {
                throw AppError.validation([
                    FieldError(field: "confirmUsername", code: "confirmation_mismatch", detail: "type your username to confirm")
                ])
            }
        } else {
            guard let password = body.password else {
                throw AppError.validation([FieldError(field: "password", code: "required", detail: "your password confirms the deletion")])
            }
            try await checkPassword(password, of: user, context: context)
        }
        // chat-service first: if it cannot be told, nothing is erased and the person can try again.
        do {
            _ = try await client.post(
                chatServiceURL + "/internal/users/me/depart", body: [String: String](), as: DepartureReport.self,
                bearer: identity.token, requestId: context.requestId)
        } catch {
            context.logger.warning("chat-service did not take a deleted account out of its rooms", metadata: ["error": "\(error)"])
            throw UserError.chatServiceUnavailable
        }
        let picture = try await avatars.find(userId: user.id)
        let sessions = try await refreshTokens.revokeAll(of: user.id, except: nil)
        _ = try await users.erase(id: user.id)
        if let picture { try? await store.delete(key: picture.storageKey) }
        // Every token of every login is refused from now on, and every socket closes.
        for family in Set(sessions + (identity.sessionId.flatMap(UUID.init(uuidString:)).map { [$0] } ?? [])) {
            await revocations.announce(user: user.id, session: family)
        }
        await revocations.announceAll(user: user.id)
        context.logger.info("account deleted", metadata: ["user_id": "\(user.id)"])
        return Response(status: .noContent)
    }

    /// The account's password, checked as a login is: throttled per account and address.
    private func checkPassword(_ password: String, of user: UserRecord, context: UserRequestContext) async throws {
        let account = LoginThrottle.account(user.username, resolvedTo: user.id)
        let address = context.clientAddress
        try await throttle.admitLogin(account: account, from: address)
        let matches: Bool
        do {
            let plausible = !password.isEmpty && password.count <= 128
            matches = plausible ? try await hasher.verify(password, against: user.passwordHash) : false
        } catch {
            await throttle.takeBack(account: account, from: address)
            throw error
        }
        guard matches else { throw UserError.wrongPassword }
        await throttle.recordSuccess(account: account, from: address)
    }
}
