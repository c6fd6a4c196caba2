import Foundation

/// The card for the first link of a message: what the linked page says of itself
/// (Open Graph, else its `<title>` and description), fetched by chat-service under
/// its outbound policy and cached. `url` is the link as written in the message,
/// `finalUrl` where its redirects ended.
public struct LinkPreview: Codable, Sendable, Equatable {
    public var url: String
    public var finalUrl: String
    public var title: String?
    public var description: String?
    public var siteName: String?
    /// The page's picture, re-served by chat-service (never a third-party URL in the page).
    public var image: LinkPreviewImage?

    public init(url: String, finalUrl: String, title: String?, description: String?, siteName: String?, image: LinkPreviewImage?) {
        self.url = url
        self.finalUrl = finalUrl
        self.title = title
        self.description = description
        self.siteName = siteName
        self.image = image
    }

    /// Every key is always present: an absent title or picture is `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(url, forKey: .url)
        try container.encode(finalUrl, forKey: .finalUrl)
        try container.encode(title, forKey: .title)
        try container.encode(description, forKey: .description)
        try container.encode(siteName, forKey: .siteName)
        try container.encode(image, forKey: .image)
    }
}

/// A preview's picture: where chat-service serves it, its type and its size in pixels.
public struct LinkPreviewImage: Codable, Sendable, Equatable {
    public var url: String
    public var contentType: String
    public var width: Int
    public var height: Int

    public init(url: String, contentType: String, width: Int, height: Int) {
        self.url = url
        self.contentType = contentType
        self.width = width
        self.height = height
    }
}
