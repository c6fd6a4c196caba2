import Foundation

/// chat-service asks user-service how the caller stands with some people
/// before putting them in a room (`POST /internal/users/relations`).
public struct RelationsRequest: Codable, Sendable, StrictDecodable {
    public static let fields: Set<String> = ["userIds"]
    public var userIds: [UUID]
    public init(userIds: [UUID]) { self.userIds = userIds }
}

public struct RelationsResponse: Codable, Sendable {
    /// Of the ids asked: those who have the caller as a contact — they join rooms
    /// the caller puts them in; everyone else is invited and decides.
    public var contactOf: [UUID]
    /// Of the ids asked: those with a block between them and the caller, either way.
    public var blocked: [UUID]
    public init(contactOf: [UUID], blocked: [UUID]) {
        self.contactOf = contactOf
        self.blocked = blocked
    }
}

/// Everyone with a block between them and the caller, either way
/// (`GET /internal/users/blocked`): their presence is not passed to the caller's sockets.
public struct BlockedPeopleResponse: Codable, Sendable {
    public var userIds: [UUID]
    public init(userIds: [UUID]) { self.userIds = userIds }
}
