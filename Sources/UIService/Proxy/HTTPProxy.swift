import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit
import ChatProtocol

/// Forwards `/api/*` and `/.well-known/*` to the service that owns the path
/// (the URL space in the README's API overview), passing the request id on.
/// A replica that cannot be reached is skipped for the next one; when none
/// answers the caller gets 503, when one answers too slowly 504, when one
/// breaks off 502, all as problem+json.
struct HTTPProxy: Sendable {
    let users: UpstreamGroup
    let chats: UpstreamGroup
    let http: HTTPClient
    let timeout: TimeAmount

    /// Request headers that describe one hop, not the request.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "x-request-id",
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
    ]

    /// The group that owns `path` (by the one declared table, `PublicRoutes`), or nil for paths the suite does not route publicly.
    func owner(of path: String) -> UpstreamGroup? {
        switch PublicRoutes.service(for: path) {
        case .users: users
        case .chats: chats
        case nil: nil
        }
    }

    func addRoutes<Context: RequestIDContext & ClientAddressContext>(to router: Router<Context>) {
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for method in methods {
            router.on("api/**", method: method) { request, context in try await forward(request, context: context) }
            router.on(".well-known/**", method: method) { request, context in try await forward(request, context: context) }
        }
    }

    func forward<Context: RequestIDContext & ClientAddressContext>(_ request: Request, context: Context) async throws -> Response {
        guard let group = owner(of: request.uri.path) else {
            throw UIError.noRoute(path: request.uri.path)
        }
        // Files go through as streams both ways: never held whole here, and not bound by the page's body limit.
        let streamed = Self.carriesFile(request)
        if streamed && request.method != .get && request.method != .head {
            return try await forwardUpload(request, context: context, to: group)
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let idempotent = [.get, .head, .options, .put, .delete].contains(request.method)
        var lastError: (any Error)?
        for base in group.attemptOrder() {
            var outgoing = Self.outgoing(request, to: base, context: context)
            if body.readableBytes > 0 || [.post, .put, .patch].contains(request.method) {
                outgoing.body = .bytes(body)
            }
            do {
                let response = try await http.execute(outgoing, timeout: timeout)
                group.markUp(base)
                if streamed { return Self.streamingResponse(from: response) }
                let answer = try await response.body.collect(upTo: 16 * 1024 * 1024)
                return Self.response(from: response, body: answer)
            } catch {
                lastError = error
                if UpstreamFailure.isConnectFailure(error) {
                    group.markDown(base)
                    context.logger.warning(
                        "upstream refused the connection; trying the next", metadata: ["upstream": "\(base)", "error": "\(error)"])
                    continue
                }
                if UpstreamFailure.isTimeout(error) {
                    throw UIError.upstreamTimeout(service: group.name)
                }
                if idempotent { continue }
                // The error's text (hosts, addresses) goes to the log, never to the client.
                context.logger.warning("upstream broke off a request", metadata: ["upstream": "\(base)", "error": "\(error)"])
                throw UIError.upstreamFailed(service: group.name)
            }
        }
        context.logger.error("no replica answered", metadata: ["service": "\(group.name)", "error": "\(String(describing: lastError))"])
        throw UIError.serviceUnavailable(service: group.name)
    }

    static func response(from upstream: HTTPClientResponse, body: ByteBuffer) -> Response {
        var headers = HTTPFields()
        for (name, value) in upstream.headers {
            guard let fieldName = HTTPField.Name(name), !hopByHop.contains(fieldName.canonicalName) else { continue }
            headers.append(HTTPField(name: fieldName, value: value))
        }
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .init(code: Int(upstream.status.code)), headers: headers, body: .init(byteBuffer: body))
    }

    /// The request as passed on to `base`: its end-to-end headers, the request id, and who asked.
    static func outgoing<Context: RequestIDContext & ClientAddressContext>(
        _ request: Request, to base: String,
        context: Context
    ) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: base + request.uri.description)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !hopByHop.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        outgoing.headers.add(name: "X-Request-Id", value: context.requestId)
        if let host = request.head.authority {
            outgoing.headers.add(name: "X-Forwarded-Host", value: host)
        }
        outgoing.headers.add(name: "X-Forwarded-Proto", value: request.head.scheme ?? "http")
        // The client as this service worked it out (a forged header from an untrusted peer is dropped).
        if let client = context.clientAddress { outgoing.headers.add(name: "X-Forwarded-For", value: client) }
        // The service behind continues this request's trace from AsyncHTTPClient's client span (which
        // adds its own traceparent); the page's, which became this request's parent, is not passed on.
        TraceParent.strip(from: &outgoing.headers)
        return outgoing
    }

    /// Uploads and downloads of files: attachments and profile pictures.
    static func carriesFile(_ request: Request) -> Bool {
        let parts = request.uri.path.split(separator: "/")
        let attachment = parts.count >= 4 && parts[0] == "api" && parts[1] == "rooms" && parts[3] == "attachments"
        let avatar = parts.count == 4 && parts[0] == "api" && parts[1] == "users" && parts[3] == "avatar"
        return attachment || avatar
    }

    /// An upload, passed on as it arrives to one replica (a stream cannot be sent twice,
    /// so only a replica that refuses the connection is skipped, before any byte is read).
    func forwardUpload<Context: RequestIDContext & ClientAddressContext>(
        _ request: Request, context: Context,
        to group: UpstreamGroup
    ) async throws -> Response {
        guard let base = group.attemptOrder().first else { throw UIError.serviceUnavailable(service: group.name) }
        var outgoing = Self.outgoing(request, to: base, context: context)
        let length = request.headers[.contentLength].flatMap { Int64($0) }
        outgoing.body = .stream(request.body, length: length.map { .known($0) } ?? .unknown)
        do {
            let response = try await http.execute(outgoing, timeout: .hours(1))
            group.markUp(base)
            return Self.streamingResponse(from: response)
        } catch {
            if UpstreamFailure.isConnectFailure(error) { group.markDown(base) }
            context.logger.warning("an upload could not be passed on", metadata: ["upstream": "\(base)", "error": "\(error)"])
            throw UIError.upstreamFailed(service: group.name)
        }
    }

    /// The upstream answer with its body passed through as it comes (its own Content-Length kept).
    static func streamingResponse(from upstream: HTTPClientResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in upstream.headers {
            guard let fieldName = HTTPField.Name(name), !hopByHop.contains(fieldName.canonicalName) || fieldName == .contentLength else {
                continue
            }
            headers.append(HTTPField(name: fieldName, value: value))
        }
        return Response(status: .init(code: Int(upstream.status.code)), headers: headers, body: ResponseBody(asyncSequence: upstream.body))
    }
}
