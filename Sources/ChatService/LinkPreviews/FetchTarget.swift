import Foundation

/// A URL the fetcher may ask for, taken apart: http or https, a host, no user name or
/// password, at most 2,048 characters. Anything else is refused before any lookup.
struct FetchTarget: Sendable, Equatable {
    static let maxLength = 2048

    var url: URL
    var isTLS: Bool
    /// Without brackets for an IPv6 literal.
    var host: String
    var port: Int
    /// Path and query, as sent on the request line.
    var requestTarget: String

    init(_ url: URL) throws(LinkPreviewFailure) {
        guard url.absoluteString.utf8.count <= Self.maxLength else {
            throw .refused("the link is longer than \(Self.maxLength) characters")
        }
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .refused("only http and https links are previewed")
        }
        guard url.user == nil, url.password == nil else { throw .refused("links with a user name or password are not previewed") }
        guard var host = url.host(percentEncoded: false), !host.isEmpty else { throw .refused("the link names no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let forbidden = { (scalar: Unicode.Scalar) in
            scalar.properties.generalCategory == .control || scalar.properties.isWhitespace || "%/\\".unicodeScalars.contains(scalar)
        }
        guard !host.unicodeScalars.contains(where: forbidden) else { throw .refused("the link's host is not a name") }
        isTLS = scheme == "https"
        let port = url.port ?? (isTLS ? 443 : 80)
        guard (1...65535).contains(port) else { throw .refused("the link's port is out of range") }
        self.url = url
        self.host = host.lowercased()
        self.port = port
        let path = url.path(percentEncoded: true)
        let query = url.query(percentEncoded: true).map { "?" + $0 } ?? ""
        requestTarget = (path.isEmpty ? "/" : path) + query
    }

    /// The Host header: the name (bracketed if IPv6) and the port if it is not the scheme's own.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// Whether the host is an address rather than a name (TLS then checks the certificate against the address).
    var hostIsAddress: Bool { host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." } }
}

/// Why a link has no preview. `refused`: the outbound policy said no (nothing was
/// fetched); `failed`: the site could not be read within the limits; `empty`: it was
/// read but says nothing to show.
enum LinkPreviewFailure: Error, Equatable, Sendable {
    case refused(String)
    case failed(String)
    case empty(String)

    var outcome: String {
        switch self {
        case .refused: "refused"
        case .failed: "failed"
        case .empty: "empty"
        }
    }

    var detail: String {
        switch self {
        case let .refused(text), let .failed(text), let .empty(text): text
        }
    }
}
