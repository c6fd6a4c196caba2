import Foundation

/// What anyone signed in may see about a user.
public struct PublicProfile: Codable, Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var bio: String?
    public var avatarUrl: String?
    public var status: String?
    /// Presence: shown only to the person's contacts and to people who share a room with them; absent for everyone else.
    public var lastSeenAt: Date?
    /// Seen within the last two minutes (absent when presence is not shown to the caller).
    public var online: Bool?

    public init(
        id: UUID, username: String, displayName: String, bio: String?, avatarUrl: String?, status: String?, lastSeenAt: Date?, online: Bool?
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.bio = bio
        self.avatarUrl = avatarUrl
        self.status = status
        self.lastSeenAt = lastSeenAt
        self.online = online
    }
}
