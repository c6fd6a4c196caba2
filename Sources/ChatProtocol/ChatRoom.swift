import Foundation

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
    /// Unread messages that mention the caller.
    public var mentionCount: Int?
    /// The caller muted the room: no notifications, left out of unread totals.
    public var muted: Bool?
    /// The caller's notification level for the room (`none` whenever `muted`).
    public var notificationLevel: NotificationLevel?
    /// People invited into the room who have not accepted yet (shown to its members).
    public var invitedUserIds: [UUID]?
    /// A group's visibility: `public` ones are listed in the directory and anyone may join;
    /// `private` ones take an invitation or an invite link. Absent for direct rooms.
    public var visibility: String?

    public init(
        id: UUID, name: String?, description: String?, roomType: String, createdBy: UUID, createdAt: Date, updatedAt: Date,
        lastSeq: Int64, participants: [RoomParticipant]? = nil, lastMessage: ChatMessage? = nil, unreadCount: Int? = nil
    ) {
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
