import ChatProtocol
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceAuth
import ServiceKit
import Testing
@testable import UserService

/// The issuer's key set without a network: the one key the test signs with.
struct OneKey: KeySetSource {
    let signer: TokenSigner
    func fetchKeySet() async throws -> PublishedKeySet { PublishedKeySet(keys: [PublishedKey(jwk: signer.jwk)]) }
}

/// user-service's people routes (profiles, search, contacts, blocks, internal lookups)
/// through `app.test(.router)`, with the stores in memory: the rules each route
/// enforces and the problem+json it answers, in well under a second, with no server.
@Suite("user-service people routes, stores in memory")
struct PeopleRouteTests {
    static let issuer = "http://user-service.test"
    let people = PeopleInMemory()
    let published = PublishedInMemory()
    let signer: TokenSigner

    init() async throws {
        signer = try await TokenSigner(key: P256.Signing.PrivateKey())
    }

    func application(online: Set<UUID> = [], sharedRooms: RoomsInMemory = RoomsInMemory()) -> some ApplicationProtocol {
        let quiet = Logger(label: "people-routes", factory: { _ in SwiftLogNoOpLogHandler() })
        let verifier = TokenVerifier(
            configuration: .init(issuer: Self.issuer, audience: "microchat"), source: OneKey(signer: signer), logger: quiet)
        let users = people.users
        let router = Router(context: UserRequestContext.self)
        router.addStandardMiddleware()
        let authenticated = AuthMiddleware<UserRequestContext>(verifier: verifier) { identity in
            try? await users.touch(id: identity.userId)
        }
        PeopleRoutes(
            users: users, contacts: people.contacts, blocks: people.blocks,
            presence: PresenceVisibility(
                blocks: people.blocks, registry: PresenceInMemory(online: online), rooms: sharedRooms, logger: quiet),
            profiles: ProfileAnnouncements(redis: published, logger: quiet),
            relations: RelationAnnouncements(redis: published, logger: quiet)
        )
        .add(to: router, authenticated: authenticated)
        return Application(router: router)
    }

    func bearer(_ user: UserRecord) async throws -> HTTPFields {
        let now = Int64(Date().timeIntervalSince1970)
        let token = try await signer.sign(
            AccessTokenClaims(
                iss: Self.issuer, sub: user.id.uuidString, aud: "microchat", exp: now + 600, iat: now, preferredUsername: user.username))
        return [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    func problem(_ response: TestResponse) throws -> ProblemDetails {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: response.body))
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONCoding.decoder.decode(T.self, from: Data(buffer: response.body))
    }

    @Test("a call without a valid token is refused with 401 problem+json; with one, it counts as activity")
    func authentication() async throws {
        let ada = people.person("ada")
        try await application().test(.router) { client in
            try await client.execute(uri: "/api/users/me", method: .get) { response throws in
                #expect(response.status == .unauthorized)
                #expect(try problem(response).status == 401)
            }
            try await client.execute(uri: "/api/users/me", method: .get, headers: [.authorization: "Bearer not.a.token"]) {
                response throws in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/users/me", method: .get, headers: try await bearer(ada)) { response throws in
                #expect(response.status == .ok)
                let me = try decode(OwnProfile.self, response)
                #expect(me.id == ada.id && me.username == "ada" && me.email == "ada@example.com")
            }
        }
        #expect(people.state.withLock { $0.touches } == 1)
        #expect(people.state.withLock { $0.users[ada.id]?.lastSeenAt } != nil)
    }

    @Test("a token for an account that no longer exists gets 401 unknown_user")
    func unknownAccount() async throws {
        let ghost = UserRecord(
            id: UUID(), username: "ghost", email: "g@example.com", passwordHash: "", displayName: "Ghost", createdAt: Date(),
            lastSeenAt: nil)
        try await application().test(.router) { client in
            try await client.execute(uri: "/api/users/me", method: .get, headers: try await bearer(ghost)) { response throws in
                #expect(response.status == .unauthorized)
                #expect(try problem(response).code == "unknown_user")
            }
        }
    }

    @Test("PATCH /api/users/me trims, clears with empty text, refuses bad fields, and announces only real changes")
    func updateProfile() async throws {
        let ada = people.person("ada")
        try await application().test(.router) { client in
            let headers = try await bearer(ada)
            let body = #"{"displayName": "  Ada Lovelace ", "status": "  at the engine  ", "bio": ""}"#
            try await client.execute(uri: "/api/users/me", method: .patch, headers: headers, body: ByteBuffer(string: body)) {
                response throws in
                #expect(response.status == .ok)
                let me = try decode(OwnProfile.self, response)
                #expect(me.displayName == "Ada Lovelace" && me.status == "at the engine" && me.bio == nil)
            }
            #expect(published.channels() == [RealtimeChannel.profiles])
            // The same change again changes nothing others see: nothing is announced.
            try await client.execute(uri: "/api/users/me", method: .patch, headers: headers, body: ByteBuffer(string: body)) {
                response throws in
                #expect(response.status == .ok)
            }
            #expect(published.channels().count == 1)

            try await client.execute(
                uri: "/api/users/me", method: .patch, headers: headers, body: ByteBuffer(string: #"{"displayName": "   "}"#)
            ) { response throws in
                #expect(response.status == .unprocessableContent)
                let problem = try problem(response)
                #expect(problem.code == "validation_failed" && problem.errors?.map(\.field) == ["displayName"])
            }
            try await client.execute(
                uri: "/api/users/me", method: .patch, headers: headers, body: ByteBuffer(string: #"{"username": "root"}"#)
            ) { response throws in
                #expect(response.status == .badRequest)
                #expect(try problem(response).code == "unknown_field")
            }
            try await client.execute(uri: "/api/users/me", method: .patch, headers: headers, body: ByteBuffer(string: "{")) {
                response throws in
                #expect(response.status == .badRequest)
            }
        }
        // Nothing a refused request carried was kept.
        let stored = try #require(people.state.withLock { $0.users[ada.id] })
        #expect(stored.displayName == "Ada Lovelace" && stored.username == "ada")
    }

    @Test("search matches a prefix of username or display name, bounds its input, and shows presence only to those allowed")
    func search() async throws {
        let ada = people.person("ada")
        let adam = people.person("adam", displayName: "Adam Smith")
        let grace = people.person("grace", displayName: "Adalyn Grace")
        people.person("linus")
        // Adam has Ada as a contact: Ada may see his presence, not Grace's.
        _ = try await people.contacts.add(owner: adam.id, contact: ada.id, nickname: nil)
        try await application(online: [adam.id, grace.id]).test(.router) { client in
            let headers = try await bearer(ada)
            try await client.execute(uri: "/api/users?search=AD", method: .get, headers: headers) { response throws in
                #expect(response.status == .ok)
                let found = try decode(UserSearchResponse.self, response).users
                #expect(found.map(\.username) == ["ada", "adam", "grace"])
                #expect(found.first { $0.id == adam.id }?.online == true)
                #expect(found.first { $0.id == grace.id }?.online == nil)
                #expect(found.first { $0.id == ada.id }?.online == false)  // the caller: no socket open
            }
            try await client.execute(uri: "/api/users?q=ad&limit=1", method: .get, headers: headers) { response throws in
                #expect(try decode(UserSearchResponse.self, response).users.count == 1)
            }
            for (query, code) in [
                ("", "invalid_search"), ("?search=%20", "invalid_search"),
                ("?search=" + String(repeating: "a", count: 65), "invalid_search"),
                ("?search=ad&limit=0", "invalid_limit"), ("?search=ad&limit=51", "invalid_limit"), ("?search=ad&limit=x", "invalid_limit"),
            ] {
                try await client.execute(uri: "/api/users" + query, method: .get, headers: headers) { response throws in
                    #expect(response.status == .badRequest, "\(query)")
                    #expect(try problem(response).code == code, "\(query)")
                }
            }
            try await client.execute(uri: "/api/users/\(grace.id)", method: .get, headers: headers) { response throws in
                #expect(try decode(PublicProfile.self, response).displayName == "Adalyn Grace")
            }
            try await client.execute(uri: "/api/users/\(UUID())", method: .get, headers: headers) { response throws in
                #expect(response.status == .notFound)
                #expect(try problem(response).code == "user_not_found")
            }
            try await client.execute(uri: "/api/users/not-a-uuid", method: .get, headers: headers) { response throws in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("sharing a room shows presence; when chat-service cannot say, only contacts see it (withheld, not leaked)")
    func presenceThroughRooms() async throws {
        let ada = people.person("ada"), bob = people.person("bob"), cy = people.person("cy")
        _ = try await people.contacts.add(owner: cy.id, contact: ada.id, nickname: nil)
        /// Ada's search for "b" and "c": each person found, and their `online` as Ada is shown it.
        func seen(_ rooms: RoomsInMemory) async throws -> [String: Bool?] {
            let headers = try await bearer(ada)
            return try await application(online: [bob.id, cy.id], sharedRooms: rooms).test(.router) { client in
                var found: [String: Bool?] = [:]
                for prefix in ["b", "c"] {
                    let response = try await client.execute(uri: "/api/users?search=\(prefix)", method: .get, headers: headers)
                    #expect(response.status == .ok)
                    for user in try decode(UserSearchResponse.self, response).users { found[user.username] = user.online }
                }
                return found
            }
        }
        #expect(try await seen(.sharing(ada.id, bob.id)) == ["bob": true, "cy": true])
        #expect(try await seen(RoomsInMemory()) == ["bob": nil, "cy": true])
        #expect(try await seen(RoomsInMemory(pairs: [], unanswered: true)) == ["bob": nil, "cy": true])
    }

    @Test("contacts: add once (201, then 409), never oneself or nobody, rename and clear a nickname, remove once")
    func contacts() async throws {
        let ada = people.person("ada"), bob = people.person("bob"), cy = people.person("cy")
        try await application().test(.router) { client in
            let headers = try await bearer(ada)
            func add(_ body: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/contacts", method: .post, headers: headers, body: ByteBuffer(string: body)) { $0 }
            }
            let added = try await add(#"{"userId": "\#(bob.id)", "nickname": "  Bobby "}"#)
            #expect(added.status == .created)
            #expect(try decode(ContactResponse.self, added).nickname == "Bobby")
            #expect(try await add(#"{"userId": "\#(cy.id)"}"#).status == .created)
            let again = try await add(#"{"userId": "\#(bob.id)"}"#)
            #expect(again.status == .conflict)
            #expect(try problem(again).code == "contact_exists")
            let me = try await add(#"{"userId": "\#(ada.id)"}"#)
            #expect(me.status == .badRequest)
            #expect(try problem(me).code == "cannot_add_self")
            let nobody = try await add(#"{"userId": "\#(UUID())"}"#)
            #expect(nobody.status == .notFound)
            #expect(try problem(nobody).code == "user_not_found")
            let long = try await add(#"{"userId": "\#(cy.id)", "nickname": "\#(String(repeating: "n", count: 200))"}"#)
            #expect(long.status == .unprocessableContent)
            #expect(try await add(#"{"userId": "bob"}"#).status == .badRequest)

            try await client.execute(uri: "/api/contacts", method: .get, headers: headers) { response throws in
                let list = try decode(ContactListResponse.self, response).contacts
                #expect(list.map(\.user.username) == ["bob", "cy"])  // by nickname, else display name
            }
            try await client.execute(
                uri: "/api/contacts/\(bob.id)", method: .patch, headers: headers, body: ByteBuffer(string: #"{"nickname": null}"#)
            ) { response throws in
                #expect(response.status == .ok)
                #expect(try decode(ContactResponse.self, response).nickname == nil)
            }
            try await client.execute(uri: "/api/contacts/\(bob.id)", method: .patch, headers: headers, body: ByteBuffer(string: "{}")) {
                response in
                #expect(response.status == .badRequest)  // nickname is required: null clears it
            }
            try await client.execute(uri: "/api/contacts/\(bob.id)", method: .delete, headers: headers) { response throws in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/contacts/\(bob.id)", method: .delete, headers: headers) { response throws in
                #expect(response.status == .notFound)
                #expect(try problem(response).code == "contact_not_found")
            }
        }
        // The refused adds changed nothing: Ada keeps exactly Cy.
        #expect(try await people.contacts.list(owner: ada.id).map(\.user.id) == [cy.id])
    }

    @Test("blocks: idempotent PUT (201, then 200), told to both people's sockets; hides presence and @mention lookups")
    func blocks() async throws {
        let ada = people.person("ada"), bob = people.person("bob")
        _ = try await people.contacts.add(owner: bob.id, contact: ada.id, nickname: nil)
        try await application(online: [bob.id]).test(.router) { client in
            let headers = try await bearer(ada)
            func bobsPresence() async throws -> Bool? {
                try await client.execute(uri: "/api/users/\(bob.id)", method: .get, headers: headers) { response throws in
                    try decode(PublicProfile.self, response).online
                }
            }
            #expect(try await bobsPresence() == true)
            try await client.execute(uri: "/api/users/me/blocks/\(bob.id)", method: .put, headers: headers) { response throws in
                #expect(response.status == .created)
                #expect(try decode(BlockResponse.self, response).user.online == nil)
            }
            #expect(Set(published.channels()) == [RealtimeChannel.user(ada.id), RealtimeChannel.user(bob.id)])
            try await client.execute(uri: "/api/users/me/blocks/\(bob.id)", method: .put, headers: headers) { response throws in
                #expect(response.status == .ok)
            }
            #expect(published.channels().count == 2)  // a block already made is not announced again
            #expect(try await bobsPresence() == nil)

            // Neither can @mention the other: the lookup answers the blocked name as missing, either way round.
            try await client.execute(
                uri: "/internal/users/by-username", method: .post, headers: try await bearer(bob),
                body: ByteBuffer(string: #"{"usernames": ["ADA", "nobody"]}"#)
            ) { response throws in
                let answer = try decode(UsernameLookupResponse.self, response)
                #expect(answer.users.isEmpty && answer.missing == ["ADA", "nobody"])
            }
            try await client.execute(uri: "/internal/users/blocked", method: .get, headers: try await bearer(bob)) { response throws in
                #expect(try decode(BlockedPeopleResponse.self, response).userIds == [ada.id])
            }

            try await client.execute(uri: "/api/users/me/blocks/\(ada.id)", method: .put, headers: headers) { response throws in
                #expect(response.status == .badRequest)
                #expect(try problem(response).code == "cannot_block_self")
            }
            try await client.execute(uri: "/api/users/me/blocks/\(UUID())", method: .put, headers: headers) { response throws in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/users/me/blocks", method: .get, headers: headers) { response throws in
                #expect(try decode(BlockListResponse.self, response).blocks.map(\.user.id) == [bob.id])
            }
            try await client.execute(uri: "/api/users/me/blocks/\(bob.id)", method: .delete, headers: headers) { response throws in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/users/me/blocks/\(bob.id)", method: .delete, headers: headers) { response throws in
                #expect(response.status == .notFound)
                #expect(try problem(response).code == "block_not_found")
            }
            #expect(try await bobsPresence() == true)
        }
    }

    @Test("internal lookups: at most 500 ids, unknown ids listed as missing, no presence")
    func lookups() async throws {
        let ada = people.person("ada"), bob = people.person("bob")
        try await application(online: [bob.id]).test(.router) { client in
            let headers = try await bearer(ada)
            let unknown = UUID()
            try await client.execute(
                uri: "/internal/users/lookup", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"ids": ["\#(bob.id)", "\#(unknown)"]}"#)
            ) { response throws in
                let answer = try decode(UserLookupResponse.self, response)
                #expect(answer.users.map(\.id) == [bob.id] && answer.users[0].online == nil && answer.missing == [unknown])
            }
            let many = (0..<501).map { _ in "\"\(UUID())\"" }.joined(separator: ",")
            try await client.execute(
                uri: "/internal/users/lookup", method: .post, headers: headers, body: ByteBuffer(string: #"{"ids": [\#(many)]}"#)
            ) { response throws in
                #expect(response.status == .badRequest)
                #expect(try problem(response).code == "too_many_ids")
            }
        }
    }
}
