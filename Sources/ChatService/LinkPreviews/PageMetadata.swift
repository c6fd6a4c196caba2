import Foundation

/// What a page says of itself in its head: Open Graph first (`og:title`,
/// `og:description`, `og:site_name`, `og:image`), then Twitter's card tags, then the
/// `<title>` and `<meta name="description">`. A small, forgiving scan of the tags —
/// no scripts run, nothing else is read — with entities decoded, white space
/// collapsed and each field cut to a length a card can show.
struct PageMetadata: Sendable, Equatable {
    static let maxTitle = 200
    static let maxDescription = 400
    static let maxSiteName = 100

    var title: String?
    var description: String?
    var siteName: String?
    /// Absolute, resolved against the page's URL; http(s) only.
    var imageURL: URL?

    var isEmpty: Bool { title == nil && description == nil }

    init(title: String? = nil, description: String? = nil, siteName: String? = nil, imageURL: URL? = nil) {
        self.title = title
        self.description = description
        self.siteName = siteName
        self.imageURL = imageURL
    }

    init(html bytes: [UInt8], pageURL: URL) {
        let html = String(decoding: bytes, as: UTF8.self)
        var meta: [String: String] = [:]
        var titleText: String?
        var index = html.startIndex
        while let open = html[index...].firstIndex(of: "<") {
            let rest = html[html.index(after: open)...]
            guard let close = rest.firstIndex(of: ">") else { break }
            if rest.hasPrefix("!--") {
                // A comment may hold anything, tags included.
                guard let end = rest.range(of: "-->") else { break }
                index = end.upperBound
                continue
            }
            let tag = rest[..<close]
            index = html.index(after: close)
            let closing = tag.hasPrefix("/")
            let name = (closing ? "/" : "") + tag.dropFirst(closing ? 1 : 0).prefix { !$0.isWhitespace && $0 != "/" }.lowercased()
            switch name {
            case "meta":
                let attributes = Self.attributes(of: tag.dropFirst(name.count))
                guard let key = (attributes["property"] ?? attributes["name"])?.lowercased(), let content = attributes["content"] else {
                    continue
                }
                if meta[key] == nil { meta[key] = content }
            case "title" where titleText == nil:
                guard let end = html[index...].range(of: "</title", options: .caseInsensitive) else { break }
                titleText = String(html[index..<end.lowerBound])
                index = end.upperBound
            case "script", "style":
                // Their text is not markup: skip to the closing tag.
                guard let end = html[index...].range(of: "</" + name, options: .caseInsensitive) else { index = html.endIndex; break }
                index = end.upperBound
            case "body", "/head":
                index = html.endIndex
            default:
                break
            }
        }
        func first(_ keys: String...) -> String? {
            for key in keys { if let value = meta[key].map(Self.clean), !value.isEmpty { return value } }
            return nil
        }
        title = Self.cut(first("og:title", "twitter:title") ?? titleText.map(Self.clean).flatMap { $0.isEmpty ? nil : $0 }, Self.maxTitle)
        description = Self.cut(first("og:description", "twitter:description", "description"), Self.maxDescription)
        siteName = Self.cut(first("og:site_name", "application-name"), Self.maxSiteName)
        imageURL = first("og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src")
            .flatMap { URL(string: $0, relativeTo: pageURL)?.absoluteURL }
            .flatMap { ["http", "https"].contains($0.scheme?.lowercased() ?? "") ? $0 : nil }
    }

    /// `a="x" b='y' c=z d` → ["a": "x", "b": "y", "c": "z", "d": ""], names lowercased, values as written.
    static func attributes(of text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var index = text.startIndex
        func skipSpace() {
            while index < text.endIndex && (text[index].isWhitespace || text[index] == "/") { index = text.index(after: index) }
        }
        while true {
            skipSpace()
            guard index < text.endIndex else { break }
            let nameStart = index
            while index < text.endIndex && !text[index].isWhitespace && text[index] != "=" && text[index] != "/" {
                index = text.index(after: index)
            }
            let name = text[nameStart..<index].lowercased()
            while index < text.endIndex && text[index].isWhitespace { index = text.index(after: index) }
            var value = ""
            if index < text.endIndex && text[index] == "=" {
                index = text.index(after: index)
                while index < text.endIndex && text[index].isWhitespace { index = text.index(after: index) }
                if index < text.endIndex, text[index] == "\"" || text[index] == "'" {
                    let quote = text[index]
                    let start = text.index(after: index)
                    let end = text[start...].firstIndex(of: quote) ?? text.endIndex
                    value = String(text[start..<end])
                    index = end < text.endIndex ? text.index(after: end) : end
                } else {
                    let start = index
                    while index < text.endIndex && !text[index].isWhitespace { index = text.index(after: index) }
                    value = String(text[start..<index])
                }
            }
            if !name.isEmpty && result[name] == nil { result[name] = value }
        }
        return result
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "mdash": "—", "ndash": "–",
        "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "middot": "·", "copy": "©", "reg": "®",
    ]

    /// `&amp;`, `&#39;`, `&#x27;` and the common named entities; anything else is left as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "&", let semicolon = text[index...].prefix(12).firstIndex(of: ";") else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let entity = text[text.index(after: index)..<semicolon]
            var decoded: String?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if entity.hasPrefix("#") {
                decoded = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                decoded = namedEntities[String(entity)]
            }
            if let decoded, decoded != "\u{0}" {
                output += decoded
                index = text.index(after: semicolon)
            } else {
                output.append(character)
                index = text.index(after: index)
            }
        }
        return output
    }

    /// Entities decoded, control and format characters (bidirectional overrides, zero-width spaces) dropped,
    /// runs of white space made one space.
    static func clean(_ text: String) -> String {
        let decoded = decodeEntities(text)
        let visible = decoded.unicodeScalars.map { scalar -> String in
            switch scalar.properties.generalCategory {
            case .control: " "
            case .format where scalar != "\u{200D}": ""  // the joiner stays: emoji sequences need it
            default: String(scalar)
            }
        }.joined()
        return visible.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func cut(_ text: String?, _ limit: Int) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text.count <= limit ? text : String(text.prefix(limit - 1)).trimmingCharacters(in: .whitespaces) + "…"
    }
}
