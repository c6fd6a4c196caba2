import Foundation
import ServiceKit

/// The signed-in user's own profile: the part plus private fields.
struct OwnProfile: Codable, Sendable, Equatable {
    var id: UUID
    var username: String
    var email: String
    var displayName: String
    var bio: String?
    var avatarUrl: String?
    var status: String?
    var phoneNumber: String?
    var lastSeenAt: Date?
    var createdAt: Date
    /// Until when notifications are off on every device (absent when not asked, or past).
    var doNotDisturbUntil: Date?

    init(
        id: UUID, username: String, email: String, displayName: String, bio: String?, avatarUrl: String?, status: String?,
        phoneNumber: String?, lastSeenAt: Date?, createdAt: Date, doNotDisturbUntil: Date? = nil
    ) {
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
        self.doNotDisturbUntil = doNotDisturbUntil
    }
}
