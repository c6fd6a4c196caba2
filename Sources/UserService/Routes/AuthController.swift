import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

struct RegisterRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["username", "email", "password", "displayName"]
    var username: String
    var email: String
    var password: String
    var displayName: String
}

struct LoginRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["login", "password"]
    var login: String
    var password: String
}

struct RefreshRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["refreshToken"]
    var refreshToken: String
}

/// Register, login, refresh and logout.
struct AuthController: Sendable {
    let users: UserRepository
    let refreshTokens: RefreshTokenStore
    let hasher: PasswordHasher
    let issuer: TokenIssuer
    let throttle: LoginThrottle
    let revocations: SessionRevocations

    func addRoutes(to group: RouterGroup<UserRequestContext>) {
        group.post("register", use: register)
        group.post("login", use: login)
        group.post("refresh", use: refresh)
        group.post("logout", use: logout)
    }

    @Sendable func register(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<AuthResponse> {
        var request = request
        let body = try await request.decodeJSON(as: RegisterRequest.self, context: context)
        let username = body.username.trimmingCharacters(in: .whitespaces)
        let email = body.email.trimmingCharacters(in: .whitespaces)
        let displayName = body.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        Validation.username(username, into: &errors)
        Validation.email(email, into: &errors)
        Validation.password(body.password, username: username, into: &errors)
        Validation.displayName(body.displayName, into: &errors)
        guard errors.isEmpty else { throw AppError.validation(errors) }

        try await throttle.admitRegistration(from: context.clientAddress)
        let hash = try await hasher.hash(body.password)
        let user = try await users.create(id: UUID(), username: username, email: email, passwordHash: hash, displayName: displayName)
        context.logger.info("user registered", metadata: ["user_id": "\(user.id)"])
        return JSONResponse(try await issuer.session(for: user), status: .created)
    }

    @Sendable func login(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<AuthResponse> {
        var request = request
        let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
        let login = body.login.trimmingCharacters(in: .whitespaces)
        guard !login.isEmpty, login.count <= 254, !body.password.isEmpty, body.password.count <= 128 else {
            throw AppError.unauthorized("invalid_credentials", "The login or password is wrong.")
        }
        // Every attempt is counted before its password is hashed; over the limit, even the
        // right password is refused: the answer says nothing about it.
        let address = context.clientAddress
        let user = try await users.find(login: login)
        let account = LoginThrottle.account(login, resolvedTo: user?.id)
        try await throttle.admitLogin(account: account, from: address)
        let matches: Bool
        do {
            if let user {
                matches = try await hasher.verify(body.password, against: user.passwordHash)
            } else {
                try await hasher.burnTime()
                matches = false
            }
        } catch {
            await throttle.takeBack(account: account, from: address)
            throw error
        }
        guard let user, matches else {
            throw AppError.unauthorized("invalid_credentials", "The login or password is wrong.")
        }
        await throttle.recordSuccess(account: account, from: address)
        try await users.touch(id: user.id)
        return JSONResponse(try await issuer.session(for: user))
    }

    @Sendable func refresh(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<AuthResponse> {
        var request = request
        let body = try await request.decodeJSON(as: RefreshRequest.self, context: context)
        guard !body.refreshToken.isEmpty, body.refreshToken.count <= 256 else {
            throw AppError.unauthorized("invalid_refresh_token", "The refresh token is not valid.")
        }
        switch try await refreshTokens.rotate(
            body.refreshToken, lifetime: issuer.refreshTokenLifetime, familyLifetime: issuer.refreshFamilyLifetime)
        {
        case let .rotated(userId, newToken, family):
            guard let user = try await users.find(id: userId) else {
                throw AppError.unauthorized("invalid_refresh_token", "The refresh token is not valid.")
            }
            try await users.touch(id: user.id)
            return JSONResponse(try await issuer.session(for: user, refreshToken: newToken, family: family))
        case .invalid:
            throw AppError.unauthorized("invalid_refresh_token", "The refresh token is not valid.")
        case .expired:
            throw AppError.unauthorized("refresh_token_expired", "The refresh token has expired; log in again.")
        case let .reused(userId, family):
            context.logger.warning("refresh token reuse: family revoked")
            await revocations.announce(user: userId, session: family)
            throw AppError.unauthorized(
                "refresh_token_reused", "This refresh token was already used; every session from that login is signed out.")
        }
    }

    @Sendable func logout(_ request: Request, context: UserRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: RefreshRequest.self, context: context)
        if let (userId, family) = try await refreshTokens.revokeFamily(of: body.refreshToken) {
            await revocations.announce(user: userId, session: family)
        }
        // The answer is the same whether or not the token existed: logging out is idempotent.
        return Response(status: .noContent)
    }
}
