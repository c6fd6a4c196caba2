import CompressNIO
import Crypto
import Foundation
import NIOCore

/// One file of the web front, read once at start-up: its bytes, a gzip copy
/// when that is smaller, its content type and a strong ETag.
struct StaticAsset: Sendable {
    var contentType: String
    var body: ByteBuffer
    var gzipped: ByteBuffer?
    var etag: String
}

/// The web front's files, keyed by URL path ("/index.html", "/js/app.js").
struct StaticAssets: Sendable {
    let files: [String: StaticAsset]

    enum LoadError: Error, CustomStringConvertible {
        case missingDirectory(String)
        case noIndex(String)
        var description: String {
            switch self {
            case .missingDirectory(let path): "the web front's folder \(path) does not exist"
            case .noIndex(let path): "\(path) has no index.html"
            }
        }
    }

    /// Reads every file under `directory` (the bundled `Public` folder unless one is named).
    init(directory: String?) throws {
        let root: URL
        if let directory {
            root = URL(fileURLWithPath: directory, isDirectory: true)
        } else if let bundled = Bundle.module.url(forResource: "Public", withExtension: nil) {
            root = bundled
        } else {
            throw LoadError.missingDirectory("Public (in the resource bundle)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError.missingDirectory(root.path)
        }
        var files: [String: StaticAsset] = [:]
        let rootPath = root.standardizedFileURL.path
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(rootPath.count))
            guard !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            let data = try Data(contentsOf: url)
            files[path.hasPrefix("/") ? path : "/" + path] = Self.asset(data: data, path: path)
        }
        guard files["/index.html"] != nil else { throw LoadError.noIndex(root.path) }
        self.files = files
    }

    static func asset(data: Data, path: String) -> StaticAsset {
        let contentType = contentType(for: path)
        let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
        let body = ByteBuffer(bytes: data)
        var gzipped: ByteBuffer?
        if isCompressible(contentType), data.count > 256 {
            var input = body
            if let compressed = try? input.compress(with: .gzip), compressed.readableBytes < data.count {
                gzipped = compressed
            }
        }
        return StaticAsset(contentType: contentType, body: body, gzipped: gzipped, etag: "\"\(digest)\"")
    }

    static func contentType(for path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "webmanifest": "application/manifest+json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    static func isCompressible(_ contentType: String) -> Bool {
        contentType.hasPrefix("text/") || contentType.contains("json") || contentType.contains("svg")
    }
}
