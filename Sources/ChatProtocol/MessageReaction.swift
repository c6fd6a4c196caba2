import Foundation

/// One emoji on a message: how many people put it there and who, in the order they did.
public struct MessageReaction: Codable, Sendable, Equatable {
    public var emoji: String
    public var count: Int
    public var userIds: [UUID]

    public init(emoji: String, count: Int, userIds: [UUID]) {
        self.emoji = emoji
        self.count = count
        self.userIds = userIds
    }
}

/// `reaction.added` / `reaction.removed`: who changed which emoji on which
/// message, and the message's reactions after the change (so applying the
/// same event twice, or out of order with a fresh history page, settles on
/// the same state).
public struct ReactionEvent: Codable, Sendable, Equatable {
    public var messageId: UUID
    public var userId: UUID
    public var emoji: String
    public var reactions: [MessageReaction]

    public init(messageId: UUID, userId: UUID, emoji: String, reactions: [MessageReaction]) {
        self.messageId = messageId
        self.userId = userId
        self.emoji = emoji
        self.reactions = reactions
    }
}
