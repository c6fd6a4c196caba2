import AsyncHTTPClient
import ChatProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP calls the load generator makes: accounts, rooms, sends, history.
struct Api: Sendable {
    let http: HTTPClient
    let userURL: String

    struct Account: Sendable {
        var id: String
        var token: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What registering answers that the loader needs (the protocol's profile, and the token).
    private struct Registered: Decodable {
        var user: PublicProfile
        var accessToken: String
    }

    private struct Registration: Encodable {
        var username: String
        var email: String
        var password: String
        var displayName: String
    }

    private struct NewGroup: Encodable {
        var name: String
        var roomType = "group"
        var participantIds: [String]
    }

    private struct Contact: Encodable {
        var userId: String
    }

    func register(_ name: String) async throws -> Account {
        let body = Registration(username: name, email: "\(name)@example.com", password: "load-generator-1", displayName: name)
        let answer: Registered = try await call("POST", userURL + "/api/auth/register", token: nil, body: body, expect: [201])
        return Account(id: answer.user.id.uuidString, token: answer.accessToken)
    }

    /// A group every member joined: each adds the owner as a contact first (people who have not
    /// would only be invited), in parallel.
    func createGroup(at chatURL: String, owner: Account, members: [Account], name: String) async throws -> String {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in members where member.id != owner.id {
                group.addTask {
                    try await call(
                        "POST", userURL + "/api/contacts", token: member.token, body: Contact(userId: owner.id), expect: [201, 409])
                }
            }
            try await group.waitForAll()
        }
        let room: ChatRoom = try await call(
            "POST", chatURL + "/api/rooms", token: owner.token, body: NewGroup(name: name, participantIds: members.map(\.id)), expect: [201]
        )
        return room.id.uuidString
    }

    /// Sends one message; returns its seq once the service acknowledged it.
    func send(at chatURL: String, room: String, token: String, content: String, clientId: String) async throws -> Int64 {
        var request = HTTPClientRequest(url: "\(chatURL)/api/rooms/\(room)/messages")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"content":"\#(content)","messageType":"text","clientMessageId":"\#(clientId)"}"#))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created else {
            throw Failure(description: "send answered \(response.status.code): \(String(buffer: body).prefix(200))")
        }
        // The seq is the one number the loader needs from the answer.
        guard
            let seq = body.withUnsafeReadableBytes({ raw -> Int64? in
                FrameScan.integer(after: FrameScan.seq, in: raw.bindMemory(to: UInt8.self))
            })
        else { throw Failure(description: "send answered without a seq") }
        return seq
    }

    /// Every seq stored in a room, oldest first (paged).
    func storedSeqs(at chatURL: String, room: String, token: String) async throws -> [Int64] {
        var seqs: [Int64] = []
        var after: Int64 = 0
        while true {
            let page: MessagePage = try await call(
                "GET", "\(chatURL)/api/rooms/\(room)/messages?limit=200&after=\(after)", token: token, body: Optional<Contact>.none,
                expect: [200])
            seqs += page.messages.map(\.seq)
            guard page.hasMore, let last = page.messages.last else { return seqs }
            after = last.seq
        }
    }

    /// A call whose answer is read as the protocol's type `Answer`, in the API's JSON dialect.
    private func call<Body: Encodable, Answer: Decodable>(
        _ method: String, _ url: String, token: String?, body: Body?, expect: Set<Int>
    ) async throws -> Answer {
        let data = try await exchange(method, url, token: token, body: body, expect: expect)
        do {
            return try JSONCoding.decoder.decode(Answer.self, from: Data(data.readableBytesView))
        } catch {
            throw Failure(description: "\(method) \(url) answered what is not a \(Answer.self): \(error)")
        }
    }

    /// A call whose answer is not needed.
    private func call<Body: Encodable>(_ method: String, _ url: String, token: String?, body: Body?, expect: Set<Int>) async throws {
        _ = try await exchange(method, url, token: token, body: body, expect: expect)
    }

    private func exchange<Body: Encodable>(_ method: String, _ url: String, token: String?, body: Body?, expect: Set<Int>) async throws
        -> ByteBuffer
    {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONCoding.encoder.encode(body)))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 16 << 20)
        guard expect.contains(Int(response.status.code)) else {
            throw Failure(description: "\(method) \(url) answered \(response.status.code): \(String(buffer: data).prefix(300))")
        }
        return data
    }
}
