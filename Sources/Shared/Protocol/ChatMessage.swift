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
