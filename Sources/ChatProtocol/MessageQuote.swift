import Foundation

/// What a reply shows of the message it answers: its author and first line,
/// or only that it was deleted.
public struct MessageQuote: Codable, Sendable, Equatable {
    public var id: UUID
    public var senderId: UUID
    public var messageType: MessageType
    /// The first line, at most 140 characters; nil once the original is deleted
    /// (and for a file or image sent without a caption).
    public var excerpt: String?
    public var deleted: Bool

    public init(id: UUID, senderId: UUID, messageType: MessageType, excerpt: String?, deleted: Bool) {
        self.id = id
        self.senderId = senderId
        self.messageType = messageType
        self.excerpt = excerpt
        self.deleted = deleted
    }

    enum CodingKeys: String, CodingKey { case id, senderId, messageType, excerpt, deleted }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(senderId, forKey: .senderId)
        try container.encode(messageType, forKey: .messageType)
        try container.encode(excerpt, forKey: .excerpt)
        try container.encode(deleted, forKey: .deleted)
    }
}
