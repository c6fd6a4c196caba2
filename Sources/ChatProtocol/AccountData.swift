import Foundation

/// `GET /internal/users/me/messages` (chat-service → user-service's export): the
/// rooms the caller was ever in and every message they sent there, oldest first.
public struct SentMessagesExport: Codable, Sendable, Equatable {
    public var rooms: [ExportedRoom]
    public var messages: [ExportedMessage]
    /// More messages were sent than one export holds: these are the oldest.
    public var truncated: Bool

    public init(rooms: [ExportedRoom], messages: [ExportedMessage], truncated: Bool = false) {
        self.rooms = rooms
        self.messages = messages
        self.truncated = truncated
    }
}

public struct ExportedRoom: Codable, Sendable, Equatable {
    public var id: UUID
    public var roomType: String
    public var name: String?

    public init(id: UUID, roomType: String, name: String?) {
        self.id = id
        self.roomType = roomType
        self.name = name
    }
}

/// One message as the export holds it: its text and its files' names and types (not their bytes).
public struct ExportedMessage: Codable, Sendable, Equatable {
    public var id: UUID
    public var roomId: UUID
    public var seq: Int64
    public var content: String?
    public var messageType: MessageType
    public var createdAt: Date
    public var updatedAt: Date?
    public var deletedAt: Date?
    public var replyToId: UUID?
    public var attachments: [MessageAttachment]

    public init(
        id: UUID, roomId: UUID, seq: Int64, content: String?, messageType: MessageType, createdAt: Date, updatedAt: Date?,
        deletedAt: Date?, replyToId: UUID?, attachments: [MessageAttachment]
    ) {
        self.id = id
        self.roomId = roomId
        self.seq = seq
        self.content = content
        self.messageType = messageType
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.replyToId = replyToId
        self.attachments = attachments
    }
}

/// `POST /internal/users/me/depart` (user-service → chat-service, before an account is
/// erased): what chat-service did — the groups the person left, and who took over as
/// owner where they were the last one.
public struct DepartureReport: Codable, Sendable, Equatable {
    public var groupsLeft: Int
    public var ownersNamed: Int

    public init(groupsLeft: Int, ownersNamed: Int) {
        self.groupsLeft = groupsLeft
        self.ownersNamed = ownersNamed
    }
}
