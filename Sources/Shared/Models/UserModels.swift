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

    public init(id: UUID, username: String, displayName: String, bio: String?, avatarUrl: String?, status: String?, lastSeenAt: Date?, online: Bool?) {
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

/// The signed-in user's own profile: the public part plus private fields.
public struct OwnProfile: Codable, Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var email: String
    public var displayName: String
    public var bio: String?
    public var avatarUrl: String?
    public var status: String?
    public var phoneNumber: String?
    public var lastSeenAt: Date?
    public var createdAt: Date

    public init(id: UUID, username: String, email: String, displayName: String, bio: String?, avatarUrl: String?, status: String?, phoneNumber: String?, lastSeenAt: Date?, createdAt: Date) {
        self.id = id
        self.username = username
        self.email = email
        self.displayName = displayName
        self.bio = bio
        self.avatarUrl = avatarUrl
        self.status = status
        self.phoneNumber = phoneNumber
        self.lastSeenAt = lastSeenAt
        self.createdAt = createdAt
    }
}

/// The answer to register, login and refresh.
public struct AuthResponse: Codable, Sendable {
    public var user: OwnProfile
    public var accessToken: String
    public var refreshToken: String
    public var tokenType: String
    /// Seconds until the access token expires.
    public var expiresIn: Int

    public init(user: OwnProfile, accessToken: String, refreshToken: String, expiresIn: Int) {
        self.user = user
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
    }
}

/// `POST /internal/users/lookup`: many ids to public profiles in one call (chat-service uses it).
public struct UserLookupRequest: Codable, Sendable, StrictDecodable {
    public static let fields: Set<String> = ["ids"]
    public var ids: [UUID]
    public init(ids: [UUID]) { self.ids = ids }
}

public struct UserLookupResponse: Codable, Sendable {
    /// The users that exist; ids with no user are listed in `missing`.
    public var users: [PublicProfile]
    public var missing: [UUID]
    public init(users: [PublicProfile], missing: [UUID]) {
        self.users = users
        self.missing = missing
    }
}

/// `POST /internal/rooms/shared` (chat-service): which of these people share a live room with the caller.
public struct SharedRoomsRequest: Codable, Sendable {
    public var userIds: [UUID]
    public init(userIds: [UUID]) { self.userIds = userIds }
}

public struct SharedRoomsResponse: Codable, Sendable {
    public var userIds: [UUID]
    public init(userIds: [UUID]) { self.userIds = userIds }
}
