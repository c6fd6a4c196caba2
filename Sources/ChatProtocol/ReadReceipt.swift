import Foundation

public struct ReadReceipt: Codable, Sendable, Equatable {
    public var userId: UUID
    public var messageId: UUID
    public var seq: Int64
    public var readAt: Date
    public init(userId: UUID, messageId: UUID, seq: Int64, readAt: Date) {
        self.userId = userId
        self.messageId = messageId
        self.seq = seq
        self.readAt = readAt
    }
}
