import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import ChatProtocol

/// JSON over HTTP to the other services, with a timeout, the caller's request
/// id passed on, and problem+json answers turned back into `AppError`s. Each call is
/// a client span of the current trace, whose `traceparent` AsyncHTTPClient sends on.
public struct ServiceClient: Sendable {
    public let http: HTTPClient
    public let timeout: TimeAmount

    public init(http: HTTPClient = .shared, timeout: TimeAmount = .seconds(5)) {
        self.http = http
        self.timeout = timeout
    }

    public func get<T: Decodable>(_ url: String, as type: T.Type, bearer: String? = nil, requestId: String? = nil) async throws -> T {
        try await send(.GET, url, body: Optional<Int>.none, as: T.self, bearer: bearer, requestId: requestId)
    }

    public func post<Body: Encodable, T: Decodable>(
        _ url: String, body: Body, as type: T.Type, bearer: String? = nil, requestId: String? = nil
    ) async throws -> T {
        try await send(.POST, url, body: body, as: T.self, bearer: bearer, requestId: requestId)
    }

    private func send<Body: Encodable, T: Decodable>(
        _ method: HTTPMethod, _ url: String, body: Body?, as type: T.Type, bearer: String?, requestId: String?
    ) async throws -> T {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let requestId { request.headers.add(name: "X-Request-Id", value: requestId) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONCoding.encoder.encode(body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            // Only a code reaches the client: upstream error text names internal hosts.
            throw AppError(.badGateway, code: "upstream_unavailable", detail: "A service this one depends on did not answer; try again.")
        }
        let data = Data(buffer: try await response.body.collect(upTo: 4 * 1024 * 1024))
        guard (200..<300).contains(response.status.code) else {
            throw Self.upstreamFailure(status: Int(response.status.code), body: data)
        }
        do {
            return try JSONCoding.decoder.decode(T.self, from: data)
        } catch {
            throw AppError(.badGateway, code: "upstream_error", detail: "A service this one depends on sent an answer that cannot be read.")
        }
    }

    /// The error for an upstream's failed answer. Its problem+json is passed on only
    /// when the problem names a client or server error (400...599) that agrees
    /// with the answer's own status class; anything else an upstream claims (a
    /// status of 5000, -1 or 200 in a problem) is a 502, never a crash or a
    /// success.
    static func upstreamFailure(status: Int, body: Data) -> AppError {
        if let problem = try? JSONDecoder().decode(ProblemDetails.self, from: body),
            (400...599).contains(problem.status), problem.status / 100 == status / 100
        {
            return AppError(HTTPResponse.Status(code: problem.status), code: problem.code, detail: problem.detail, errors: problem.errors)
        }
        return AppError(.badGateway, code: "upstream_error", detail: "A service this one depends on failed (\(status)).")
    }
}
