import Foundation

/// `POST /internal/rooms/shared` (chat-service): which of these people share a live room with the caller.
public struct SharedRoomsRequest: Codable, Sendable, StrictDecodable {
    public static let fields: Set<String> = ["userIds"]
    public var userIds: [UUID]
    public init(userIds: [UUID]) { self.userIds = userIds }
}

public struct SharedRoomsResponse: Codable, Sendable {
    public var userIds: [UUID]
    public init(userIds: [UUID]) { self.userIds = userIds }
}
