import Foundation

/// A stored chat message. `seq` is the room's ordering key: it increases in
/// commit order within a room, so "everything after seq N" is a complete answer.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var id: UUID
    public var roomId: UUID
    public var seq: Int64
    public var senderId: UUID
    /// nil once the message is deleted (it keeps its place in the timeline).
    public var content: String?
    public var messageType: String
    public var clientMessageId: String?
    public var createdAt: Date
    public var updatedAt: Date?
    public var deletedAt: Date?

    public init(id: UUID, roomId: UUID, seq: Int64, senderId: UUID, content: String?, messageType: String,
                clientMessageId: String?, createdAt: Date, updatedAt: Date?, deletedAt: Date?) {
        self.id = id
        self.roomId = roomId
        self.seq = seq
        self.senderId = senderId
        self.content = content
        self.messageType = messageType
        self.clientMessageId = clientMessageId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, roomId, seq, senderId, content, messageType, clientMessageId, createdAt, updatedAt, deletedAt
    }

    /// Every key is always present (null when empty), so a deleted message says `"content": null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(roomId, forKey: .roomId)
        try container.encode(seq, forKey: .seq)
        try container.encode(senderId, forKey: .senderId)
        try container.encode(content, forKey: .content)
        try container.encode(messageType, forKey: .messageType)
        try container.encode(clientMessageId, forKey: .clientMessageId)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(deletedAt, forKey: .deletedAt)
    }
}

public struct RoomParticipant: Codable, Sendable, Equatable {
    public var userId: UUID
    public var role: String
    public var joinedAt: Date
    public var lastReadAt: Date?
    public var lastReadSeq: Int64

    public init(userId: UUID, role: String, joinedAt: Date, lastReadAt: Date?, lastReadSeq: Int64) {
        self.userId = userId
        self.role = role
        self.joinedAt = joinedAt
        self.lastReadAt = lastReadAt
        self.lastReadSeq = lastReadSeq
    }
}

public struct ChatRoom: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String?
    public var description: String?
    public var roomType: String
    public var createdBy: UUID
    public var createdAt: Date
    public var updatedAt: Date
    /// The newest message's seq (0 for an empty room).
    public var lastSeq: Int64
    public var participants: [RoomParticipant]?
    public var lastMessage: ChatMessage?
    public var unreadCount: Int?

    public init(id: UUID, name: String?, description: String?, roomType: String, createdBy: UUID, createdAt: Date, updatedAt: Date,
                lastSeq: Int64, participants: [RoomParticipant]? = nil, lastMessage: ChatMessage? = nil, unreadCount: Int? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.roomType = roomType
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastSeq = lastSeq
        self.participants = participants
        self.lastMessage = lastMessage
        self.unreadCount = unreadCount
    }
}

/// The real-time envelope pushed over the WebSocket and carried through Redis:
/// `{"type":"message.created","roomId":…,"seq":…,"data":{…}}`.
public struct ChatEvent: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case messageCreated = "message.created"
        case messageUpdated = "message.updated"
        case messageDeleted = "message.deleted"
        case readUpdated = "read.updated"
        case typing
        case presence
        case roomUpdated = "room.updated"
        case participantAdded = "participant.added"
        case participantRemoved = "participant.removed"
        /// Sent by the server: reconnecting to Redis may have lost notifications; resume to be sure.
        case resync
        case ready
        case resumed
        case pong
        case error
        /// The answer to `auth`: the socket now lives until the new token's `expiresAt`.
        case authenticated
        /// A login was signed out (user-service → chat-service, on the person's channel); not sent to clients.
        case sessionRevoked = "session.revoked"
    }

    public var type: Kind
    public var roomId: UUID?
    /// For message events, the message's seq.
    public var seq: Int64?
    public var data: EventData?

    public init(type: Kind, roomId: UUID? = nil, seq: Int64? = nil, data: EventData? = nil) {
        self.type = type
        self.roomId = roomId
        self.seq = seq
        self.data = data
    }
}

/// The payloads an event can carry. Encoded as the bare payload object.
public enum EventData: Codable, Sendable {
    case message(ChatMessage)
    case room(ChatRoom)
    case read(ReadReceipt)
    case user(UserEvent)
    case info(InfoEvent)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .message(value): try value.encode(to: encoder)
        case let .room(value): try value.encode(to: encoder)
        case let .read(value): try value.encode(to: encoder)
        case let .user(value): try value.encode(to: encoder)
        case let .info(value): try value.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        // Consumers decode by the envelope's type; this is the generic fallback.
        if let message = try? ChatMessage(from: decoder) { self = .message(message); return }
        if let read = try? ReadReceipt(from: decoder) { self = .read(read); return }
        if let room = try? ChatRoom(from: decoder) { self = .room(room); return }
        if let user = try? UserEvent(from: decoder) { self = .user(user); return }
        self = .info(try InfoEvent(from: decoder))
    }
}

public struct ReadReceipt: Codable, Sendable, Equatable {
    public var userId: UUID
    public var messageId: UUID
    public var seq: Int64
    public var readAt: Date
    public init(userId: UUID, messageId: UUID, seq: Int64, readAt: Date) {
        self.userId = userId
        self.messageId = messageId
        self.seq = seq
        self.readAt = readAt
    }
}

/// typing, presence, participant.added/removed.
public struct UserEvent: Codable, Sendable, Equatable {
    public var userId: UUID
    public var online: Bool?
    public var role: String?
    /// The signed-out login (`session.revoked`); nil there means all of the person's logins.
    public var sessionId: String?
    public init(userId: UUID, online: Bool? = nil, role: String? = nil, sessionId: String? = nil) {
        self.userId = userId
        self.online = online
        self.role = role
        self.sessionId = sessionId
    }
}

public struct InfoEvent: Codable, Sendable, Equatable {
    public var message: String?
    public var code: String?
    public var userId: UUID?
    public var replicaId: String?
    /// Seconds to wait before trying again (an `error` with code `rate_limited`).
    public var retryAfter: Int?
    /// When the connection's access token expires (`ready` and `authenticated`).
    public var expiresAt: Date?
    public init(message: String? = nil, code: String? = nil, userId: UUID? = nil, replicaId: String? = nil) {
        self.message = message
        self.code = code
        self.userId = userId
        self.replicaId = replicaId
    }
}

/// Redis channel names every service agrees on.
public enum RealtimeChannel {
    /// One channel per room: its events.
    public static func room(_ id: UUID) -> String { "chat:room:" + id.uuidString.lowercased() }
    /// One channel per person: membership changes and signed-out sessions.
    public static func user(_ id: UUID) -> String { "chat:user:" + id.uuidString.lowercased() }
}
