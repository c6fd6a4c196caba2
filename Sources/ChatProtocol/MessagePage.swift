import Foundation

/// A page of a room's messages (`GET /api/rooms/{roomId}/messages`), oldest first;
/// `hasMore` says whether more lie beyond it in the direction asked.
public struct MessagePage: Codable, Sendable {
    public var messages: [ChatMessage]
    public var hasMore: Bool

    public init(messages: [ChatMessage], hasMore: Bool) {
        self.messages = messages
        self.hasMore = hasMore
    }
}
