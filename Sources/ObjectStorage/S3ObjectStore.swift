import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Objects in a bucket of an S3-compatible service (AWS S3, MinIO, Google
/// Cloud Storage's XML API with HMAC keys), over AsyncHTTPClient with
/// Signature V4. Path-style addressing (`<endpoint>/<bucket>/<key>`), which
/// all three accept. An object up to `partSize` is one PUT; a larger one is a
/// multipart upload whose parts are sent as they fill, so at most one part is
/// held in memory.
public struct S3ObjectStore: ObjectStore {
    public struct Configuration: Sendable {
        public var endpoint: String
        public var bucket: String
        public var region: String
        public var accessKeyId: String
        public var secretAccessKey: String
        /// Multipart part size (S3's minimum is 5 MiB for every part but the last).
        public var partSize: Int
        /// How long one request may take, connecting included (a service that is down fails within it).
        public var requestTimeout: Duration

        public init(
            endpoint: String, bucket: String, region: String = "us-east-1", accessKeyId: String, secretAccessKey: String,
            partSize: Int = 8 * 1024 * 1024, requestTimeout: Duration = .seconds(30)
        ) {
            self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            self.bucket = bucket
            self.region = region
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.partSize = max(5 * 1024 * 1024, partSize)
            self.requestTimeout = requestTimeout
        }
    }

    public let configuration: Configuration
    let client: HTTPClient
    let signer: SigV4
    private let host: String

    public init(configuration: Configuration, client: HTTPClient) throws {
        guard let url = URLComponents(string: configuration.endpoint), let host = url.host, url.scheme == "http" || url.scheme == "https"
        else {
            throw ObjectStoreError.unavailable("S3 endpoint \(configuration.endpoint) is not an http(s) URL")
        }
        self.configuration = configuration
        self.client = client
        self.host = url.port.map { "\(host):\($0)" } ?? host
        self.signer = SigV4(
            accessKeyId: configuration.accessKeyId, secretAccessKey: configuration.secretAccessKey,
            region: configuration.region)
    }

    /// Creates the bucket (local development and tests; in a cluster Terraform makes it).
    public func createBucket() async throws {
        let response = try await send("PUT", path: "/" + configuration.bucket, body: nil)
        guard response.status == .ok || response.status == .conflict else { throw await Self.failure(response, "create the bucket") }
        await Self.drain(response)
    }

    public func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter {
        try ObjectStoreError.check(key)
        return S3Writer(store: self, key: key, contentType: contentType)
    }

    public func read(key: String, range: ClosedRange<Int>, _ consume: (ByteBuffer) async throws -> Void) async throws {
        try ObjectStoreError.check(key)
        let response = try await send(
            "GET", path: objectPath(key), headers: ["range": "bytes=\(range.lowerBound)-\(range.upperBound)"],
            body: nil)
        switch response.status {
        case .ok, .partialContent:
            for try await chunk in response.body { try await consume(chunk) }
        case .notFound:
            await Self.drain(response)
            throw ObjectStoreError.notFound(key: key)
        default:
            throw await Self.failure(response, "read \(key)")
        }
    }

    public func delete(key: String) async throws {
        try ObjectStoreError.check(key)
        let response = try await send("DELETE", path: objectPath(key), body: nil)
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else {
            throw await Self.failure(response, "delete \(key)")
        }
        await Self.drain(response)
    }

    func objectPath(_ key: String) -> String {
        "/" + configuration.bucket + "/" + SigV4.encode(key, keepSlash: true)
    }

    /// One signed request. Connection failures become `unavailable`.
    func send(
        _ method: String, path: String, query: [(String, String)] = [], headers: [String: String] = [:],
        body: ByteBuffer?
    ) async throws -> HTTPClientResponse {
        let payloadHash =
            body.map { buffer in buffer.withUnsafeReadableBytes { SigV4.hex(SHA256.hash(data: $0)) } } ?? SigV4.emptyPayloadHash
        var signed = headers
        signed["host"] = host
        signed["x-amz-date"] = SigV4.amzDate(Date())
        signed["x-amz-content-sha256"] = payloadHash
        let signature = signer.sign(method: method, path: path, query: query, headers: signed, payloadHash: payloadHash)
        let queryText = query.map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: configuration.endpoint + path + (queryText.isEmpty ? "" : "?" + queryText))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed where name != "host" { request.headers.add(name: name, value: value) }
        request.headers.add(name: "authorization", value: signature.authorization)
        // PUT and POST always say their length (0 when empty): some servers wait for a body otherwise.
        if let body = body ?? (method == "PUT" || method == "POST" ? ByteBuffer() : nil) {
            request.body = .bytes(body)
        }
        do {
            return try await client.execute(
                request,
                timeout: .nanoseconds(
                    configuration.requestTimeout.components.seconds * 1_000_000_000
                        + configuration.requestTimeout.components.attoseconds / 1_000_000_000))
        } catch {
            throw ObjectStoreError.unavailable("\(method) \(path): \(error)")
        }
    }

    /// The service's error code (`<Code>` of its XML answer) and status, for the log.
    static func failure(_ response: HTTPClientResponse, _ what: String) async -> ObjectStoreError {
        let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
        let code = element("Code", in: body) ?? "no code"
        return .unavailable("could not \(what): S3 answered \(response.status.code) \(code)")
    }

    /// Reads and drops an answer's body, so its connection goes back to the pool.
    static func drain(_ response: HTTPClientResponse) async {
        _ = try? await response.body.collect(upTo: 1024 * 1024)
    }

    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}

/// One S3 object being written: one PUT, or a multipart upload once it outgrows a part.
final class S3Writer: ObjectWriter {
    private struct State {
        var pending = ByteBuffer()
        var uploadId: String?
        var parts: [(number: Int, etag: String)] = []
        var total = 0
    }

    private let store: S3ObjectStore
    private let key: String
    private let contentType: String
    private let state = Mutex(State())

    init(store: S3ObjectStore, key: String, contentType: String) {
        self.store = store
        self.key = key
        self.contentType = contentType
    }

    func write(_ chunk: ByteBuffer) async throws {
        let partSize = store.configuration.partSize
        let full = state.withLock { state -> ByteBuffer? in
            var chunk = chunk
            state.total += chunk.readableBytes
            state.pending.writeBuffer(&chunk)
            guard state.pending.readableBytes >= partSize else { return nil }
            return state.pending.readSlice(length: partSize)
        }
        if let full { try await upload(part: full) }
    }

    func finish() async throws -> Int {
        let (rest, uploadId, total) = state.withLock { state in
            let rest = state.pending
            state.pending = ByteBuffer()
            return (rest, state.uploadId, state.total)
        }
        guard let uploadId else {
            // Small enough for one request.
            let response = try await store.send("PUT", path: store.objectPath(key), headers: ["content-type": contentType], body: rest)
            guard response.status == .ok else { throw await S3ObjectStore.failure(response, "store \(key)") }
            await S3ObjectStore.drain(response)
            return total
        }
        if rest.readableBytes > 0 { try await upload(part: rest) }
        let parts = state.withLock { $0.parts }
        let list = parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\($0.etag)</ETag></Part>" }.joined()
        let response = try await store.send(
            "POST", path: store.objectPath(key), query: [("uploadId", uploadId)],
            body: ByteBuffer(string: "<CompleteMultipartUpload>\(list)</CompleteMultipartUpload>"))
        let answer = (try? await response.body.collect(upTo: 1024 * 1024)).map { String(buffer: $0) } ?? ""
        // S3 may answer 200 with an error document when completing.
        guard response.status == .ok, !answer.contains("<Error>") else {
            await abort()
            throw ObjectStoreError.unavailable(
                "could not complete the upload of \(key): \(S3ObjectStore.element("Code", in: answer) ?? "status \(response.status.code)")")
        }
        return total
    }

    func abort() async {
        let uploadId = state.withLock { state -> String? in
            defer { state.uploadId = nil; state.pending = ByteBuffer() }
            return state.uploadId
        }
        guard let uploadId else { return }
        if let response = try? await store.send("DELETE", path: store.objectPath(key), query: [("uploadId", uploadId)], body: nil) {
            await S3ObjectStore.drain(response)
        }
    }

    private func upload(part: ByteBuffer) async throws {
        var uploadId = state.withLock { $0.uploadId }
        if uploadId == nil {
            let response = try await store.send(
                "POST", path: store.objectPath(key), query: [("uploads", "")],
                headers: ["content-type": contentType], body: nil)
            let answer = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            guard response.status == .ok, let id = S3ObjectStore.element("UploadId", in: answer) else {
                throw ObjectStoreError.unavailable("could not start a multipart upload of \(key): status \(response.status.code)")
            }
            state.withLock { $0.uploadId = id }
            uploadId = id
        }
        guard let uploadId else { return }
        let number = state.withLock { $0.parts.count + 1 }
        let response = try await store.send(
            "PUT", path: store.objectPath(key),
            query: [("partNumber", String(number)), ("uploadId", uploadId)], body: part)
        guard response.status == .ok, let etag = response.headers.first(name: "etag") else {
            throw await S3ObjectStore.failure(response, "upload part \(number) of \(key)")
        }
        await S3ObjectStore.drain(response)
        state.withLock { $0.parts.append((number, etag)) }
    }
}
