import Foundation

/// What chat-service has for the first link of a message. With `status` `ok`, the card:
/// what the linked page says of itself (Open Graph, else its `<title>` and description),
/// fetched under the outbound policy and cached. Otherwise why there is none — `none`
/// (no link to preview: none in the text, a deleted or non-text message, or the sender
/// turned the card off; `url` is then null), `empty`
/// (the page says nothing to show), `refused` (the link's host is not on the public
/// internet: nothing was fetched), `unavailable` (the site could not be read), `off`
/// (the server does not fetch previews) — with a sentence in `detail`. These are states
/// of the link, not failures of the request, so they come with 200: a page that asks for
/// each message's card gets no error for a link that has none.
public struct LinkPreview: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case ok, none, empty, refused, unavailable, off
    }

    /// The message's first http(s) link as written (null with `none`).
    public var url: String?
    public var status: Status
    public var detail: String?
    /// Where the link's redirects ended (null unless the page was read).
    public var finalUrl: String?
    public var title: String?
    public var description: String?
    public var siteName: String?
    /// The page's picture, re-served by chat-service (never a third-party URL in the page).
    public var image: LinkPreviewImage?

    public init(
        url: String?, status: Status = .ok, detail: String? = nil, finalUrl: String?, title: String?, description: String?,
        siteName: String?, image: LinkPreviewImage?
    ) {
        self.url = url
        self.status = status
        self.detail = detail
        self.finalUrl = finalUrl
        self.title = title
        self.description = description
        self.siteName = siteName
        self.image = image
    }

    /// No card, and why.
    public static func none(url: String?, status: Status, detail: String) -> LinkPreview {
        LinkPreview(url: url, status: status, detail: detail, finalUrl: nil, title: nil, description: nil, siteName: nil, image: nil)
    }

    /// Every key is always present: an absent title or picture is `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(url, forKey: .url)
        try container.encode(status, forKey: .status)
        try container.encode(detail, forKey: .detail)
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
