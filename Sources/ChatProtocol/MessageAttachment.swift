import Foundation

/// A file or image carried by a message: what the timeline shows without
/// fetching it (name, type, size, and an image's dimensions so its place is
/// reserved before it loads). The bytes are at
/// `GET /api/rooms/{roomId}/attachments/{id}`.
public struct MessageAttachment: Codable, Sendable, Equatable {
    public var id: UUID
    public var filename: String
    /// Decided from the content's first bytes, never from what the uploader said.
    public var contentType: String
    public var size: Int64
    public var width: Int?
    public var height: Int?

    public init(id: UUID, filename: String, contentType: String, size: Int64, width: Int? = nil, height: Int? = nil) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, contentType, size, width, height
    }

    /// Every key present (`null` for the dimensions of a file that is not an image).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(filename, forKey: .filename)
        try container.encode(contentType, forKey: .contentType)
        try container.encode(size, forKey: .size)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
    }
}
