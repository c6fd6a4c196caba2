import Foundation

/// typing, presence, participant.added/removed.
public struct UserEvent: Codable, Sendable, Equatable {
    public var userId: UUID
    public var online: Bool?
    /// With `presence`: when the person was last seen with the page open (set when they go offline).
    public var lastSeenAt: Date?
    public var role: String?
    /// The signed-out login (`session.revoked`); nil there means all of the person's logins.
    public var sessionId: String?
    public init(userId: UUID, online: Bool? = nil, lastSeenAt: Date? = nil, role: String? = nil, sessionId: String? = nil) {
        self.userId = userId
        self.online = online
        self.lastSeenAt = lastSeenAt
        self.role = role
        self.sessionId = sessionId
    }
}
