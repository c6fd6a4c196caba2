import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Serves the web front: known files as they are, any other extension-less
/// path as the single page (`index.html`), with ETag revalidation and gzip.
struct AssetsController<Context: RequestContext>: Sendable {
    let assets: StaticAssets

    func addRoutes(to router: Router<Context>) {
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/", method: method) { request, _ in try serve(request) }
            router.on("**", method: method) { request, _ in try serve(request) }
        }
    }

    func serve(_ request: Request) throws -> Response {
        let path = request.uri.path
        let asset: StaticAsset
        if let file = assets.files[path] {
            asset = file
        } else if path == "/" || !(path.split(separator: "/").last ?? "").contains("."), let index = assets.files["/index.html"] {
            asset = index
        } else {
            throw UIError.assetNotFound(path: path)
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .eTag: asset.etag,
            .cacheControl: "no-cache",
            .vary: "Accept-Encoding",
        ]
        if let tags = request.headers[.ifNoneMatch], Self.matches(tags, etag: asset.etag) {
            return Response(status: .notModified, headers: headers)
        }
        var body = asset.body
        if let gzipped = asset.gzipped, Self.acceptsGzip(request.headers[values: .acceptEncoding]) {
            body = gzipped
            headers[.contentEncoding] = "gzip"
        }
        headers[.contentLength] = String(body.readableBytes)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// `If-None-Match` holds the tag (or `*`); weak tags compare by their opaque part.
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    /// True unless the client leaves gzip out or gives it q=0.
    static func acceptsGzip(_ values: [String]) -> Bool {
        for value in values {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let coding = parts.first, coding == "gzip" || coding == "*" else { continue }
                let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
                return weight > 0
            }
        }
        return false
    }
}
