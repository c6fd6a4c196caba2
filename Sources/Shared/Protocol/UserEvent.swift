import Foundation

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
