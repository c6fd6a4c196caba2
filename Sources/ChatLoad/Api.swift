import AsyncHTTPClient
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

    func register(_ name: String) async throws -> Account {
        let body = ["username": name, "email": "\(name)@example.com", "password": "load-generator-1", "displayName": name]
        let json = try await call("POST", userURL + "/api/auth/register", token: nil, body: body, expect: 201)
        guard let user = json["user"] as? [String: Any], let id = user["id"] as? String, let token = json["accessToken"] as? String else {
            throw Failure(description: "register answered without a user or token")
        }
        return Account(id: id, token: token)
    }

    /// A group every member joined: each adds the owner as a contact first (people who have not
    /// would only be invited), in parallel.
    func createGroup(at chatURL: String, owner: Account, members: [Account], name: String) async throws -> String {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in members where member.id != owner.id {
                group.addTask {
                    _ = try await call(
                        "POST", userURL + "/api/contacts", token: member.token, body: ["userId": owner.id], expect: [201, 409])
                }
            }
            try await group.waitForAll()
        }
        let body: [String: Any] = ["name": name, "roomType": "group", "participantIds": members.map(\.id)]
        let json = try await call("POST", chatURL + "/api/rooms", token: owner.token, body: body, expect: 201)
        guard let id = json["id"] as? String else { throw Failure(description: "room created without an id") }
        return id
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
            let json = try await call(
                "GET", "\(chatURL)/api/rooms/\(room)/messages?limit=200&after=\(after)", token: token, body: nil, expect: 200)
            let page = (json["messages"] as? [[String: Any]] ?? []).compactMap { ($0["seq"] as? NSNumber)?.int64Value }
            seqs += page
            guard json["hasMore"] as? Bool == true, let last = page.last else { return seqs }
            after = last
        }
    }

    private func call(_ method: String, _ url: String, token: String?, body: [String: Any]?, expect: Int) async throws -> [String: Any] {
        try await call(method, url, token: token, body: body, expect: [expect])
    }

    private func call(_ method: String, _ url: String, token: String?, body: [String: Any]?, expect: Set<Int>) async throws -> [String: Any]
    {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 16 << 20)
        guard expect.contains(Int(response.status.code)) else {
            throw Failure(description: "\(method) \(url) answered \(response.status.code): \(String(buffer: data).prefix(300))")
        }
        return (try JSONSerialization.jsonObject(with: Data(data.readableBytesView)) as? [String: Any]) ?? [:]
    }
}
