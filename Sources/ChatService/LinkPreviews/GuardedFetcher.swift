import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What a fetch brought back: where the redirects ended, the media type, the bytes.
struct FetchedResource: Sendable {
    var finalURL: URL
    var contentType: String
    var body: [UInt8]
    /// The site sent more than the limit and the rest was not read (pages only).
    var truncated: Bool
}

/// One GET under the outbound policy: every hop's host is resolved here, the policy
/// checks the addresses, and the connection goes to a checked address — never to a
/// name the socket layer would resolve again — with TLS verifying the certificate
/// against the link's host name. Redirects (at most four) are followed the same way.
/// A deadline bounds the whole fetch: past it the connection is closed, whatever
/// the site is doing. Only a 200 of an accepted media type is read, up to `maxBytes`.
struct GuardedFetcher: Sendable {
    static let maxRedirects = 4
    static let userAgent = "MicroChat-LinkPreview/1.0"

    struct Request: Sendable {
        var accepting: Set<String>
        var acceptHeader: String
        var maxBytes: Int
        /// A page may be cut at `maxBytes` (its head is what counts); an image may not.
        var keepTruncated: Bool
    }

    let policy: OutboundPolicy
    let resolver: HostResolver
    let tls: NIOSSLContext
    let group: any EventLoopGroup

    func fetch(_ url: URL, _ request: Request, deadline: NIODeadline) async throws(LinkPreviewFailure) -> FetchedResource {
        var current = url
        for _ in 0...Self.maxRedirects {
            let target = try FetchTarget(current)
            let addresses = try await resolve(target, deadline: deadline)
            guard let address = addresses.first(where: { policy.permits($0) }) else {
                throw .refused(OutboundPolicy.notPublic)
            }
            switch try await exchange(target, address: address, request, deadline: deadline) {
            case let .redirect(location):
                guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                    throw .failed("a redirect named no valid URL")
                }
                current = next
            case let .resource(contentType, body, truncated):
                return FetchedResource(finalURL: current, contentType: contentType, body: body, truncated: truncated)
            }
        }
        throw .failed("the site redirected more than \(Self.maxRedirects) times")
    }

    /// The host's addresses, looked up within what is left of the deadline (a resolver that hangs is given up on).
    private func resolve(_ target: FetchTarget, deadline: NIODeadline) async throws(LinkPreviewFailure) -> [SocketAddress] {
        guard deadline - .now() > .zero else { throw .failed("the site did not answer in time") }
        return try await resolver.addresses(of: target.host, port: target.port, by: deadline, on: group.next())
    }

    private enum Reply: Sendable {
        case redirect(String)
        case resource(contentType: String, body: [UInt8], truncated: Bool)
    }

    private func exchange(
        _ target: FetchTarget, address: SocketAddress, _ request: Request, deadline: NIODeadline
    ) async throws(LinkPreviewFailure) -> Reply {
        do {
            return try await exchangeThrowing(target, address: address, request, deadline: deadline)
        } catch let failure as LinkPreviewFailure {
            throw failure
        } catch {
            if NIODeadline.now() >= deadline { throw .failed("the site did not answer in time") }
            if error is NIOSSLError || error is BoringSSLError { throw .failed("the site's TLS certificate was not accepted") }
            throw .failed("the site could not be reached")
        }
    }

    private func exchangeThrowing(
        _ target: FetchTarget, address: SocketAddress, _ request: Request, deadline: NIODeadline
    ) async throws -> Reply {
        let left = deadline - .now()
        guard left > .zero else { throw LinkPreviewFailure.failed("the site did not answer in time") }
        let tls = self.tls
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(left)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Whatever the site does (a trickle, silence), the connection ends at the deadline.
                    channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
                    if target.isTLS {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: target.hostIsAddress ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        let reply = try await channel.executeThenClose { inbound, outbound -> Reply? in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestTarget)
            head.headers.add(name: "Host", value: target.hostHeader)
            head.headers.add(name: "User-Agent", value: Self.userAgent)
            head.headers.add(name: "Accept", value: request.acceptHeader)
            head.headers.add(name: "Accept-Encoding", value: "identity")
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var contentType = ""
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case let .head(response):
                    if [301, 302, 303, 307, 308].contains(response.status.code) {
                        guard let location = response.headers.first(name: "location") else {
                            throw LinkPreviewFailure.failed("the site redirected to nowhere")
                        }
                        return .redirect(location)
                    }
                    contentType = try Self.check(response, request)
                case var .body(buffer):
                    let room = request.maxBytes - body.count
                    if buffer.readableBytes > room {
                        guard request.keepTruncated else {
                            throw LinkPreviewFailure.failed("the file is larger than \(request.maxBytes) bytes")
                        }
                        body += buffer.readBytes(length: room) ?? []
                        return .resource(contentType: contentType, body: body, truncated: true)
                    }
                    body += buffer.readBytes(length: buffer.readableBytes) ?? []
                case .end:
                    return .resource(contentType: contentType, body: body, truncated: false)
                }
            }
            return nil
        }
        guard let reply else {
            throw LinkPreviewFailure.failed(
                NIODeadline.now() >= deadline ? "the site did not answer in time" : "the site closed the connection")
        }
        return reply
    }

    /// A 200 of an accepted type, not compressed, not announced larger than an image may be: its media type.
    static func check(_ response: HTTPResponseHead, _ request: Request) throws -> String {
        guard response.status == .ok else { throw LinkPreviewFailure.failed("the site answered \(response.status.code)") }
        let type = mediaType(response.headers.first(name: "content-type"))
        guard request.accepting.contains(type) else {
            throw LinkPreviewFailure.failed(type.isEmpty ? "the site sent no content type" : "the site sent \(type.prefix(80))")
        }
        if let encoding = response.headers.first(name: "content-encoding"), encoding.lowercased() != "identity" {
            throw LinkPreviewFailure.failed("the site sent a compressed body")
        }
        if !request.keepTruncated, let length = response.headers.first(name: "content-length").flatMap({ Int($0) }),
            length > request.maxBytes
        {
            throw LinkPreviewFailure.failed("the file is larger than \(request.maxBytes) bytes")
        }
        return type
    }

    /// `text/html; charset=utf-8` → `text/html`.
    static func mediaType(_ header: String?) -> String {
        guard let header else { return "" }
        return header.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }
}
