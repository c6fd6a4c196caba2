import Foundation

/// Who sent an invitation, as the invitee sees them.
public struct InvitationSender: Codable, Sendable, Equatable {
    public var id: UUID
    public var username: String?
    public var displayName: String?
    public init(id: UUID, username: String? = nil, displayName: String? = nil) {
        self.id = id
        self.username = username
        self.displayName = displayName
    }
}

/// Someone was asked into a room by a person who is not their contact: they
/// become a member only by accepting.
public struct RoomInvitation: Codable, Sendable, Equatable {
    public var roomId: UUID
    public var userId: UUID
    public var invitedBy: UUID
    public var createdAt: Date
    public init(roomId: UUID, userId: UUID, invitedBy: UUID, createdAt: Date) {
        self.roomId = roomId
        self.userId = userId
        self.invitedBy = invitedBy
        self.createdAt = createdAt
    }
}

/// An invitation as its invitee lists it: the room and who asked.
public struct PendingInvitation: Codable, Sendable, Equatable {
    public var room: ChatRoom
    public var invitedBy: InvitationSender
    public var createdAt: Date
    public init(room: ChatRoom, invitedBy: InvitationSender, createdAt: Date) {
        self.room = room
        self.invitedBy = invitedBy
        self.createdAt = createdAt
    }
}

/// The payload of `invitation.created`: `{"invitation": {…}}`.
public struct InvitationNotice: Codable, Sendable {
    public var invitation: PendingInvitation
    public init(invitation: PendingInvitation) { self.invitation = invitation }
}
