import Foundation

/// What a `system` message records: a change to the room, made by the
/// message's sender. The page words it in the reader's language and with
/// today's names; the message's `content` stays empty.
public struct SystemEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// The sender added `userId`.
        case memberAdded = "member_added"
        /// The sender removed `userId`.
        case memberRemoved = "member_removed"
        /// The sender left.
        case memberLeft = "member_left"
        /// The sender joined by themselves (a public group, or an invite link).
        case memberJoined = "member_joined"
        /// The sender renamed the room to `name`.
        case renamed
    }

    public var kind: Kind
    public var userId: UUID?
    public var name: String?

    public init(kind: Kind, userId: UUID? = nil, name: String? = nil) {
        self.kind = kind
        self.userId = userId
        self.name = name
    }
}
