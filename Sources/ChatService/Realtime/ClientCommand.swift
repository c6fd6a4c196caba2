import Foundation

/// Where a client says it was in one room when it resumes: the last seq it
/// has, or the id of the last message it has.
enum ResumePoint: Sendable, Equatable {
    case seq(Int64)
    case message(UUID)
}

/// What a client may send over the WebSocket.
///
/// `resume` takes its positions in any of these shapes (the first is the one
/// the web front sends):
/// - `{"type":"resume","rooms":{"<roomId>": 41}}`
/// - `{"type":"resume","rooms":{"<roomId>": "<last message id>"}}`
/// - `{"type":"resume","rooms":[{"roomId":"…","seq":41}]}` (also `lastSeq`, `after`, `lastMessageId`, `messageId`)
/// - `{"type":"resume","roomId":"…","seq":41}` for a single room
struct ClientCommand: Decodable {
    enum Kind: String, Decodable {
        case typing, read, ping, resume
        /// `{"type":"auth","accessToken":"…"}`: a fresh token for the same person keeps the socket open past the old one's expiry.
        case auth
    }

    struct Malformed: Error {
        let detail: String
    }

    var type: Kind
    var roomId: UUID?
    var messageId: UUID?
    /// For `auth`: the fresh access token.
    var accessToken: String?
    /// For `resume`: room → where the client was.
    var resumePoints: [UUID: ResumePoint] = [:]

    private enum Keys: String, CodingKey {
        case type, roomId, messageId, rooms, positions, seq, lastSeq, after, lastMessageId, accessToken
    }

    private struct RoomKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let resumeShape = "resume takes {\"rooms\":{\"<roomId>\": lastSeq}} (seq ≥ 0 or the last message id)."

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        type = try container.decode(Kind.self, forKey: .type)
        roomId = try container.decodeIfPresent(UUID.self, forKey: .roomId)
        messageId = try container.decodeIfPresent(UUID.self, forKey: .messageId)
        accessToken = try container.decodeIfPresent(String.self, forKey: .accessToken)
        guard type == .resume else { return }

        let listKey: Keys? = container.contains(.rooms) ? .rooms : container.contains(.positions) ? .positions : nil
        if let listKey {
            if let byRoom = try? container.nestedContainer(keyedBy: RoomKey.self, forKey: listKey) {
                for key in byRoom.allKeys {
                    guard let room = UUID(uuidString: key.stringValue) else { throw Malformed(detail: Self.resumeShape) }
                    resumePoints[room] = try Self.point(in: byRoom, key)
                }
            } else {
                var entries = try container.nestedUnkeyedContainer(forKey: listKey)
                while !entries.isAtEnd {
                    let entry = try entries.nestedContainer(keyedBy: Keys.self)
                    guard let room = try entry.decodeIfPresent(UUID.self, forKey: .roomId) else {
                        throw Malformed(detail: Self.resumeShape)
                    }
                    resumePoints[room] = try Self.point(in: entry)
                }
            }
        } else if let roomId {
            resumePoints[roomId] = try Self.point(in: container)
        } else {
            throw Malformed(detail: Self.resumeShape)
        }
    }

    /// A position given directly as a room's value: a number (seq), a message id, or an object.
    private static func point(in container: KeyedDecodingContainer<RoomKey>, _ key: RoomKey) throws -> ResumePoint {
        if let seq = try? container.decode(Int64.self, forKey: key) { return try valid(seq) }
        if let id = try? container.decode(UUID.self, forKey: key) { return .message(id) }
        if let object = try? container.nestedContainer(keyedBy: Keys.self, forKey: key) { return try point(in: object) }
        throw Malformed(detail: resumeShape)
    }

    /// A position inside an object: `seq`, `lastSeq` or `after`, or `lastMessageId` / `messageId`.
    private static func point(in container: KeyedDecodingContainer<Keys>) throws -> ResumePoint {
        for key in [Keys.seq, .lastSeq, .after] where container.contains(key) {
            if let seq = try? container.decode(Int64.self, forKey: key) { return try valid(seq) }
            throw Malformed(detail: resumeShape)
        }
        for key in [Keys.lastMessageId, .messageId] where container.contains(key) {
            if let id = try? container.decode(UUID.self, forKey: key) { return .message(id) }
            throw Malformed(detail: resumeShape)
        }
        throw Malformed(detail: resumeShape)
    }

    private static func valid(_ seq: Int64) throws -> ResumePoint {
        guard seq >= 0 else { throw Malformed(detail: resumeShape) }
        return .seq(seq)
    }
}
