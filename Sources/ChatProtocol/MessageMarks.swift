import Foundation

/// A message pinned in its room: what `GET /api/rooms/{id}/pins` lists and what
/// `message.pinned` carries (so an open pin list can show it without a fetch).
public struct PinnedMessage: Codable, Sendable, Equatable {
    public var message: ChatMessage
    public var pinnedBy: UUID
    public var pinnedAt: Date

    public init(message: ChatMessage, pinnedBy: UUID, pinnedAt: Date) {
        self.message = message
        self.pinnedBy = pinnedBy
        self.pinnedAt = pinnedAt
    }
}

/// A message someone saved for themselves: what `GET /api/saved` lists and what
/// `message.saved` carries to that person's other sockets (their other devices).
public struct SavedMessage: Codable, Sendable, Equatable {
    public var message: ChatMessage
    public var savedAt: Date

    public init(message: ChatMessage, savedAt: Date) {
        self.message = message
        self.savedAt = savedAt
    }
}

/// `message.unpinned` (who took the pin off) and `message.unsaved` (the person themself).
public struct MarkRemoved: Codable, Sendable, Equatable {
    public var messageId: UUID
    public var userId: UUID

    public init(messageId: UUID, userId: UUID) {
        self.messageId = messageId
        self.userId = userId
    }
}
