/// What a file is, decided from its first bytes — never from the name or the
/// Content-Type an uploader gives — and, for the raster images browsers show
/// inline, its width and height.
public struct SniffedContent: Sendable, Equatable {
    public var contentType: String
    public var width: Int?
    public var height: Int?

    public init(contentType: String, width: Int? = nil, height: Int? = nil) {
        self.contentType = contentType
        self.width = width
        self.height = height
    }

    /// PNG, JPEG, GIF and WebP whose dimensions could be read: the only
    /// types ever served inline. SVG and HTML are files, whatever they say.
    public var isInlineImage: Bool { width != nil && height != nil && ContentSniffer.inlineTypes.contains(contentType) }
}

public enum ContentSniffer {
    public static let inlineTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]
    /// How much of the start of a file `sniff` looks at (a JPEG's size can sit behind large EXIF blocks).
    public static let prefixLength = 256 * 1024

    public static func sniff(_ bytes: [UInt8]) -> SniffedContent {
        if let png = png(bytes) { return png }
        if let gif = gif(bytes) { return gif }
        if let jpeg = jpeg(bytes) { return jpeg }
        if let webp = webp(bytes) { return webp }
        if starts(bytes, with: Array("%PDF-".utf8)) { return .init(contentType: "application/pdf") }
        if starts(bytes, with: [0x50, 0x4B, 0x03, 0x04]) { return .init(contentType: "application/zip") }
        if starts(bytes, with: [0x1F, 0x8B]) { return .init(contentType: "application/gzip") }
        if let text = text(bytes) { return text }
        return .init(contentType: "application/octet-stream")
    }

    static func starts(_ bytes: [UInt8], with magic: [UInt8], at offset: Int = 0) -> Bool {
        bytes.count >= offset + magic.count && Array(bytes[offset..<(offset + magic.count)]) == magic
    }

    static func bigEndian(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int? {
        guard at >= 0, bytes.count >= at + count else { return nil }
        return bytes[at..<(at + count)].reduce(0) { $0 << 8 | Int($1) }
    }

    static func littleEndian(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int? {
        guard at >= 0, bytes.count >= at + count else { return nil }
        return bytes[at..<(at + count)].reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    /// An image type with its size, if the size is sane; else the type as a plain file.
    static func image(_ type: String, _ width: Int?, _ height: Int?) -> SniffedContent {
        guard let width, let height, (1...65_535).contains(width), (1...65_535).contains(height) else {
            return .init(contentType: type)
        }
        return .init(contentType: type, width: width, height: height)
    }

    static func png(_ bytes: [UInt8]) -> SniffedContent? {
        guard starts(bytes, with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), starts(bytes, with: Array("IHDR".utf8), at: 12) else {
            return nil
        }
        return image("image/png", bigEndian(bytes, 16, 4), bigEndian(bytes, 20, 4))
    }

    static func gif(_ bytes: [UInt8]) -> SniffedContent? {
        guard starts(bytes, with: Array("GIF87a".utf8)) || starts(bytes, with: Array("GIF89a".utf8)) else { return nil }
        return image("image/gif", littleEndian(bytes, 6, 2), littleEndian(bytes, 8, 2))
    }

    /// Walks the JPEG segments to the first start-of-frame marker, which holds the size.
    static func jpeg(_ bytes: [UInt8]) -> SniffedContent? {
        guard starts(bytes, with: [0xFF, 0xD8, 0xFF]) else { return nil }
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { break }
            let marker = bytes[index + 1]
            if marker == 0xFF { index += 1; continue }
            let isFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isFrame { return image("image/jpeg", bigEndian(bytes, index + 7, 2), bigEndian(bytes, index + 5, 2)) }
            guard let length = bigEndian(bytes, index + 2, 2), length >= 2 else { break }
            index += 2 + length
        }
        return .init(contentType: "image/jpeg")
    }

    static func webp(_ bytes: [UInt8]) -> SniffedContent? {
        guard starts(bytes, with: Array("RIFF".utf8)), starts(bytes, with: Array("WEBP".utf8), at: 8) else { return nil }
        if starts(bytes, with: Array("VP8 ".utf8), at: 12), starts(bytes, with: [0x9D, 0x01, 0x2A], at: 23) {
            return image("image/webp", littleEndian(bytes, 26, 2).map { $0 & 0x3FFF }, littleEndian(bytes, 28, 2).map { $0 & 0x3FFF })
        }
        if starts(bytes, with: Array("VP8L".utf8), at: 12), bytes.count >= 25, bytes[20] == 0x2F, let bits = littleEndian(bytes, 21, 4) {
            return image("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        if starts(bytes, with: Array("VP8X".utf8), at: 12) {
            return image("image/webp", littleEndian(bytes, 24, 3).map { $0 + 1 }, littleEndian(bytes, 27, 3).map { $0 + 1 })
        }
        return .init(contentType: "image/webp")
    }

    /// UTF-8 text without NUL: markup that a browser would render (SVG, HTML,
    /// XML) is named as such so it is never served inline; the rest is plain text.
    static func text(_ bytes: [UInt8]) -> SniffedContent? {
        guard !bytes.contains(0) else { return nil }
        // The prefix may end inside a multi-byte character: drop up to three trailing bytes before checking.
        var slice = bytes[...]
        var valid = false
        for _ in 0..<4 where !slice.isEmpty {
            if String(validating: slice, as: UTF8.self) != nil { valid = true; break }
            slice = slice.dropLast()
        }
        guard valid || bytes.isEmpty else { return nil }
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self).lowercased()
        if head.contains("<svg") { return .init(contentType: "image/svg+xml") }
        if head.contains("<!doctype html") || head.contains("<html") || head.contains("<script") { return .init(contentType: "text/html") }
        if head.trimmingPrefix(while: { $0.isWhitespace }).hasPrefix("<?xml") { return .init(contentType: "application/xml") }
        return .init(contentType: "text/plain")
    }
}
